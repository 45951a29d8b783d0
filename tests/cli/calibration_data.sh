#!/usr/bin/env bash
# The committed GPU measurements and the profile fitted to them stay in step: fitting
# data/calibration/nvidia-h200-2026-11-28.csv onto data/gpus/h200-sxm.yaml again gives the
# committed data/gpus/h200-sxm-calibrated.yaml byte for byte, and a scenario that names that
# profile runs and reports it as calibrated.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cd "$root" || exit 1  # the profile's sources name the CSV relative to the repository root
"$DCTWIN" calibrate fit data/calibration/nvidia-h200-2026-11-28.csv --base data/gpus/h200-sxm.yaml \
  --out "$work/h200.yaml" >"$work/fit.log" || fail "fit of the committed CSV"
cmp -s "$work/h200.yaml" data/gpus/h200-sxm-calibrated.yaml ||
  fail "data/gpus/h200-sxm-calibrated.yaml is not what the fit of the committed CSV writes"
grep -q "held at the power limit" "$work/fit.log" || fail "the full-duty tensor level is not the one held at the limit"

sed 's/gpu: h100-sxm/gpu: h200-sxm-calibrated/' tests/data/tiny.yaml >"$work/tiny-h200.yaml"
grep -q "gpu: h200-sxm-calibrated" "$work/tiny-h200.yaml" || fail "tiny.yaml names no h100-sxm site to swap"
"$DCTWIN" run "$work/tiny-h200.yaml" --out "$work/run" --progress none >/dev/null || fail "run with the calibrated profile"
awk -F, 'NR > 1 && $5 == "h200-sxm-calibrated" && $6 == "true" { ok = 1 } END { exit !ok }' "$work/run/summary.csv" ||
  fail "summary.csv does not report the h200-sxm-calibrated profile as calibrated"

[ "$failures" -eq 0 ] && echo "calibration data: all checks passed"
exit $((failures > 0))
