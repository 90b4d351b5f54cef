#!/usr/bin/env bash
# Installs the pinned torch into a virtual environment: the CUDA build where an NVIDIA GPU is
# present, otherwise the CPU build (a wheel in pip's find-links if the machine has one, else
# PyTorch's CPU index). Doing this before `pip install -e .` keeps pip from pulling the
# multi-GB CUDA build onto a machine without a GPU.
set -euo pipefail
pip="$1"
version="$(sed -n 's/^ *"torch==\([^"]*\)",*$/\1/p' "$(dirname "$0")/../pyproject.toml")"
[ -n "$version" ] || { echo "install-torch: no torch pin found in pyproject.toml" >&2; exit 1; }

if "$pip" show torch 2>/dev/null | grep -q "^Version: ${version}"; then
  exit 0
fi
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "install-torch: NVIDIA GPU found, installing the CUDA build of torch ${version}"
  "$pip" install "torch==${version}"
elif "$pip" install --no-deps --no-index --only-binary=:all: "torch==${version}" 2>/dev/null; then
  echo "install-torch: installed the local CPU build of torch ${version}"
else
  echo "install-torch: no GPU, installing the CPU build of torch ${version}"
  "$pip" install "torch==${version}" --index-url https://download.pytorch.org/whl/cpu \
    --extra-index-url https://pypi.org/simple
fi
