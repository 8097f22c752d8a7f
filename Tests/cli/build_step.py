#!/usr/bin/env python3
"""The build's own steps, run as CodeBuild would run them, against moto with IAM enforced.

1. An admin (test-only) bootstraps and deploys the build stack, publishing a tsdeploy binary.
2. A user holding ONLY the build role's policies (read from the synthesized template, every
   intrinsic resolved) runs the synthesized buildspec's commands — install, pre_build, build —
   in one bash, as CodeBuild does, with `docker` and the ECR login replaced by stand-ins on
   PATH (the docker stand-in pushes a manifest to moto's ECR with the build user's keys).
3. Checks: every function runs the digest of its content tag; a second build rebuilds
   nothing and changes nothing; a config that adds a site stops before any change; without
   one of the role's statements the step fails (so the enforcement is real).

What moto cannot show: what CloudFormation calls on the caller's behalf (lambda:CreateFunction
for a stack resource is never checked) — docs/ci.md lists those permissions and their source.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import yaml

from motolib import arguments, check, finish, start_moto

ACCOUNT, REGION = "123456789012", "us-west-2"


def client(service, endpoint, keys):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=keys[0], aws_secret_access_key=keys[1])


def aws_env(endpoint, keys, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=keys[0], AWS_SECRET_ACCESS_KEY=keys[1], AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION,
               AWS_ENDPOINT_URL=endpoint, AWS_EC2_METADATA_DISABLED="true", CI="true")
    env.update(extra or {})
    return env


def run(cmd, env, cwd=None):
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


class Resolver:
    """Resolves the intrinsics of the build stack's policies to what they are in this account."""

    def __init__(self, template, physical, parameters):
        self.t, self.physical, self.parameters = template, physical, parameters

    def attr(self, logical, name):
        r = self.t["Resources"][logical]
        pid = self.physical[logical]
        kind = r["Type"]
        if name == "Arn":
            if kind == "AWS::IAM::Role":
                return f"arn:aws:iam::{ACCOUNT}:role/{pid}"
            if kind == "AWS::ECR::Repository":
                return f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{pid}"
            if kind == "AWS::S3::Bucket":
                return f"arn:aws:s3:::{pid}"
            if kind == "AWS::SQS::Queue":
                return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{pid.rsplit('/', 1)[-1]}"
        if name == "RepositoryUri" and kind == "AWS::ECR::Repository":
            return f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{pid}"
        if kind == "AWS::SQS::Queue":
                return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{pid.rsplit('/', 1)[-1]}"
        raise ValueError(f"cannot resolve {logical}.{name} ({kind})")

    def ref(self, name):
        pseudo = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.physical[name]

    def __call__(self, v):
        if isinstance(v, list):
            return [self(x) for x in v]
        if not isinstance(v, dict):
            return v
        if "Ref" in v:
            return self.ref(v["Ref"])
        if "Fn::GetAtt" in v:
            return self.attr(*v["Fn::GetAtt"])
        if "Fn::Join" in v:
            sep, parts = v["Fn::Join"]
            return sep.join(self(p) for p in parts)
        if "Fn::Sub" in v:
            arg = v["Fn::Sub"]
            text, values = (arg, {}) if isinstance(arg, str) else (arg[0], {k: self(x) for k, x in arg[1].items()})
            import re
            return re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)] if m.group(1) in values else
                          (self.attr(*m.group(1).split(".", 1)) if "." in m.group(1) else self.ref(m.group(1))), text)
        return {k: self(x) for k, x in v.items()}


STAND_INS = {
    # The ECR login: get-login-password is the only aws call the stand-in answers itself.
    "aws": """#!/usr/bin/env bash
if [[ "$1 $2" == "ecr get-login-password" ]]; then echo stand-in-token; exit 0; fi
exec "$REAL_AWS" "$@"
""",
    "docker": """#!/usr/bin/env python3
import hashlib, json, os, sys, boto3
args = sys.argv[1:]
log = open(os.environ["DOCKER_LOG"], "a")
log.write(" ".join(args) + "\\n")
state = os.environ["DOCKER_STATE"]
os.makedirs(state, exist_ok=True)
def key(tag): return os.path.join(state, tag.replace("/", "_").replace(":", "_"))
if args[0] == "login":
    sys.stdin.read(); print("Login Succeeded"); sys.exit(0)
if args[0] == "build":
    assert "--provenance=false" in args, "Lambda rejects image indexes: --provenance=false"
    context = args[-1]
    assert os.path.isfile(os.path.join(context, "Dockerfile")), f"no Dockerfile in {context}"
    h = hashlib.sha256()
    for root, _, files in sorted(os.walk(context)):
        for f in sorted(files):
            p = os.path.join(root, f)
            h.update(os.path.relpath(p, context).encode()); h.update(open(p, "rb").read())
    tags = [args[i + 1] for i, a in enumerate(args) if a == "--tag"]
    for t in tags: open(key(t), "w").write(h.hexdigest())
    sys.exit(0)
if args[0] == "push":
    ref = args[1]
    content = open(key(ref)).read()
    repo_uri, tag = ref.rsplit(":", 1)
    repo = repo_uri.split("/", 1)[1]
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": "sha256:" + content},
                "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1, "digest": "sha256:" + content}]}
    boto3.client("ecr").put_image(repositoryName=repo, imageManifest=json.dumps(manifest), imageTag=tag)
    sys.exit(0)
sys.exit(f"docker stand-in: unexpected {args}")
""",
}


def build_script(buildspec):
    spec = yaml.safe_load(buildspec)
    assert spec["version"] == 0.2, spec["version"]
    commands = []
    for phase in ("install", "pre_build", "build", "post_build"):
        commands += spec.get("phases", {}).get(phase, {}).get("commands", [])
    return spec.get("env", {}).get("variables", {}), "\n".join(commands) + "\n"


def main():
    a = arguments("--root")
    root, work, binary = a.root, a.work, a.binary
    # Three calls without keys make the test's admin; then every call is checked.
    moto, endpoint = start_moto(work / "moto-build.log", env={"INITIAL_NO_AUTH_ACTION_COUNT": "3"})
    try:
        exercise(root, work, binary, endpoint)
    finally:
        moto.kill()
    finish("build step")


def exercise(root, work, binary, endpoint):
    bootstrap_iam = client("iam", endpoint, ("AKIAUNSIGNED0000000", "x"))
    bootstrap_iam.create_user(UserName="test-admin")
    key = bootstrap_iam.create_access_key(UserName="test-admin")["AccessKey"]
    admin = (key["AccessKeyId"], key["SecretAccessKey"])
    client("iam", endpoint, admin).put_user_policy(UserName="test-admin", PolicyName="admin", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    admin_env = aws_env(endpoint, admin)

    src = work / "deployment-repo"
    src.mkdir(exist_ok=True)
    shutil.copy(root / "pipelines_config.yml", src / "pipelines_config.yml")
    cfg = str(src / "pipelines_config.yml")
    rc, out = run([binary, "bootstrap"], admin_env)
    check("admin bootstraps", rc == 0, out)
    rc, out = run([binary, "deploy", "main", "-c", cfg, "--stack", "CodePipelineStack", "--tsdeploy-binary", binary,
                   "--require-approval", "never"], admin_env)
    check("admin deploys the build stack, publishing the binary", rc == 0 and "published tsdeploy-binary" in out, out)

    cfn = client("cloudformation", endpoint, admin)
    stack = "pipeline-template-main-CodePipelineStack"
    params = {p["ParameterKey"]: p["ParameterValue"] for p in cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Parameters", [])}
    sha = params.get("TsdeployBinarySha256", "")
    import hashlib
    check("the stack holds the binary's sha256", sha == hashlib.sha256(open(binary, "rb").read()).hexdigest(), sha)

    rc, out = run([binary, "synth", "main", "-c", cfg, "--output", str(work / "assembly"), "--quiet"], admin_env)
    template = json.loads((work / "assembly" / f"{stack}.template.json").read_text())
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
                for r in cfn.describe_stack_resources(StackName=stack)["StackResources"] if "LogicalResourceId" in r}
    resolve = Resolver(template, physical, params)
    project = next(r for r in template["Resources"].values() if r["Type"] == "AWS::CodeBuild::Project")
    role_id = project["Properties"]["ServiceRole"]["Fn::GetAtt"][0]
    policies = [resolve(r["Properties"]["PolicyDocument"]) for r in template["Resources"].values()
                if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and {"Ref": role_id} in r["Properties"]["Roles"]]
    check("the build role has its policies", len(policies) >= 1, template["Resources"].keys())
    statements = [s for p in policies for s in p["Statement"]]
    check("no statement allows every action", all(s.get("Action") != "*" and "*" not in (s.get("Action") if isinstance(s.get("Action"), list) else [s.get("Action")]) for s in statements))

    iam = client("iam", endpoint, admin)

    def make_user(name, docs):
        iam.create_user(UserName=name)
        for i, doc in enumerate(docs):
            iam.put_user_policy(UserName=name, PolicyName=f"p{i}", PolicyDocument=json.dumps(doc))
        k = iam.create_access_key(UserName=name)["AccessKey"]
        return k["AccessKeyId"], k["SecretAccessKey"]

    # moto checks the resource of a call only for S3; for every other service it asks whether
    # the policy allows the action on "*". So the user gets the role's statements with their
    # exact actions, S3 statements with their exact resources, and other resources widened to
    # "*" — proving the actions here; BuildGrantTests prove the exact ARNs.
    def as_moto_can_check(docs):
        out = []
        for d in docs:
            st = []
            for s in d["Statement"]:
                actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
                if not all(a.startswith("s3:") for a in actions):
                    s = {**s, "Resource": "*"}
                st.append(s)
            out.append({**d, "Statement": st})
        return out

    build_keys = make_user("build", as_moto_can_check(policies))
    variables = {e["Name"]: resolve(e["Value"]) for e in project["Properties"]["Environment"]["EnvironmentVariables"]}
    spec_vars, script = build_script(project["Properties"]["Source"]["BuildSpec"])
    stand_ins = work / "stand-ins"
    stand_ins.mkdir(exist_ok=True)
    for name, text in STAND_INS.items():
        (stand_ins / name).write_text(text)
        (stand_ins / name).chmod(0o755)
    real_aws = shutil.which("aws")

    def build(keys, label, config=None, expect_ok=True):
        bin_dir = work / f"bin-{label}"
        bin_dir.mkdir(exist_ok=True)
        env = aws_env(endpoint, keys, {**spec_vars, **variables})
        env.update(PATH=f"{stand_ins}:{os.environ['PATH']}", REAL_AWS=real_aws, DOCKER_LOG=str(work / f"docker-{label}.log"),
                   DOCKER_STATE=str(work / "docker-state"), CODEBUILD_SRC_DIR=str(src),
                   CODEBUILD_SRC_DIR_PipelinesSource=str(root / "Tests/cli/fixtures/pipelines-repo"),
                   TSDEPLOY_BIN=str(bin_dir / "tsdeploy"), TSDEPLOY_CONTEXT=str(work / f"context-{label}"))
        if config:
            shutil.copy(config, src / "pipelines_config.yml")
        p = subprocess.run(["bash", "-c", script], env=env, cwd=src, capture_output=True, text=True)
        shutil.copy(root / "pipelines_config.yml", src / "pipelines_config.yml")
        docker = (work / f"docker-{label}.log").read_text() if (work / f"docker-{label}.log").exists() else ""
        return p.returncode, p.stdout + p.stderr, docker

    rc, out, docker = build(build_keys, "first")
    check("the build's steps succeed with only the build role's policies", rc == 0, out[-3000:])
    builds = [l for l in docker.splitlines() if l.startswith("build ")]
    check("the base image is built once, then one image per pipeline", len(builds) == 3 and "tsdeploy-base:" in builds[0], docker)
    check("the binary was fetched and verified", ": OK" in out, out[-1500:])

    ecr = client("ecr", endpoint, admin)
    images = {t: i["imageDigest"] for i in ecr.describe_images(repositoryName="pipeline-template-main")["imageDetails"] for t in i.get("imageTags", [])}
    fstack = "pipeline-template-main-PipelinesStack"

    # moto's Lambda API fails its own signature check in strict mode (moto 5.2.1), so the
    # functions are read through CloudFormation: the resources it made, the parameters it used.
    def deployed():
        try:
            res = cfn.describe_stack_resources(StackName=fstack)["StackResources"]
        except cfn.exceptions.ClientError:
            return []
        return [r["PhysicalResourceId"] for r in res if r.get("ResourceType") == "AWS::Lambda::Function"]
    functions = deployed()
    check("three functions deployed", len(functions) == 3, functions)
    p = subprocess.run([binary, "build-plan", "main", "-c", cfg, "--pipelines-dir", str(root / "Tests/cli/fixtures/pipelines-repo")],
                       env=admin_env, capture_output=True, text=True)
    plan = json.loads(p.stdout)
    used = {x["ParameterKey"]: x["ParameterValue"] for x in cfn.describe_stacks(StackName=fstack)["Stacks"][0].get("Parameters", [])}
    for image in plan["images"]:
        check(f"{image['pipeline']} runs the digest of its content tag",
              used.get(image["parameter"]) == "@" + images.get(image["sourceTag"], "?"), f"{used.get(image['parameter'])} vs {images.get(image['sourceTag'])}")
    check("after the build every image is reused", all(i["action"] == "reuse" for i in plan["images"]), plan)

    rc, out, docker = build(build_keys, "second")
    check("a second build builds nothing and changes nothing", rc == 0 and not any(l.startswith("build ") for l in docker.splitlines())
          and "PipelinesStack: no changes" in out, out[-2000:])

    grown = work / "grown.yml"
    grown.write_text((root / "pipelines_config.yml").read_text().replace(
        "      morro:    {input_bucket_path: lidar/morro/,    config_file_path: pipelines/lidar/config/pipeline_morro.yaml}",
        "      morro:    {input_bucket_path: lidar/morro/,    config_file_path: pipelines/lidar/config/pipeline_morro.yaml}\n"
        "      pismo:    {input_bucket_path: lidar/pismo/,    config_file_path: pipelines/lidar/config/pipeline_morro.yaml}"))
    rc, out, _ = build(build_keys, "grown", config=grown)
    check("a config that changes the build stack stops the build before any change",
          rc != 0 and "changes pipeline-template-main-CodePipelineStack" in out and len(deployed()) == 3, out[-2000:])

    without_ssm = [{**p, "Statement": [s for s in p["Statement"] if s.get("Sid") != "ToolkitVersion"]} for p in policies]
    rc, out, _ = build(make_user("build-without-ssm", as_moto_can_check(without_ssm)), "no-ssm")
    check("without ssm:GetParameter the deploy step is denied (moto enforces the policies)",
          rc != 0 and "not authorized to perform: ssm:GetParameter" in out, out[-1500:])

    exercise_logs(binary, endpoint, admin, admin_env, cfg)


def exercise_logs(binary, endpoint, admin, env, cfg):
    logs = client("logs", endpoint, admin)
    group = "/aws/lambda/pipeline-template-main-lambda-lidar-humboldt"
    now = int(time.time() * 1000)
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.create_log_stream(logGroupName=group, logStreamName="s1")
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
        {"timestamp": now - 60_000, "message": "START processed lidar/humboldt/a.csv"},
        {"timestamp": now - 30_000, "message": "ERROR bad\x1b[2Jinput"}])
    rc, out = run([binary, "logs", "main", "lidar", "humboldt", "-c", cfg, "--since", "10m"], env)
    check("logs prints a function's events in order, control characters made harmless",
          rc == 0 and out.index("START processed") < out.index("ERROR bad?[2Jinput") and "\x1b" not in out, out)
    rc, out = run([binary, "logs", "main", "lidar", "-c", cfg, "--since", "10m", "--filter", "ERROR"], env)
    check("logs of every site marks the site and filters", rc == 0 and "[humboldt] ERROR" in out and "START" not in out, out)
    rc, out = run([binary, "logs", "main", "lidr", "-c", cfg], env)
    check("an unknown pipeline is an error with did-you-mean", rc == 1 and "did you mean 'lidar'" in out, out)
    follow = subprocess.Popen([binary, "logs", "main", "lidar", "humboldt", "-c", cfg, "--since", "10m", "--follow"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(2.5)
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[{"timestamp": int(time.time() * 1000), "message": "LATER event"}])
    time.sleep(3)
    follow.kill()
    out = follow.stdout.read()
    check("logs --follow prints new events once", out.count("LATER event") == 1 and out.count("START processed") == 1, out)


if __name__ == "__main__":
    main()
