#!/usr/bin/env bash
# The committed GPU measurements and the profiles fitted to them stay in step: fitting each
# CSV in data/calibration/ onto its datasheet base again gives the committed
# data/gpus/<gpu>-calibrated.yaml byte for byte, and a scenario that names a fitted profile
# runs and reports it as calibrated.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cd "$root" || exit 1  # the profile's sources name the CSV relative to the repository root
for pair in nvidia-h100-80gb-hbm3-2026-11-28:h100-sxm nvidia-h200-2026-11-28:h200-sxm; do
  csv=${pair%%:*} gpu=${pair##*:}
  "$DCTWIN" calibrate fit "data/calibration/$csv.csv" --base "data/gpus/$gpu.yaml" \
    --out "$work/$gpu.yaml" >"$work/$gpu.log" || fail "fit of data/calibration/$csv.csv"
  cmp -s "$work/$gpu.yaml" "data/gpus/$gpu-calibrated.yaml" ||
    fail "data/gpus/$gpu-calibrated.yaml is not what the fit of data/calibration/$csv.csv writes"
  grep -q "held at the power limit" "$work/$gpu.log" || fail "$gpu: the full-duty tensor level is not the one held at the limit"
done

sed 's/gpu: h100-sxm/gpu: h100-sxm-calibrated/' tests/data/tiny.yaml >"$work/tiny-calibrated.yaml"
grep -q "gpu: h100-sxm-calibrated" "$work/tiny-calibrated.yaml" || fail "tiny.yaml names no h100-sxm site to swap"
"$DCTWIN" run "$work/tiny-calibrated.yaml" --out "$work/run" --progress none >/dev/null || fail "run with the calibrated profile"
awk -F, 'NR > 1 && $5 == "h100-sxm-calibrated" && $6 == "true" { ok = 1 } END { exit !ok }' "$work/run/summary.csv" ||
  fail "summary.csv does not report the h100-sxm-calibrated profile as calibrated"

[ "$failures" -eq 0 ] && echo "calibration data: all checks passed"
exit $((failures > 0))
