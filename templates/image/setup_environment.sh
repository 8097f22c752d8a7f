#!/bin/bash
# Creates the Python environment Lambda runs ($2) from the pipelines repository's files ($1):
# environment.yml with micromamba (its pip section may name requirements files beside it), or
# else requirements.txt with a venv of the image's Python; then the runtime interface client.
set -euo pipefail
src="$1" env="$2"
MICROMAMBA_VERSION=2.0.5-0
cd "$src"
if [[ -f environment.yml ]]; then
  curl -fsSL -o /tmp/micromamba \
    "https://github.com/mamba-org/micromamba-releases/releases/download/${MICROMAMBA_VERSION}/micromamba-linux-64"
  chmod 755 /tmp/micromamba
  MAMBA_ROOT_PREFIX=/tmp/mamba /tmp/micromamba create -y -q -p "$env" -f environment.yml
  MAMBA_ROOT_PREFIX=/tmp/mamba /tmp/micromamba clean -a -y -q
  rm -rf /tmp/mamba /tmp/micromamba
elif [[ -f requirements.txt ]]; then
  python3 -m venv "$env"
  "$env/bin/python" -m pip install --no-cache-dir -q -r requirements.txt
else
  echo "error: the pipelines repository has neither environment.yml nor requirements.txt at its root" >&2
  exit 1
fi
"$env/bin/python" -m pip install --no-cache-dir -q awslambdaric
"$env/bin/python" -c 'import tsdat, awslambdaric; print("environment ready: tsdat", tsdat.__version__)'
# Static libraries and package caches are never loaded at run time; they only make the image larger.
find "$env" -name '*.a' -delete
rm -rf "$env/pkgs" /root/.cache
