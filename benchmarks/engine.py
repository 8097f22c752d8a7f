#!/usr/bin/env python3
"""Whole-process benchmark of the AWS-facing commands against moto_server: a no-op
`tsdeploy deploy main` (both stacks unchanged), `tsdeploy diff main` and `tsdeploy doctor`.
Starts its own moto on a free port, bootstraps, pushes the pipeline images, deploys once,
then times N runs of each (median, min, max, peak RSS).

Usage: benchmarks/engine.sh [RUNS]   (builds the release binary first via bin/tsdeploy)
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, ".build", "release", "tsdeploy")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
endpoint = f"http://127.0.0.1:{port}"
env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIABENCHMARK0000001", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="us-west-2",
           AWS_ENDPOINT_URL=endpoint, AWS_EC2_METADATA_DISABLED="true")
env.pop("AWS_PROFILE", None)


def run_once(args):
    start = time.perf_counter()
    proc = subprocess.Popen([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=root)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"benchmark: tsdeploy {' '.join(args)} failed with status {status}")
    return elapsed, usage.ru_maxrss


try:
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    run_once(["bootstrap"])
    run_once(["deploy", "main", "--require-approval", "never"])
    import boto3
    ecr = boto3.client("ecr", endpoint_url=endpoint, region_name="us-west-2", aws_access_key_id="a", aws_secret_access_key="b")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
                                      "digest": "sha256:" + "a" * 64}, "layers": []})
    for tag in ("lidar-main", "lidar_vap-main"):
        ecr.put_image(repositoryName="pipeline-template-main", imageManifest=manifest, imageTag=tag)
    run_once(["deploy", "main", "--require-approval", "never"])

    print(f"tsdeploy against moto_server, whole process, {runs} runs after 2 warm-up runs ({os.cpu_count()} cores)")
    print(f"{'command':34} {'median':>9} {'min':>9} {'max':>9} {'peak RSS':>10}")
    for label, args in [("deploy main (no-op, 2 stacks)", ["deploy", "main"]), ("diff main (2 stacks)", ["diff", "main"]),
                        ("doctor", ["doctor"]), ("bootstrap (up to date)", ["bootstrap"]),
                        ("build-plan main (2 images, ECR asked)", ["build-plan", "main", "--pipelines-dir", "Tests/cli/fixtures/pipelines-repo"]),
                        ("logs main lidar (2 sites, no events)", ["logs", "main", "lidar", "--since", "1h"])]:
        for _ in range(2):
            run_once(args)
        samples = [run_once(args) for _ in range(runs)]
        times = [x[0] * 1000 for x in samples]
        rss = max(x[1] for x in samples) / 1024
        print(f"{label:34} {statistics.median(times):7.1f}ms {min(times):7.1f}ms {max(times):7.1f}ms {rss:8.1f}MB")
finally:
    moto.terminate()
    moto.wait()
