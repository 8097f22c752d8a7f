#!/usr/bin/env bash
# Builds the release binary if needed, then times no-op deploy, diff, doctor and bootstrap against moto_server.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/bin/tsdeploy" --version >/dev/null
exec python3 "$root/benchmarks/engine.py" "$@"
