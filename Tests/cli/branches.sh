#!/usr/bin/env bash
# Two branches in one account (issue 10, item 7), through the binary against moto_server:
# a branch whose config would create buckets that exist stops before any change, naming the
# stack that holds them; branches sharing buckets are warned that their triggers overlap.
# Usage: Tests/cli/branches.sh BINARY MOTO_ENDPOINT WORKDIR
set -uo pipefail
bin="$1" moto="$2" work="$3"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cfg="$root/pipelines_config.yml"
source "$root/Tests/cli/lib.sh"
aws_env=(env -u AWS_PROFILE AWS_ACCESS_KEY_ID=AKIABRANCHES00000001 AWS_SECRET_ACCESS_KEY=branch-secret AWS_REGION=us-west-2
  AWS_ENDPOINT_URL="$moto" AWS_EC2_METADATA_DISABLED=true HOME="$work")
export W="$work" C="$cfg"
python3 -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/moto-api/reset", method="POST")).read()' "$moto"
push() {  # repository tags…
  python3 - "$moto" "$@" <<'PY'
import boto3, json, sys
ecr = boto3.client("ecr", endpoint_url=sys.argv[1], region_name="us-west-2", aws_access_key_id="AKIABRANCHES00000001", aws_secret_access_key="x")
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": "sha256:" + "d" * 64}, "layers": []})
for tag in sys.argv[3:]:
    ecr.put_image(repositoryName=sys.argv[2], imageManifest=manifest, imageTag=tag)
PY
}
"${aws_env[@]}" "$bin" bootstrap >/dev/null 2>&1
"${aws_env[@]}" "$bin" deploy main -c "$cfg" --require-approval never >/dev/null 2>&1
push pipeline-template-main lidar-main lidar_vap-main
check "main deploys with its buckets and functions" bash -c '"$@" 2>&1 | grep -q "PipelinesStack: deployed"' _ "${aws_env[@]}" "$bin" deploy main -c "$cfg" --require-approval never

check "dev with create_buckets: true stops before any change, naming main's stack" bash -c '! "$@" deploy dev -c "$C" --require-approval never >"$W/dev1.txt" 2>&1; cat "$W/dev1.txt"; \
  grep -q "would create bucket my-org-tsdat-input, which already exists in stack pipeline-template-main-CodePipelineStack (branch main)" "$W/dev1.txt" \
  && grep -q "set create_buckets: false" "$W/dev1.txt"' _ "${aws_env[@]}" "$bin"
check "dev left nothing behind (no stack, no review shell)" bash -c '"$@" ls dev -c "$0" 2>&1 | grep -c "not deployed$" | grep -q 2' "$cfg" "${aws_env[@]}" "$bin"

sed 's/create_buckets: true/create_buckets: false/' "$cfg" >"$work/dev.yml"
check "dev sharing main's buckets deploys, warned that both branches process the same objects" bash -c '"$@" deploy dev -c "$W/dev.yml" --require-approval never >"$W/dev2.txt" 2>&1; s=$?; cat "$W/dev2.txt"; [[ $s -eq 0 ]] \
  && grep -q "branch .main. (pipeline-template-main-PipelinesStack) also runs its functions for new objects under s3://my-org-tsdat-input/lidar/humboldt/" "$W/dev2.txt"' \
  _ "${aws_env[@]}" "$bin"
check "main's buckets are untouched by dev" bash -c '"$@" diff main -c "$0" --fail 2>&1' "$cfg" "${aws_env[@]}" "$bin"

"${aws_env[@]}" "$bin" destroy dev -c "$work/dev.yml" --force >/dev/null 2>&1
check "main destroyed keeps its buckets" bash -c '"$@" destroy main -c "$0" --force 2>&1 | grep -q "Retained by DeletionPolicy"' "$cfg" "${aws_env[@]}" "$bin"
check "deploying main again says the retained buckets exist outside any stack" bash -c '! "$@" deploy main -c "$C" --require-approval never >"$W/main2.txt" 2>&1; cat "$W/main2.txt"; \
  grep -q "my-org-tsdat-input, which already exists outside any stack" "$W/main2.txt"' _ "${aws_env[@]}" "$bin"
check "... and deploys with create_buckets: false, using them" bash -c '"$@" deploy main -c "$0" --require-approval never 2>&1 | grep -q "CodePipelineStack: deployed"' \
  "$work/dev.yml" "${aws_env[@]}" "$bin"

echo "branches: $passed passed, $failed failed" >&2
[[ $failed -eq 0 ]]
