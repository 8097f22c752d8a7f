#!/usr/bin/env python3
"""The shape of tsdat/aws-template's CDK app (`python app.py`, aws-cdk-lib 2.93), written
for the benchmark so CDK's synth can be timed on the same config as tsdeploy's: it reads
the whole pipelines_config.yml and synthesizes the one stack the reference synthesizes
(its functions are made later by the build, outside CloudFormation): the data buckets with
CDK's auto-delete custom resource, the functions' role, the image repository, a CodeBuild
project and a CodePipeline with two CodeStar sources. Not the reference's code; the same
constructs, so the same work for CDK.

Usage: BRANCH=main TSDAT_CONFIG=FILE CDK_OUTDIR=DIR python app.py
"""
import os

import aws_cdk as cdk
import yaml
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

branch = os.environ.get("BRANCH", "main")
with open(os.environ["TSDAT_CONFIG"]) as f:
    cfg = yaml.full_load(f)
# The reference walks every pipeline and site into objects at start-up.
pipelines = {p["name"]: {k: dict(v) for k, v in (p.get("configs") or {}).items()} for p in cfg.get("pipelines", [])}
base = f"{cfg['pipelines_repo_name']}-{branch}"

app = cdk.App()
stack = cdk.Stack(app, f"{base}-CodePipelineStack", env=cdk.Environment(account=str(cfg["account_id"]), region=cfg["region"]))

if cfg.get("create_buckets"):
    for name in (cfg["input_bucket_name"], cfg["output_bucket_name"]):
        s3.Bucket(stack, name, bucket_name=name, auto_delete_objects=True, removal_policy=cdk.RemovalPolicy.DESTROY)

role = iam.Role(stack, f"{base}-LambdaRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaBasicExecutionRole"))
role.add_to_policy(iam.PolicyStatement(actions=["s3:*"], resources=[
    f"arn:aws:s3:::{cfg['input_bucket_name']}/*", f"arn:aws:s3:::{cfg['output_bucket_name']}/*"]))

ecr.Repository(stack, base, repository_name=base, removal_policy=cdk.RemovalPolicy.DESTROY)

env_vars = {
    "AWS_ACCOUNT_ID": str(cfg["account_id"]), "AWS_DEFAULT_REGION": cfg["region"],
    "PIPELINES_REPO_NAME": cfg["pipelines_repo_name"], "BRANCH": branch, "LAMBDA_ROLE_ARN": role.role_arn,
    "PIPELINES_REPO_URL": f"git@github.com:{cfg['github_org']}/{cfg['pipelines_repo_name']}.git",
    "AWS_PIPELINE_NAME": f"{base}-build-pipeline",
}
project = codebuild.PipelineProject(
    stack, f"{base}-build-project", build_spec=codebuild.BuildSpec.from_source_filename("buildspec.yml"),
    environment=codebuild.BuildEnvironment(build_image=codebuild.LinuxBuildImage.AMAZON_LINUX_2_5,
                                           compute_type=codebuild.ComputeType.MEDIUM, privileged=True),
    environment_variables={k: codebuild.BuildEnvironmentVariable(value=v) for k, v in env_vars.items()})
project.add_to_role_policy(iam.PolicyStatement(actions=["ecr:*", "lambda:*", "s3:PutObject", "iam:PassRole"], resources=["*"]))

sources = []
for repo, label in ((cfg["pipelines_repo_name"], "pipelines"), (cfg["aws_repo_name"], "aws_build")):
    artifact = codepipeline.Artifact(artifact_name=label)
    sources.append((artifact, actions.CodeStarConnectionsSourceAction(
        action_name=f"{label}-source-action", owner=cfg["github_org"], repo=repo, output=artifact,
        connection_arn=cfg["github_codestar_arn"], branch=branch, trigger_on_push=True)))
build = actions.CodeBuildAction(action_name=f"{base}-build-action", input=sources[1][0], project=project,
                                extra_inputs=[sources[0][0]], variables_namespace="BuildVariables")
codepipeline.Pipeline(stack, f"{base}-build-pipeline", pipeline_name=f"{base}-build-pipeline", cross_account_keys=False, stages=[
    codepipeline.StageProps(stage_name=f"{branch}-source", actions=[s[1] for s in sources]),
    codepipeline.StageProps(stage_name=f"{branch}-build", actions=[build]),
])

app.synth()
