#!/usr/bin/env python3
"""Whole-process benchmark of `tsdeploy synth`: wall time (median, min, max over N runs
after warm-up) and peak resident memory (from wait4's rusage), per config.

Usage: benchmarks/synth.sh [RUNS]   (builds the release binary first via bin/tsdeploy)
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, ".build", "release", "tsdeploy")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
configs = [("sample (3 functions)", os.path.join(root, "pipelines_config.yml"))]
configs.append(("many-sites (13 functions)", os.path.join(root, "Tests/TsdatAppTests/Fixtures/configs/many-sites.yml")))


def run_once(args):
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"benchmark: {' '.join(args)} failed with status {status}")
    return elapsed, usage.ru_maxrss  # KiB on Linux


with tempfile.TemporaryDirectory() as out:
    print(f"tsdeploy synth, whole process, {runs} runs after 3 warm-up runs ({os.cpu_count()} cores)")
    print(f"{'config':28} {'median':>9} {'min':>9} {'max':>9} {'peak RSS':>10}")
    cases = [("--version (start-up)", [binary, "--version"])]
    cases += [(label, [binary, "synth", "main", "--config", cfg, "--output", os.path.join(out, "cdk.out")]) for label, cfg in configs]
    cases.append(("build-plan --offline, contexts", [binary, "build-plan", "main", "--config", os.path.join(root, "pipelines_config.yml"),
                  "--pipelines-dir", os.path.join(root, "Tests/cli/fixtures/pipelines-repo"), "--offline", "--context", os.path.join(out, "ctx")]))
    for label, args in cases:
        for _ in range(3):
            run_once(args)
        samples = [run_once(args) for _ in range(runs)]
        times = [s[0] * 1000 for s in samples]
        rss = max(s[1] for s in samples) / 1024
        print(f"{label:28} {statistics.median(times):7.1f}ms {min(times):7.1f}ms {max(times):7.1f}ms {rss:8.1f}MB")
