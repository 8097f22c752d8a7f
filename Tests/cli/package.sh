#!/usr/bin/env bash
# The packaged binary as the field runs it: no Swift toolchain (a tmpfs hides /opt/swift in
# a private mount namespace), only glibc ≤ 2.34, and no CPU burnt while waiting on a
# silent server. Usage: Tests/cli/package.sh BINARY MOTO_ENDPOINT WORKDIR
set -uo pipefail
bin="$1" moto="$2" work="$3"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/Tests/cli/lib.sh"
toolchain="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")"
hidden() {  # command…: run with the toolchain's directory hidden
  unshare -m bash -c 'mount -t tmpfs none "$0" && [[ -z "$(ls -A "$0")" ]] && exec "$@"' "$toolchain" "$@"
}
export toolchain
export -f hidden
export MOTO="$moto"
aws=(env -u AWS_PROFILE AWS_ACCESS_KEY_ID=AKIAPACKAGECHECK0001 AWS_SECRET_ACCESS_KEY=package-secret AWS_REGION=us-west-2
  AWS_ENDPOINT_URL="$moto" AWS_EC2_METADATA_DISABLED=true HOME="$work")

check "the binary needs only glibc's libraries" bash -c '! objdump -p "$0" | awk "/NEEDED/ {print \$2}" | grep -v -E "^(libc|libm|libpthread|libdl|librt)\.so\.[0-9]+$|^ld-linux"' "$bin"
check "no glibc symbol newer than 2.34" bash -c 'newest=$(objdump -T "$0" | grep -o "GLIBC_[0-9.]*" | sort -V | tail -1); echo "$newest"; \
  [[ "$(printf "%s\nGLIBC_2.34\n" "$newest" | sort -V | tail -1)" == GLIBC_2.34 ]]' "$bin"
check "the binary is stripped" bash -c '! objdump -h "$0" | grep -q "\.symtab\|\.debug_info"; file "$0" | grep -q stripped' "$bin"
check "--version names version and commit, without the toolchain" bash -c 'out=$("$@" --version); echo "$out"; [[ "$out" =~ ^[0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [0-9a-f]{12} ]]' \
  _ hidden "$bin"
check "synth of the sample, without the toolchain" bash -c 'cd "$0" && hidden "$1" synth -q -c "$2" -o "$0/hidden-out" && [[ -f "$0/hidden-out/manifest.json" ]]' \
  "$work" "$bin" "$root/pipelines_config.yml"
check "doctor against moto, without the toolchain" bash -c '"$@" doctor -c /none | grep -q "ok: tsdeploy can reach AWS"' _ hidden "${aws[@]}" "$bin"

# The build runs the binary deploy publishes: the packaged one publishes itself, by content.
sed 's/create_buckets: true/create_buckets: false/' "$root/pipelines_config.yml" >"$work/pkg.yml"
check "deploy publishes the packaged binary itself to the staging bucket, by its sha256" bash -c '"$@" bootstrap >/dev/null 2>&1; \
  "$@" deploy pkg -c "$0" --stack CodePipelineStack --require-approval never 2>&1 | tee "$0.out" | grep -q "published tsdeploy-binary"; s=$?; cat "$0.out"; [[ $s -eq 0 ]] && \
  sha=$(sha256sum "${@: -1}" | cut -d" " -f1) && python3 -c "import boto3, hashlib, sys; s3 = boto3.client(\"s3\", endpoint_url=sys.argv[1], region_name=\"us-west-2\", aws_access_key_id=\"a\", aws_secret_access_key=\"b\"); \
  body = s3.get_object(Bucket=\"tsdeploy-default-assets-123456789012-us-west-2\", Key=f\"tsdeploy-binaries/{sys.argv[2]}/tsdeploy-linux-x86_64\")[\"Body\"].read(); sys.exit(0 if hashlib.sha256(body).hexdigest() == sys.argv[2] else 1)" "$MOTO" "$sha"' \
  "$work/pkg.yml" hidden "${aws[@]}" "$bin"

# A server that accepts and never answers: the wait ends at the timeout, using < 10 % of a core.
python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(120)' >"$work/silent.port" &
silent=$!
sleep 0.5
check "waiting on a silent server ends at the timeout and spends no CPU" bash -c '/usr/bin/time -f "%U %S %e" -o "$0" "$@" >/dev/null 2>&1; tail -1 "$0"; \
  read -r user sys wall < <(tail -1 "$0"); python3 -c "import sys; u, s, w = map(float, sys.argv[1:]); print(f\"cpu {u+s:.2f} s in {w:.2f} s\"); sys.exit(0 if 2.5 <= w < 6 and (u + s) / w < 0.1 else 1)" "$user" "$sys" "$wall"' \
  "$work/silent.time" "${aws[@]}" AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$work/silent.port")" TSDEPLOY_HTTP_TIMEOUT=3 AWS_MAX_ATTEMPTS=1 "$bin" ls main -c "$root/pipelines_config.yml"
kill $silent 2>/dev/null

echo "packaged binary: $passed passed, $failed failed" >&2
[[ $failed -eq 0 ]]
