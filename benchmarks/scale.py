#!/usr/bin/env python3
"""Scale benchmark: configs of 1, 10, 100 and 1,000 pipelines x 5 sites (benchmarks/gen_config.py),
whole-process `tsdeploy synth` per config (median of N runs after a warm-up, peak RSS from
wait4), start-up, and a no-op deploy and diff on moto_server (up to 100 x 5: deploying 1,000 x 5
to moto takes many minutes). When aws-cdk-lib 2.93 is installed in .build/cdk-venv
(`--install-cdk` puts it there from PyPI; it needs node), the same configs through the
reference's CDK app (benchmarks/cdk_reference/app.py, `python app.py` as the reference runs
it), side by side, with the ratio. Prints a Markdown table.

Usage: benchmarks/scale.sh [--runs N] [--install-cdk] [--no-moto]
"""
import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, ".build", "release", "tsdeploy")
venv = os.path.join(root, ".build", "cdk-venv")
cdk_python = os.path.join(venv, "bin", "python")
sizes = [1, 10, 100, 1000]


def run_once(args, env=None, cwd=None):
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    timer = threading.Timer(600, proc.kill)  # a hung command fails the benchmark instead of stalling it
    timer.start()
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"benchmark: {' '.join(args)} failed with status {status}:\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def measure(args, runs, env=None, cwd=None, warmup=1):
    for _ in range(warmup):
        run_once(args, env, cwd)
    samples = [run_once(args, env, cwd) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def cdk_available():
    if not os.path.exists(cdk_python) or not shutil.which("node"):
        return False
    probe = subprocess.run([cdk_python, "-c", "import aws_cdk, importlib.metadata as m; print(m.version('aws-cdk-lib'))"],
                           capture_output=True, text=True)
    return probe.returncode == 0 and probe.stdout.strip() == "2.93.0"


def fmt(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--install-cdk", action="store_true")
    ap.add_argument("--no-moto", action="store_true")
    a = ap.parse_args()
    if a.install_cdk and not cdk_available():
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([cdk_python, "-m", "pip", "install", "-q", "aws-cdk-lib==2.93.0", "constructs>=10,<11", "PyYAML==6.0.1"], check=True)
    with_cdk = cdk_available()
    work = tempfile.mkdtemp(prefix="tsdeploy-scale-")
    try:
        print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
              f"tsdeploy {subprocess.run([binary, '--version'], capture_output=True, text=True).stdout.strip()}; "
              f"{a.runs} runs per cell after a warm-up, whole process, median; peak RSS the largest of the runs")
        t, rss = measure([binary, "--version"], 20, warmup=3)
        print(f"\nStart-up (`tsdeploy --version`): {t * 1000:.1f} ms, {rss:.1f} MB\n")
        header = "| pipelines × sites | functions | stacks | tsdeploy synth | peak RSS |"
        rule = "|---|---|---|---|---|"
        if with_cdk:
            header += " CDK app (reference shape) | CDK peak RSS | CDK / tsdeploy |"
            rule += "---|---|---|"
        print(header)
        print(rule)
        for n in sizes:
            cfg = os.path.join(work, f"c{n}.yml")
            with open(cfg, "w") as f:
                subprocess.run([sys.executable, os.path.join(root, "benchmarks", "gen_config.py"), str(n), "5"], stdout=f, check=True)
            out = os.path.join(work, f"out{n}")
            t, rss = measure([binary, "synth", "main", "--config", cfg, "--output", out, "--quiet"], a.runs)
            stacks = len([x for x in os.listdir(out) if x.endswith(".template.json")])
            row = f"| {n} × 5 | {n * 5} | {stacks} | {fmt(t)} | {rss:.0f} MB |"
            if with_cdk:
                env = dict(os.environ, BRANCH="main", TSDAT_CONFIG=cfg, CDK_OUTDIR=os.path.join(work, f"cdk{n}"),
                           JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1")
                ct, crss = measure([cdk_python, os.path.join(root, "benchmarks", "cdk_reference", "app.py")],
                                   max(1, min(a.runs, 3)), env=env)
                row += f" {fmt(ct)} | {crss:.0f} MB | {ct / t:.0f}× |"
            print(row, flush=True)
        if not with_cdk:
            print("\n(CDK column skipped: run with --install-cdk, which needs node and PyPI)")
        if not a.no_moto:
            engine(work, a.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def start_moto():
    """A fresh moto_server with its change-set gaps filled (Tests/migrate/moto_with_import.py:
    outputs and parameters refreshed after ExecuteChangeSet, as AWS does; plain moto keeps the old
    parameters, so every no-op deploy would look changed and go through a change set)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    moto = subprocess.Popen([sys.executable, os.path.join(root, "Tests", "migrate", "moto_with_import.py"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    return moto, endpoint


def engine(work, runs):
    import boto3
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
                                      "digest": "sha256:" + "c" * 64}, "layers": []})
    print("\nOn moto_server (a fresh one per row; the branch deployed once, then unchanged):\n")
    print("| pipelines × sites | stacks | first deploy | no-op deploy | diff | peak RSS |")
    print("|---|---|---|---|---|---|")
    for n in [1, 10, 100]:
        moto, endpoint = start_moto()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="AKIABENCHSCALE000001", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="us-west-2",
                   AWS_ENDPOINT_URL=endpoint, AWS_EC2_METADATA_DISABLED="true", CI="true", HOME=work)
        try:
            ecr = boto3.client("ecr", endpoint_url=endpoint, region_name="us-west-2", aws_access_key_id="a", aws_secret_access_key="b")
            run_once([binary, "bootstrap"], env)
            cfg = os.path.join(work, f"m{n}.yml")
            with open(cfg, "w") as f:
                subprocess.run([sys.executable, os.path.join(root, "benchmarks", "gen_config.py"), str(n), "5"], stdout=f, check=True)
            run_once([binary, "deploy", "main", "-c", cfg, "--stack", "CodePipelineStack", "--require-approval", "never"], env)
            for p in range(n):
                ecr.put_image(repositoryName="pipeline-template-main", imageManifest=manifest, imageTag=f"pipeline_{p:04d}-main")
            first, _ = run_once([binary, "deploy", "main", "-c", cfg, "--require-approval", "never", "--concurrency", "4"], env)
            noop, rss1 = measure([binary, "deploy", "main", "-c", cfg, "--require-approval", "never", "--concurrency", "4"], runs, env)
            diff, rss2 = measure([binary, "diff", "main", "-c", cfg], runs, env)
            out = os.path.join(work, f"m{n}-out")
            run_once([binary, "synth", "main", "-c", cfg, "-o", out, "-q"], env)
            count = len([x for x in os.listdir(out) if x.endswith(".template.json")])
            print(f"| {n} × 5 | {count} | {fmt(first)} | {fmt(noop)} | {fmt(diff)} | {max(rss1, rss2):.0f} MB |", flush=True)
        finally:
            moto.terminate()
            moto.wait()


if __name__ == "__main__":
    main()
