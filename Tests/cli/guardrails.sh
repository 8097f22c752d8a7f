#!/usr/bin/env bash
# Guard rails of issue 9, driven through the real binary against moto_server (started by
# bin/test): each check is one way a user could lose data or touch what is not theirs.
# Usage: Tests/cli/guardrails.sh BINARY MOTO_ENDPOINT WORKDIR
set -uo pipefail
bin="$1" moto="$2" work="$3"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cfg="$root/pipelines_config.yml"
source "$root/Tests/cli/lib.sh"
aws_env=(env -u AWS_PROFILE AWS_ACCESS_KEY_ID=AKIAGUARDRAILS000001 AWS_SECRET_ACCESS_KEY=guard-secret AWS_REGION=us-west-2
  AWS_ENDPOINT_URL="$moto" AWS_EC2_METADATA_DISABLED=true HOME="$work/guard-home")
t() { "${aws_env[@]}" "$bin" "$@"; }
reset() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/moto-api/reset", method="POST")).read()' "$moto"; }
push_images() {  # tags…: three tags of one manifest share a digest, as moto computes it
  python3 - "$moto" "$@" <<'PY'
import boto3, json, sys
ecr = boto3.client("ecr", endpoint_url=sys.argv[1], region_name="us-west-2", aws_access_key_id="AKIAGUARDRAILS000001", aws_secret_access_key="x")
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": "sha256:" + "c" * 64}, "layers": []})
for tag in sys.argv[2:]:
    ecr.put_image(repositoryName="pipeline-template-main", imageManifest=manifest, imageTag=tag)
PY
}
mkdir -p "$work/guard-home"

# 1. synth never replaces a directory that is not its own assembly
mkdir -p "$work/project" && cp "$cfg" "$work/project/" && echo keep >"$work/project/notes.txt"
check "1: synth -o . refuses a project directory and deletes nothing" bash -c 'cd "$1" && ! "$0" synth -q -o . 2>err.txt \
  && grep -q "not a cloud assembly tsdeploy wrote" err.txt && [[ -f pipelines_config.yml && -f notes.txt ]]' "$bin" "$work/project"
check "1: synth replaces its own assembly" bash -c 'cd "$1" && "$0" synth -q -o out && "$0" synth -q -o out && [[ -f out/manifest.json ]]' "$bin" "$work/project"
mkdir -p "$work/project/.out.tmp-999999"
check "16: a killed synth's staging directory is removed by the next" bash -c 'cd "$1" && "$0" synth -q -o out && [[ ! -e .out.tmp-999999 ]]' "$bin" "$work/project"

# 3 and 17. branch names: git's rules, no collisions, usage errors exit 2
for branch in 'main ' '-main' 'main*' '*' '..' 'é' '--' '$(id)' $'a\nb' 'Main' 'main-' 'a--b' 'x.lock'; do
  check "3: branch '$branch' is refused with exit 2" bash -c '"$0" synth -q -o "$2/never" -c "$3" -- "$1" 2>"$2/b.txt"; [[ $? -eq 2 ]] && [[ ! -e "$2/never" ]]' \
    "$bin" "$branch" "$work" "$cfg"
done
check "3: Main names the branch it would collide with" bash -c '"$0" synth -q -c "$1" Main 2>&1 | grep -q "same AWS names as branch .main."' "$bin" "$cfg"
check "17: an unknown flag exits 2" bash -c '"$0" synth --nope >/dev/null 2>&1; [[ $? -eq 2 ]]' "$bin"
check "16: --concurrency 0 exits 2" bash -c '"$0" deploy --concurrency 0 -c "$1" >/dev/null 2>&1; [[ $? -eq 2 ]]' "$bin" "$cfg"
check "16: --cloudformation-execution-policies '*' exits 2" bash -c '"$0" bootstrap --cloudformation-execution-policies "*" >/dev/null 2>&1; [[ $? -eq 2 ]]' "$bin"

# 5. a region is never pasted into a host name unchecked
check "5: a hostile AWS_REGION is refused before any request" bash -c '"$@" 2>&1 | grep -q "is not a region name"' \
  _ "${aws_env[@]}" "AWS_REGION=x@127.0.0.1:9/#" "$bin" ls main -c "$cfg"
check "5: bootstrap aws://A/hostile is refused" bash -c '"$@" 2>&1 | grep -q "is not a region name"' \
  _ "${aws_env[@]}" "$bin" bootstrap "aws://123456789012/x@127.0.0.1:9"
# 16. endpoints and credentials
check "16: an ftp:// endpoint is an error, at once" bash -c 'timeout 5 "$@" 2>&1 | grep -q "only http and https"' _ "${aws_env[@]}" AWS_ENDPOINT_URL=ftp://127.0.0.1:21 "$bin" ls main -c "$cfg"
check "16: port 99999 is an error naming the port" bash -c '"$@" 2>&1 | grep -q "port 99999"' _ "${aws_env[@]}" AWS_ENDPOINT_URL=http://127.0.0.1:99999 "$bin" ls main -c "$cfg"
check "16: doctor never prints an endpoint's password" bash -c 'out=$("$@" 2>&1); echo "$out"; ! grep -q hunter2 <<<"$out" && grep -q "user name or password" <<<"$out"' \
  _ "${aws_env[@]}" AWS_ENDPOINT_URL=http://user:hunter2@127.0.0.1:9 "$bin" doctor -c /none
check "16: expired AWS_CREDENTIAL_EXPIRATION is an error" bash -c '"$@" 2>&1 | grep -q "expired at 2020-01-01"' _ "${aws_env[@]}" AWS_CREDENTIAL_EXPIRATION=2020-01-01T00:00:00Z "$bin" ls main -c "$cfg"
check "16: ls exits 1 when the status cannot be read" bash -c '! "$@" >/dev/null 2>&1' _ "${aws_env[@]}" AWS_CREDENTIAL_EXPIRATION=2020-01-01T00:00:00Z "$bin" ls main -c "$cfg"

# 2. every command checks the account first
reset
sed 's/account_id: "123456789012"/account_id: "111111111111"/' "$cfg" >"$work/other-account.yml"
t bootstrap >/dev/null 2>&1
push_images lidar-main lidar_vap-main >/dev/null 2>&1
t deploy main -c "$cfg" --require-approval never >/dev/null 2>&1
push_images lidar-main lidar_vap-main >/dev/null 2>&1
t deploy main -c "$cfg" --require-approval never >"$work/d.txt" 2>&1
for cmd in "destroy main --force" "diff main" "ls main" "deploy main --require-approval never"; do
  check "2: $cmd with another account's config refuses" bash -c '! "$@" -c "$0" 2>"$0.err"; grep -q "belongs to account 111111111111" "$0.err"' \
    "$work/other-account.yml" "${aws_env[@]}" "$bin" $cmd
done
check "2: the stacks are still there" bash -c '"$@" 2>/dev/null | grep -c "_COMPLETE" | grep -q 2' _ "${aws_env[@]}" "$bin" ls main -c "$cfg"

# 14. --parameters
check "14: an unknown parameter is an error naming the valid ones" bash -c '! "$@" 2>&1 | grep -q "parameters: ImageReflidar, ImageReflidarvap"; ! "$@" >/dev/null 2>&1' \
  _ "${aws_env[@]}" "$bin" deploy main -c "$cfg" --parameters imagereflidar=:x
check "14: STACK:KEY takes the stack's id" bash -c '"$@" 2>&1 | grep -v "no stack\|no parameter"' _ "${aws_env[@]}" "$bin" deploy main -c "$cfg" --parameters PipelinesStack:ImageReflidar=:lidar-main
check "14: an invalid value says why" bash -c '"$@" 2>&1 | grep -q "is not a valid value for ImageReflidar"' _ "${aws_env[@]}" "$bin" deploy main -c "$cfg" --parameters "ImageReflidar=latest"

# 6. deleting data stops and asks
python3 - "$cfg" "$work/one-pipeline.yml" <<'PY'
import sys
text = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(text[:text.index("  - name: lidar_vap")])
PY
check "6: diff marks the log groups a removed pipeline deletes" bash -c '"$@" 2>&1 | grep -q "deletes data"' _ "${aws_env[@]}" "$bin" diff main -c "$work/one-pipeline.yml"
check "6: deploy without a terminal stops, names them, changes nothing" bash -c '! "$@" </dev/null >"$0" 2>&1; grep -q "would delete data" "$0" && grep -q "AWS::Logs::LogGroup" "$0" \
  && grep -q -- "--allow-destroy-data" "$0"' "$work/dl.txt" "${aws_env[@]}" "$bin" deploy main -c "$work/one-pipeline.yml" --require-approval never
check "6: the functions stack is unchanged" bash -c '"$@" --fail 2>&1' _ "${aws_env[@]}" "$bin" diff main -c "$cfg" --stack PipelinesStack
check "6: --allow-destroy-data deploys it" bash -c '"$@" 2>&1 | grep -q "PipelinesStack: deployed"' _ "${aws_env[@]}" "$bin" deploy main -c "$work/one-pipeline.yml" --require-approval never --allow-destroy-data

# 3 (backstop) and 6. a stack of the same name that is not this branch's, or that CDK made
python3 - "$moto" <<'PY'
import boto3, sys
cf = boto3.client("cloudformation", endpoint_url=sys.argv[1], region_name="us-west-2", aws_access_key_id="AKIAGUARDRAILS000001", aws_secret_access_key="x")
cf.create_stack(StackName="pipeline-template-a-b-PipelinesStack", TemplateBody='{"Resources":{"T":{"Type":"AWS::SNS::Topic"}}}',
                Tags=[{"Key": "tsdeploy:branch", "Value": "a_b"}])
PY
check "3: a stack tagged for another branch is refused, naming the branch" bash -c '! "$@" >"$0" 2>&1; cat "$0"; grep -q "belongs to branch .a_b." "$0" && ! grep -q "^Deleted" "$0"' \
  "$work/ab.txt" "${aws_env[@]}" "$bin" destroy a-b -c "$cfg" --force --stack PipelinesStack
reset
python3 - "$moto" <<'PY'
import boto3, json, sys
cf = boto3.client("cloudformation", endpoint_url=sys.argv[1], region_name="us-west-2", aws_access_key_id="AKIAGUARDRAILS000001", aws_secret_access_key="x")
template = {"Resources": {"CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:x"}},
                          "InputBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "my-org-tsdat-input"},
                                          "Metadata": {"aws:cdk:path": "CodePipelineStack/InputBucket/Resource"}}}}
cf.create_stack(StackName="pipeline-template-main-CodePipelineStack", TemplateBody=json.dumps(template))
PY
t bootstrap >/dev/null 2>&1
check "6: deploy refuses to update aws-template's CDK stack" bash -c '! "$@" deploy main -c "$0" --require-approval never 2>&1 | tee /dev/stderr | grep -q "deployed$"; \
  "$@" deploy main -c "$0" --require-approval never 2>&1 | grep -q "was made by AWS CDK"' "$cfg" "${aws_env[@]}" "$bin"
check "6: destroy refuses to delete it" bash -c '"$@" destroy main -c "$0" --force 2>&1 | grep -q "was made by AWS CDK"' "$cfg" "${aws_env[@]}" "$bin"
check "6: it is still there" bash -c '"$@" 2>&1 | grep -q "CodePipelineStack  CREATE_COMPLETE"' _ "${aws_env[@]}" "$bin" ls main -c "$cfg" --stack CodePipelineStack

# 7, 12, 13, 16. destroy and deploy housekeeping
reset
t bootstrap >/dev/null 2>&1
check "13: a refused approval without a terminal leaves no change set and no shell" bash -c '! "$@" </dev/null >/dev/null 2>&1; python3 - "$0" <<'"'"'PY'"'"'
import boto3, sys
cf = boto3.client("cloudformation", endpoint_url=sys.argv[1], region_name="us-west-2", aws_access_key_id="AKIAGUARDRAILS000001", aws_secret_access_key="x")
stacks = [s for s in cf.list_stacks()["StackSummaries"] if s["StackName"].startswith("pipeline-template-main") and s["StackStatus"] != "DELETE_COMPLETE"]
assert not stacks, stacks
PY' "$moto" "${aws_env[@]}" "$bin" deploy main -c "$cfg" --require-approval any-change
t deploy main -c "$cfg" --require-approval never >/dev/null 2>&1
push_images lidar-main lidar_vap-main spare-tag >/dev/null 2>&1
t deploy main -c "$cfg" --require-approval never >/dev/null 2>&1
check "7: destroy --stack CodePipelineStack deletes its dependent first and says so" bash -c '"$@" >"$0" 2>&1; cat "$0"; \
  grep -q "PipelinesStack depends on the selected stack and will be deleted first" "$0" && grep -q "Deleted pipeline-template-main-PipelinesStack, pipeline-template-main-CodePipelineStack" "$0"' \
  "$work/x7.txt" "${aws_env[@]}" "$bin" destroy main -c "$cfg" --stack CodePipelineStack --force
check "12: three tags of one digest are emptied from ECR" grep -q "deleted 1 image(s) from pipeline-template-main" "$work/x7.txt"
check "16: destroying what is not deployed says so and exits 1" bash -c '! "$@" >"$0" 2>&1; grep -q "nothing to delete" "$0" && ! grep -q "^Deleted" "$0"' \
  "$work/x16.txt" "${aws_env[@]}" "$bin" destroy main -c "$cfg" --force

# 16. SIGTERM and SIGINT say what was started (here: nothing, the endpoint never answers)
python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$work/hole.port" &
hole=$!
sleep 0.5
for sig in TERM INT; do
  check "16: SIG$sig during deploy says nothing was started" bash -c 'sig=$1; shift; "$@" </dev/null >"$0" 2>&1 & pid=$!; sleep 1.5; kill -$sig $pid; wait $pid; code=$?; cat "$0"; \
    [[ $code -eq 143 || $code -eq 130 ]] && grep -q "Interrupted. No change was started in CloudFormation" "$0"' \
    "$work/sig.txt" "$sig" "${aws_env[@]}" AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$work/hole.port")" "$bin" deploy main -c "$cfg"
done
kill $hole 2>/dev/null

# 15. the live view on a real terminal: the approval prompt stays on screen while the
# redraw ticks, status lines and the IAM table fit the width (tmux at 120, 60, 40 columns)
if command -v tmux >/dev/null; then
  for cols in 120 60 40; do
    reset
    t bootstrap >/dev/null 2>&1
    session="tsdeploy-live-$cols-$$"
    tmux new-session -d -s "$session" -x "$cols" -y 200 \
      "env -u CI ${aws_env[*]:1} TERM=xterm $bin deploy main -c $cfg --stack CodePipelineStack --require-approval any-change; echo EXIT=\$?; sleep 30"
    for _ in $(seq 1 40); do tmux capture-pane -p -t "$session" -S - | grep -q "Deploy? \[y/N\]" && break; sleep 0.25; done
    sleep 3  # three ticks of the redraw
    tmux capture-pane -p -J -t "$session" -S - >"$work/live-$cols.txt"
    check "15: at $cols columns the prompt is still on screen after 3 s" grep -q "Deploy? \[y/N\]" "$work/live-$cols.txt"
    check "15: at $cols columns no line is wider than the terminal" python3 -c 'import sys; w = int(sys.argv[2]); bad = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > w and ("│" in l or "─" in l)]; print(*bad, sep="\n"); sys.exit(1 if bad else 0)' "$work/live-$cols.txt" "$cols"
    check "15: at $cols columns intrinsics read as \${…}" bash -c 'grep -q "\${" "$0" && ! grep -q "Fn::GetAtt" "$0"' "$work/live-$cols.txt"
    tmux send-keys -t "$session" n Enter
    for _ in $(seq 1 40); do tmux capture-pane -p -t "$session" -S - | grep -q "EXIT=" && break; sleep 0.25; done
    tmux capture-pane -p -J -t "$session" -S - >"$work/live-$cols-end.txt"
    check "15: at $cols columns 'n' declines and exits 0 with nothing deployed" bash -c 'grep -q "not approved" "$0" && grep -q "EXIT=0" "$0"' "$work/live-$cols-end.txt"
    tmux kill-session -t "$session" 2>/dev/null
  done
else
  echo "guard rails: tmux is missing; the live-view checks need it" >&2; failed=$((failed + 1))
fi

echo "guard rails: $passed passed, $failed failed" >&2
[[ $failed -eq 0 ]]
