"""Fault-injection runs: bootstrap, deploy, diff and destroy of the sample config through
FaultProxy in front of moto_server. Each faulty command must succeed or fail with a clear
message (exit 1, an `error:` line, no raw dump, no crash); then the same commands without
faults must complete from whatever state the faulty run left.

  python3 Tests/fault/run_faults.py --binary .build/debug/tsdeploy --moto-port PORT --runs 125
"""
import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from fault_proxy import FaultProxy  # noqa: E402

RAW_DUMPS = ["NSURLErrorDomain", "Optional(", "<ErrorResponse", "Fatal error", "Swift/", "__type", "Error Domain="]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def put_images(moto):
    import boto3
    ecr = boto3.client("ecr", endpoint_url=moto, region_name="us-west-2", aws_access_key_id="AKIAFAULTPROXY000001",
                       aws_secret_access_key="x")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
                                      "digest": "sha256:" + "b" * 64}, "layers": []})
    for tag in ("lidar-main", "lidar_vap-main"):
        try:  # the repository exists once the build stack is deployed
            ecr.put_image(repositoryName="pipeline-template-main", imageManifest=manifest, imageTag=tag)
        except Exception:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--moto-port", type=int, required=True)
    ap.add_argument("--config", default=os.path.join(ROOT, "pipelines_config.yml"))
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=float, default=0.15)
    ap.add_argument("--report")
    args = ap.parse_args()
    moto = f"http://127.0.0.1:{args.moto_port}"
    proxy = FaultProxy(args.moto_port)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIAFAULTPROXY000001", AWS_SECRET_ACCESS_KEY="fault-secret", AWS_REGION="us-west-2",
               AWS_ENDPOINT_URL=f"http://127.0.0.1:{proxy.port}", AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS="4",
               TSDEPLOY_HTTP_TIMEOUT="2", HOME="/nonexistent-fault-home")
    env.pop("AWS_PROFILE", None)
    deploy = ["deploy", "main", "--config", args.config, "--require-approval", "never"]
    destroy = ["destroy", "main", "--config", args.config, "--force"]
    # The first deploy creates the build stack (the functions wait for images), the second the functions.
    build = [["bootstrap"], deploy, deploy, ["diff", "main", "--config", args.config]]
    failures, faulty_ok, faulty_clear, seconds, counts, examples = [], 0, 0, [], {}, []

    def run(step):
        if step[0] == "deploy":
            put_images(moto)
        started = time.time()
        try:
            p = subprocess.run([args.binary] + step, env=env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return None, "timed out after 180 s", time.time() - started
        return p.returncode, p.stderr + p.stdout, time.time() - started

    def faulty(i, steps):
        nonlocal faulty_ok, faulty_clear
        proxy.rate = args.rate
        for step in steps:
            code, err, took = run(step)
            seconds.append(took)
            if code == 0:
                faulty_ok += 1
            elif code == 1 and "error:" in err and not any(d in err for d in RAW_DUMPS):
                faulty_clear += 1
                message = err[err.rindex("error:"):].strip().splitlines()[0][:200]
                if len(examples) < 8 and message not in examples:
                    examples.append(message)
            else:
                failures.append(f"run {i} {step[0]} with faults: exit {code}: {err[-600:]}")
        proxy.rate = 0

    def clean(i, step, ok=lambda code, out: code == 0):
        code, out, _ = run(step)
        if not ok(code, out):
            failures.append(f"run {i} {step[0]} rerun without faults: exit {code}: {out[-800:]}")

    for i in range(args.runs):
        urllib.request.urlopen(urllib.request.Request(moto + "/moto-api/reset", method="POST"), timeout=10).read()
        proxy.random.seed(args.seed * 100_003 + i)
        proxy.injected.clear()
        proxy.by_token.clear()
        # Build up with faults, then the same without: it must complete from whatever was left.
        faulty(i, build)
        for step in build[:3]:
            clean(i, step)
        clean(i, ["diff", "main", "--config", args.config, "--fail"])
        # Tear down with faults, then again without: nothing of the branch may be left.
        faulty(i, [destroy])
        clean(i, destroy, lambda code, out: code == 0 or (code == 1 and "nothing to delete" in out))
        clean(i, ["ls", "main", "--config", args.config], lambda code, out: code == 0 and out.count("not deployed") == 2)
        for f in proxy.injected:
            counts[f] = counts.get(f, 0) + 1
    proxy.close()
    summary = {
        "runs": args.runs, "commands_with_faults": args.runs * 5, "succeeded": faulty_ok,
        "failed_clearly": faulty_clear, "bad": len(failures), "faults_injected": counts,
        "median_command_seconds": sorted(seconds)[len(seconds) // 2] if seconds else 0,
        "max_command_seconds": max(seconds) if seconds else 0, "clear_failures_seen": examples,
    }
    print(json.dumps(summary, indent=1, sort_keys=True))
    if args.report:
        with open(args.report, "w") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
    for f in failures:
        print("FAILED: " + f, file=sys.stderr)
    print(f"fault runs: {args.runs - len({f.split()[1] for f in failures})} passed, {len({f.split()[1] for f in failures})} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
