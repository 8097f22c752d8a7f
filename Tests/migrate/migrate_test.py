#!/usr/bin/env python3
"""`tsdeploy migrate main` on an account shaped like tsdat/aws-template's, against moto.

The account: the CDK stack `pipeline-template-main-CodePipelineStack` (CDK's logical IDs,
metadata, BootstrapVersion parameter, buckets and repository with DeletionPolicy Delete and
CDK's auto-delete tags, a pipeline artifacts bucket CDK retains), objects in both buckets,
images in the repository; and what the reference's build made outside any template: a
function per site (plus a stale one), `{function}-cron-rule` rules with targets, Lambda
permissions, `{function}-s3-notification` entries in the input bucket's notification
configuration beside someone else's, log groups with events.

Not shaped here, because moto cannot run them: CDK's Custom::S3AutoDeleteObjects and
Custom::ECRAutoDeleteImages (moto invokes a custom resource's Lambda through Docker). Their
handler's rule — empty only while the auto-delete tag is on — is covered by checking that the
tags are gone from the resources before the stack is deleted. moto lacks IMPORT change sets;
Tests/migrate/moto_with_import.py adds them with AWS's checks.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from motolib import arguments, check, finish, start_moto  # noqa: E402

ACCOUNT, REGION = "123456789012", "us-west-2"
HERE = Path(__file__).resolve().parent
SITES = [("lidar", "humboldt"), ("lidar", "morro"), ("lidar_vap", "humboldt")]
PREFIX = "pipeline-template-main-lambda-"


def cdk_template():
    def bucket(name, logical):
        return {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": name,
            "Tags": [{"Key": "aws-cdk:auto-delete-objects", "Value": "true"}]},
            "UpdateReplacePolicy": "Delete", "DeletionPolicy": "Delete",
            "Metadata": {"aws:cdk:path": f"pipeline-template-main-CodePipelineStack/{logical}/Resource"}}
    return {
        "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version"}},
        "Resources": {
            "myorgtsdatinput5E3CB9A1": bucket("my-org-tsdat-input", "InputBucket"),
            "myorgtsdatoutputB96C8A15": bucket("my-org-tsdat-output", "OutputBucket"),
            "pipelinetemplatemainECRRepo0C8C1B6E": {"Type": "AWS::ECR::Repository", "Properties": {
                "RepositoryName": "pipeline-template-main", "Tags": [{"Key": "aws-cdk:auto-delete-images", "Value": "true"}]},
                "UpdateReplacePolicy": "Delete", "DeletionPolicy": "Delete",
                "Metadata": {"aws:cdk:path": "pipeline-template-main-CodePipelineStack/ECRRepo/Resource"}},
            "LambdaRole3A44B857": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}},
                "Metadata": {"aws:cdk:path": "pipeline-template-main-CodePipelineStack/LambdaRole/Resource"}},
            "PipelineArtifactsBucket22248F97": {"Type": "AWS::S3::Bucket", "UpdateReplacePolicy": "Retain", "DeletionPolicy": "Retain",
                                                "Properties": {"BucketName": "pipeline-template-main-artifacts-cdk"}},
            "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:H4sIAAAAAAAA"}},
        },
    }


def shape_account(endpoint):
    kw = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="AKIAMIGRATE000000001", aws_secret_access_key="x")
    ssm, cfn, s3, ecr, lam, events, logs = (boto3.client(s, **kw) for s in ("ssm", "cloudformation", "s3", "ecr", "lambda", "events", "logs"))
    ssm.put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="19", Type="String")
    cfn.create_stack(StackName="pipeline-template-main-CodePipelineStack", TemplateBody=json.dumps(cdk_template()),
                     Capabilities=["CAPABILITY_IAM"], Tags=[{"Key": "project", "Value": "tsdat"}])
    objects = {}
    for bucket, keys in {"my-org-tsdat-input": ["lidar/humboldt/a.csv", "lidar/morro/b.csv", "other/c.bin"],
                         "my-org-tsdat-output": ["data/hum/hum.lidar.a1/hum.lidar.a1.20240501.000000.nc", "tsdeploy-free/readme.txt"]}.items():
        for k in keys:
            s3.put_object(Bucket=bucket, Key=k, Body=f"{bucket}/{k}".encode())
        objects[bucket] = sorted(keys)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": "sha256:" + "e" * 64},
                           "layers": []})
    for tag in ("lidar-main", "lidar_vap-main"):
        ecr.put_image(repositoryName="pipeline-template-main", imageManifest=manifest, imageTag=tag)
    role = [r for r in cfn.describe_stack_resources(StackName="pipeline-template-main-CodePipelineStack")["StackResources"]
            if r.get("ResourceType") == "AWS::IAM::Role"][0]["PhysicalResourceId"]
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{role}"
    notifications = []
    for pipeline, site in SITES + [("oldpipe", "gone")]:
        fn = PREFIX + f"{pipeline}-{site}"
        arn = lam.create_function(FunctionName=fn, Role=role_arn, PackageType="Image", Timeout=120, MemorySize=1024,
                                  Code={"ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/pipeline-template-main:{pipeline}-main"})["FunctionArn"]
        rule = events.put_rule(Name=f"{fn}-cron-rule", ScheduleExpression="cron(0 2 * * ? *)",
                               State="ENABLED" if pipeline == "lidar_vap" else "DISABLED")["RuleArn"]
        events.put_targets(Rule=f"{fn}-cron-rule", Targets=[{"Id": "1", "Arn": arn}])
        lam.add_permission(FunctionName=fn, StatementId="events", Action="lambda:InvokeFunction", Principal="events.amazonaws.com", SourceArn=rule)
        lam.add_permission(FunctionName=fn, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                           SourceArn="arn:aws:s3:::my-org-tsdat-input")
        if pipeline == "lidar":
            notifications.append({"Id": f"{fn}-s3-notification", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
                                  "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": f"lidar/{site}/"}]}}})
        group = f"/aws/lambda/{fn}"
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="old")
        logs.put_log_events(logGroupName=group, logStreamName="old", logEvents=[{"timestamp": int(time.time() * 1000) - 3600_000, "message": f"old run of {fn}"}])
    sqs = boto3.client("sqs", **kw)
    queue = sqs.create_queue(QueueName="audit")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(Bucket="my-org-tsdat-input", NotificationConfiguration={
        "LambdaFunctionConfigurations": notifications,
        "QueueConfigurations": [{"Id": "audit-hook", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]})
    return objects


def main():
    a = arguments("--root")
    work = a.work
    proc, endpoint = start_moto(work / "moto-migrate.log", command=[sys.executable, str(HERE / "moto_with_import.py")])
    try:
        exercise(a.binary, a.root, work, endpoint)
    finally:
        proc.kill()
    finish("migrate")


def exercise(binary, root, work, endpoint):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="AKIAMIGRATE000000001", AWS_SECRET_ACCESS_KEY="x", AWS_REGION=REGION, AWS_ENDPOINT_URL=endpoint,
               AWS_EC2_METADATA_DISABLED="true", HOME=str(work))
    cfg = str(root / "pipelines_config.yml")

    def t(*args, stdin=subprocess.DEVNULL):
        p = subprocess.run([binary, *args], env=env, capture_output=True, text=True, stdin=stdin)
        return p.returncode, p.stdout + p.stderr

    objects = shape_account(endpoint)
    kw = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="AKIAMIGRATE000000001", aws_secret_access_key="x")
    cfn, s3, ecr, lam, events, logs = (boto3.client(s, **kw) for s in ("cloudformation", "s3", "ecr", "lambda", "events", "logs"))
    check("bootstrap", t("bootstrap")[0] == 0)

    rc, out = t("deploy", "main", "-c", cfg, "--require-approval", "never")
    check("deploy refuses the CDK stack before migrate", rc != 0 and "tsdeploy migrate" in out, out)

    rc, out = t("migrate", "main", "-c", cfg)
    check("migrate without a terminal shows the plan and changes nothing", rc != 0 and "pass --force" in out
          and "aws-cdk:auto-delete-objects" in out and "pipeline-template-main-CodePipelineStack" in out
          and cfn.describe_stacks(StackName="pipeline-template-main-CodePipelineStack")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE", out)

    rc, out = t("migrate", "main", "-c", cfg, "--force")
    (work / "migrate.out").write_text(out)
    check("migrate --force completes", rc == 0 and "Migrated" in out, out)

    for bucket, keys in objects.items():
        listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
        bodies = all(s3.get_object(Bucket=bucket, Key=k)["Body"].read() == f"{bucket}/{k}".encode() for k in keys)
        check(f"every object of {bucket} is kept", listed == keys and bodies, listed)
    tags = {t for i in ecr.describe_images(repositoryName="pipeline-template-main")["imageDetails"] for t in i.get("imageTags", [])}
    check("the images are kept", {"lidar-main", "lidar_vap-main"} <= tags, tags)
    for bucket in objects:
        try:
            tagset = {t["Key"] for t in s3.get_bucket_tagging(Bucket=bucket).get("TagSet", [])}
        except s3.exceptions.ClientError:
            tagset = set()  # NoSuchTagSet
        check(f"{bucket} no longer carries CDK's auto-delete tag", "aws-cdk:auto-delete-objects" not in tagset, tagset)

    stacks = {s["StackName"]: s for s in cfn.describe_stacks()["Stacks"]}
    build = stacks.get("pipeline-template-main-CodePipelineStack")
    check("the build stack is tsdeploy's now", build is not None and any(t["Key"] == "tsdeploy:branch" for t in build.get("Tags", [])), build)
    held = {r["PhysicalResourceId"] for r in cfn.describe_stack_resources(StackName="pipeline-template-main-CodePipelineStack")["StackResources"] if "PhysicalResourceId" in r}
    check("the buckets and the repository are in the build stack", {"my-org-tsdat-input", "my-org-tsdat-output", "pipeline-template-main"} <= held, held)
    fres = cfn.describe_stack_resources(StackName="pipeline-template-main-PipelinesStack")["StackResources"]
    in_stack = {r["PhysicalResourceId"] for r in fres if r.get("ResourceType") == "AWS::Lambda::Function"}
    wanted = {PREFIX + f"{p}-{s}" for p, s in SITES}
    check("every function is in the functions stack", in_stack == wanted, in_stack)
    groups = {r["PhysicalResourceId"] for r in fres if r.get("ResourceType") == "AWS::Logs::LogGroup"}
    check("the log groups were adopted, with their events", groups == {f"/aws/lambda/{f}" for f in wanted} and all(
        any(e["message"].startswith("old run") for e in logs.filter_log_events(logGroupName=g)["events"]) for g in groups), groups)
    left = [f["FunctionName"] for f in lam.list_functions()["Functions"] if f["FunctionName"] not in in_stack]
    check("no function outside a stack is left (the stale one too)", left == [], left)
    rules = [r["Name"] for r in events.list_rules()["Rules"] if r["Name"].endswith("-cron-rule")]
    check("no old cron rule is left", rules == [], rules)
    config = s3.get_bucket_notification_configuration(Bucket="my-org-tsdat-input")
    ids = [c["Id"] for c in config.get("LambdaFunctionConfigurations", [])]
    check("no old S3 notification is left; someone else's is kept", ids == [] and [q["Id"] for q in config.get("QueueConfigurations", [])] == ["audit-hook"], config)
    check("the artifacts bucket CDK retained is still there", "pipeline-template-main-artifacts-cdk" in [b["Name"] for b in s3.list_buckets()["Buckets"]])

    rc, out = t("diff", "main", "-c", cfg, "--fail")
    check("after migrate, diff shows no differences", rc == 0, out)
    rc, out = t("deploy", "main", "-c", cfg, "--require-approval", "never")
    check("after migrate, deploy works (nothing to change)", rc == 0 and out.count(": no changes") == 2, out)
    rc, out = t("migrate", "main", "-c", cfg, "--force")
    check("migrate again: nothing to do", rc == 0 and "Nothing to migrate" in out, out)

    # Interrupted anywhere (SIGKILL: no clean-up at all), a second run finishes the job. Each
    # run is killed as soon as the account reaches one of the states between the steps.
    def reached(stage):
        stacks = {x["StackName"]: x for x in cfn.describe_stacks()["Stacks"]}
        old = stacks.get("pipeline-template-main-CodePipelineStack")
        ours = old is not None and any(t["Key"] == "tsdeploy:branch" for t in old.get("Tags", []))
        fn = stacks.get("pipeline-template-main-PipelinesStack")
        return {"data retained": old is not None and not ours and old["StackStatus"] == "UPDATE_COMPLETE",
                "old stack deleted": old is None,
                "build data imported": ours and old["StackStatus"] == "IMPORT_COMPLETE",
                "logs imported": fn is not None and fn["StackStatus"] == "IMPORT_COMPLETE"}[stage]

    for stage in ("data retained", "old stack deleted", "build data imported", "logs imported"):
        urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST")).read()
        objects = shape_account(endpoint)
        t("bootstrap")
        p = subprocess.Popen([binary, "migrate", "main", "-c", cfg, "--force"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while p.poll() is None and time.time() < deadline and not reached(stage):
            time.sleep(0.005)
        p.kill()
        p.wait()
        state = {x["StackName"].replace("pipeline-template-main-", ""): x["StackStatus"] for x in cfn.describe_stacks()["Stacks"]}
        print(f"     killed at '{stage}': {state}", file=sys.stderr)
        rc, out = t("migrate", "main", "-c", cfg, "--force")
        kept = all(sorted(o["Key"] for o in s3.list_objects_v2(Bucket=b).get("Contents", [])) == k for b, k in objects.items())
        fres = cfn.describe_stack_resources(StackName="pipeline-template-main-PipelinesStack")["StackResources"] if rc == 0 else []
        in_stack = {r["PhysicalResourceId"] for r in fres if r.get("ResourceType") == "AWS::Lambda::Function"}
        rules = [r["Name"] for r in events.list_rules()["Rules"] if r["Name"].endswith("-cron-rule")]
        check(f"killed at '{stage}', migrate run again completes and keeps everything",
              rc == 0 and kept and in_stack == {PREFIX + f"{p}-{s}" for p, s in SITES} and rules == [], out)

if __name__ == "__main__":
    main()
