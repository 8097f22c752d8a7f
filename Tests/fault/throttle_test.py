#!/usr/bin/env python3
"""Deploying many stacks at once against an endpoint that throttles above a request rate
(a loopback proxy in front of moto answering "Rate exceeded" past N requests a second, as
CloudFormation does): the deploy slows down and completes, it does not fail on throttling.

Usage: throttle_test.py --binary BIN --work DIR [--max-rps N]
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from fault_proxy import FaultProxy  # noqa: E402
from motolib import arguments, check, finish, start_moto  # noqa: E402


def main():
    a = arguments()
    max_rps = int(os.environ.get("TSDEPLOY_THROTTLE_RPS", "6"))
    moto, endpoint = start_moto(a.work / "moto-throttle.log")
    proxy = FaultProxy(int(endpoint.rsplit(":", 1)[1]), max_rps=max_rps)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="AKIATHROTTLE00000001", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="us-west-2",
                   AWS_ENDPOINT_URL=f"http://127.0.0.1:{proxy.port}", AWS_EC2_METADATA_DISABLED="true", CI="true", HOME=str(a.work))
        cfg = a.work / "throttle.yml"
        gen = Path(__file__).resolve().parents[2] / "benchmarks" / "gen_config.py"
        cfg.write_text(subprocess.run([sys.executable, str(gen), "30", "5"], capture_output=True, text=True, check=True).stdout)

        def t(*args):
            p = subprocess.run([a.binary, *args], env=env, capture_output=True, text=True)
            return p.returncode, p.stdout + p.stderr

        rc, out = t("bootstrap")
        check("bootstrap through the throttling endpoint", rc == 0, out[-1000:])
        rc, out = t("deploy", "main", "-c", str(cfg), "--stack", "CodePipelineStack", "--require-approval", "never")
        check("the build stack deploys through it", rc == 0, out[-1000:])
        ecr = boto3.client("ecr", endpoint_url=endpoint, region_name="us-west-2", aws_access_key_id="a", aws_secret_access_key="b")
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                               "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": "sha256:" + "b" * 64},
                               "layers": []})
        for p in range(30):
            ecr.put_image(repositoryName="pipeline-template-main", imageManifest=manifest, imageTag=f"pipeline_{p:04d}-main")
        before = proxy.throttled
        started = time.time()
        rc, out = t("deploy", "main", "-c", str(cfg), "--stack", "PipelinesStack", "--require-approval", "never", "--concurrency", "3")
        took = time.time() - started
        check(f"3 functions stacks at once through an endpoint allowing {max_rps} requests/s: deployed in {took:.0f} s, "
              f"{proxy.throttled - before} requests throttled on the way", rc == 0 and out.count(": deployed") == 3 and proxy.throttled > before,
              out[-2000:])
        rc, out = t("diff", "main", "-c", str(cfg), "--fail")
        check("and nothing is left to change", rc == 0, out[-1000:])
    finally:
        proxy.close()
        moto.kill()
    finish("throttling")


if __name__ == "__main__":
    main()
