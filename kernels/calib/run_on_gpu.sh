#!/usr/bin/env bash
# The one prepared script for a GPU machine: builds dctwin-calibrate, runs its CUDA test (a
# GEMM against a CPU reference; the suite does not run unless it passes), then the suite.
# The CSV goes to $OUT if set (the device tool's folder), else data/calibration/; logs go to
# $OUT if set, else the build folder.
#   bash kernels/calib/run_on_gpu.sh            # full run, under 5 minutes on an H100
#   bash kernels/calib/run_on_gpu.sh --quick    # about a minute
# Extra arguments go to dctwin-calibrate. Nothing here changes a setting of the card: the
# nvidia-smi call only reads. Exit: 0 measured, 77 no GPU, other: build, test or check failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-/tmp/dctwin-calib-build}
csv_dir=${OUT:-$root/data/calibration}
logs=${OUT:-$build}
mkdir -p "$csv_dir" "$logs" "$build"
export PATH=/usr/local/cuda/bin:$PATH

nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,power.limit,temperature.gpu,persistence_mode \
  --format=csv >"$logs/gpu_state_before.txt" 2>&1 || true
cat "$logs/gpu_state_before.txt"
# 'native': machine code for the GPU in this machine only, which keeps the build short (CMake
# refuses it where no GPU answers; Hopper then, so the script still builds and reports 77).
archs=${CUDA_ARCHS:-$(nvidia-smi -L >/dev/null 2>&1 && echo native || echo 90)}
if ! { cmake -S "$root/kernels/calib" -B "$build" -DCMAKE_BUILD_TYPE=Release \
         -DDCTWIN_CALIB_CUDA_ARCHITECTURES="$archs" &&
       cmake --build "$build" -j"$(nproc)"; } >"$logs/build.log" 2>&1; then
  tail -40 "$logs/build.log"
  exit 1
fi
(cd "$build" && ctest --output-on-failure) >"$logs/test.log" 2>&1 || { cat "$logs/test.log"; exit 1; }
cat "$logs/test.log"
if grep -q "Skipped" "$logs/test.log"; then
  echo "no CUDA device: nothing measured"
  exit 77
fi
cd "$csv_dir"
set +e
"$build/dctwin-calibrate" "$@" 2>&1 | tee "$logs/calibrate.log"
status=${PIPESTATUS[0]}
set -e
ls -l "$csv_dir"
exit "$status"
