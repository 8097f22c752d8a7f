#!/usr/bin/env python3
"""Many sites against moto: 100 pipelines x 5 sites (3,000 resources) deploy as several
functions stacks within CloudFormation's quotas; adding a pipeline only adds; removing
pipelines removes their sites and nothing else moves; a part no longer needed is deleted;
losing the layout file and reordering the config stops before any change; past 50 sites the
build's role holds the branch's names by prefix, and a branch under that prefix is refused;
1,000 x 5 synthesizes within every quota.

Usage: scale_test.py --binary BIN --moto ENDPOINT --work DIR
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3

from motolib import arguments, check, finish

REGION = "us-west-2"


def config(pipelines, sites=5):
    lines = ["github_org: my-org", "pipelines_repo_name: scale", "aws_repo_name: aws-template", 'account_id: "123456789012"',
             f"region: {REGION}", "input_bucket_name: scale-input-bucket", "output_bucket_name: scale-output-bucket",
             "create_buckets: true",
             "github_codestar_arn: arn:aws:codestar-connections:us-west-2:123456789012:connection/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
             "pipelines:"]
    for p in pipelines:
        lines += [f"  - name: {p}", "    type: Ingest", "    trigger: S3", "    configs:"]
        lines += [f"      s{i}: {{input_bucket_path: {p}/s{i}/, config_file_path: pipelines/{p}/config/s{i}.yaml}}" for i in range(sites)]
    return "\n".join(lines) + "\n"


def main():
    a = arguments("--moto")
    work = a.work
    urllib.request.urlopen(urllib.request.Request(a.moto + "/moto-api/reset", method="POST")).read()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="AKIASCALE00000000001", AWS_SECRET_ACCESS_KEY="x", AWS_REGION=REGION, AWS_ENDPOINT_URL=a.moto,
               AWS_EC2_METADATA_DISABLED="true", HOME=str(work), CI="true")
    cfg = work / "scale.yml"
    layout = work / "scale.layout.json"
    names = [f"p{i:03d}" for i in range(100)]

    def t(*args):
        p = subprocess.run([a.binary, *args], env=env, capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr

    cfg.write_text(config(names))
    started = time.time()
    rc, out = t("synth", "main", "-c", str(cfg), "-o", str(work / "out"), "-q")
    stacks = sorted(work.joinpath("out").glob("*PipelinesStack*.template.json"))
    counts = [len(json.loads(s.read_text())["Resources"]) for s in stacks]
    check(f"100 x 5 sites synthesize as {len(stacks)} functions stacks, each within the quotas ({time.time() - started:.1f} s)",
          rc == 0 and len(stacks) >= 3 and all(c <= 500 for c in counts) and layout.exists(), (out, counts))

    kw = dict(endpoint_url=a.moto, region_name=REGION, aws_access_key_id="AKIASCALE00000000001", aws_secret_access_key="x")
    cfn, ecr = boto3.client("cloudformation", **kw), boto3.client("ecr", **kw)
    t("bootstrap")
    t("deploy", "main", "-c", str(cfg), "--stack", "CodePipelineStack", "--require-approval", "never")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": "sha256:" + "f" * 64},
                           "layers": []})
    for p in names + ["p100"]:
        ecr.put_image(repositoryName="scale-main", imageManifest=manifest, imageTag=f"{p}-main")
    started = time.time()
    rc, out = t("deploy", "main", "-c", str(cfg), "--require-approval", "never", "--concurrency", "4")
    deployed = [s["StackName"] for s in cfn.describe_stacks()["Stacks"] if "PipelinesStack" in s["StackName"]]
    check(f"they deploy to moto ({time.time() - started:.1f} s)", rc == 0 and len(deployed) == len(stacks), out[-1500:])

    def where():
        out = {}
        for s in deployed_parts():
            for r in cfn.describe_stack_resources(StackName=s)["StackResources"]:
                if r.get("ResourceType") == "AWS::Lambda::Function":
                    out[r["PhysicalResourceId"]] = s
        return out

    def deployed_parts():
        return sorted(s["StackName"] for s in cfn.describe_stacks()["Stacks"] if "PipelinesStack" in s["StackName"])

    before = where()
    cfg.write_text(config(names + ["p100"]))
    rc, out = t("diff", "main", "-c", str(cfg))
    lines = [l for l in out.splitlines() if re.match(r"^\[[-+~]\] ", l)]
    # Past 50 sites the build's role holds the functions by the branch's name prefix, so it
    # does not change either.
    check("adding a pipeline diffs as additions only, the build stack unchanged",
          all(l.startswith("[+]") for l in lines) and sum("AWS::Lambda::Function" in l for l in lines) == 5
          and not any("AWS::IAM" in l for l in lines), "\n".join(lines[:40]))
    rc, out = t("deploy", "main", "-c", str(cfg), "--require-approval", "never")
    after = where()
    rules = [r["Name"] for r in boto3.client("events", **kw).list_rules()["Rules"]]
    check("every function and rule name is under the prefix the build's role is granted",
          all(f.startswith("scale-main-lambda-") for f in after) and rules and all(r.startswith("scale-main-lambda-") for r in rules),
          (list(after)[:3], rules[:3]))
    check("after deploying it, no existing function moved", rc == 0 and all(after.get(f) == s for f, s in before.items()), out[-1500:])

    # A branch whose names fall under main's pattern stops before any change, and the reverse.
    small = work / "small.yml"
    small.write_text(config(["p000"], sites=1).replace("scale-input-bucket", "scale-x-input").replace("scale-output-bucket", "scale-x-output"))
    rc, out = t("deploy", "main-lambda-x", "-c", str(small), "--stack", "CodePipelineStack", "--require-approval", "never")
    check("a branch main-lambda-x, whose names main's build could change, stops naming both",
          rc != 0 and "names would be shared" in out and "scale-main-lambda-*" in out and "Nothing was changed" in out
          and not any("main-lambda-x" in s["StackName"] for s in cfn.describe_stacks()["Stacks"]), out[-1200:])

    kept = [n for n in names + ["p100"] if n not in names[10:20]]
    cfg.write_text(config(kept))
    rc, out = t("deploy", "main", "-c", str(cfg), "--require-approval", "never")
    check("removing pipelines stops without --allow-destroy-data (their log groups)", rc != 0 and "delete data" in out, out[-800:])
    rc, out = t("deploy", "main", "-c", str(cfg), "--require-approval", "never", "--allow-destroy-data")
    now = where()
    check("with it, their sites are removed and no other function moved",
          rc == 0 and len(now) == len(kept) * 5 and all(now[f] == after[f] for f in now), out[-1500:])

    cfg.write_text(config(names[:3]))
    rc, out = t("diff", "main", "-c", str(cfg))
    check("diff shows the parts a smaller config no longer needs as removed", "PipelinesStack8" in out and "[-] AWS::Lambda::Function" in out, out[-1500:])
    rc, out = t("deploy", "main", "-c", str(cfg), "--require-approval", "never", "--allow-destroy-data")
    parts = deployed_parts()
    check("shrunk to 3 pipelines, the parts no longer needed are deleted", rc == 0 and len(parts) == len(set(json.loads(layout.read_text())
          ["branches"]["main"]["PipelinesStack"]["stacks"].values())) and "deleted (no longer needed)" in out, (parts, out[-1500:]))

    cfg.write_text(config(names[:40]))
    rc, out = t("deploy", "main", "-c", str(cfg), "--require-approval", "never")
    layout.unlink()
    cfg.write_text(config(list(reversed(names[:40]))))
    before = where()
    rc, out = t("deploy", "main", "-c", str(cfg), "--require-approval", "never")
    check("without the layout file, a reordered config that would move sites stops before any change",
          rc != 0 and "would move" in out and where() == before, out[-1500:])
    cfg.write_text(config(names[:40]))
    layout.unlink()
    rc, out = t("deploy", "main", "-c", str(cfg), "--require-approval", "never")
    check("without the layout file, the same config in its order deploys with no change (first fit repeats itself)",
          rc == 0 and out.count(": no changes") >= 4, out[-1500:])
    # On a fresh account: moto's bookkeeping after updates that removed and re-added the same
    # resources fails its own stack deletes ("log group does not exist"), which AWS does not.
    urllib.request.urlopen(urllib.request.Request(a.moto + "/moto-api/reset", method="POST")).read()
    layout.unlink()
    t("bootstrap")
    t("deploy", "main", "-c", str(cfg), "--stack", "CodePipelineStack", "--require-approval", "never")
    for p in names[:40]:
        ecr.put_image(repositoryName="scale-main", imageManifest=manifest, imageTag=f"{p}-main")
    t("deploy", "main", "-c", str(cfg), "--require-approval", "never")
    cfg.write_text(config(names[:3]))
    # Only the functions stacks: moto deletes a role before detaching its managed policies
    # (DeleteConflict), which CloudFormation never does, so the build stack stays.
    rc, out = t("destroy", "main", "-c", str(cfg), "--stack", "PipelinesStack", "--force")
    check("destroy with a smaller config deletes every part, the ones it no longer needs too", rc == 0 and deployed_parts() == [], (deployed_parts(), out[-1500:]))
    # 1,000 x 5: every stack within every quota (synthesis only; docs/performance.md has its timing).
    big = work / "big.yml"
    big.write_text(config([f"q{i:04d}" for i in range(1000)]))
    started = time.time()
    rc, out = t("synth", "main", "-c", str(big), "-o", str(work / "big-out"), "-q")
    templates = [json.loads(f.read_text()) for f in work.joinpath("big-out").glob("*.template.json")]
    sizes = [len(f.read_bytes()) for f in work.joinpath("big-out").glob("*.template.json")]
    check(f"1,000 x 5 sites synthesize as {len(templates)} stacks, each within every quota ({time.time() - started:.1f} s, debug build)",
          rc == 0 and len(templates) > 60 and all(len(t["Resources"]) <= 500 and len(t.get("Parameters", {})) <= 200
                                                 and len(t.get("Outputs", {})) <= 200 for t in templates) and max(sizes) <= 1_000_000,
          out[-1500:])
    finish("scale")


if __name__ == "__main__":
    main()
