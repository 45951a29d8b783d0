#!/usr/bin/env bash
# Installs every Debian package dctwin needs. Idempotent: installs only what is missing.
# Run as root or with sudo. Optional parts (Qt 6 for the planner app) with --with-gui.
set -euo pipefail

core=(build-essential cmake pkg-config git
      libsimgrid-dev libyaml-cpp-dev libboost-graph-dev libcli11-dev libgtest-dev libgmock-dev
      libeigen3-dev libjemalloc-dev time)
gui=(qt6-base-dev qt6-charts-dev)

want=("${core[@]}")
if [[ "${1:-}" == "--with-gui" ]]; then want+=("${gui[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
