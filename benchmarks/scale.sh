#!/usr/bin/env bash
# Builds the release binary if needed, then the scale benchmark: synth of 1 to 1,000 pipelines x 5
# sites (beside the reference's CDK app when installed: --install-cdk), no-op deploy and diff on moto.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/bin/tsdeploy" --version >/dev/null
exec python3 "$root/benchmarks/scale.py" "$@"
