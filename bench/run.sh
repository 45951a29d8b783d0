#!/usr/bin/env bash
# Runs a scenario (default: the embedded cassava-baseline) and prints wall time, peak RSS and
# simulated jobs per wall second; then, with NAIVE=1, once, the naive engine floor on the same
# jobs (dctwin-naive-floor, built beside dctwin in build/*/bench/).
# Jobs are those the run reports as simulated: in aggregated fidelity, those carried in
# aggregate included (the line also says how many were engine activities).
# Usage: bench/run.sh DCTWIN [SCENARIO] [REPEATS] [extra run options, e.g. --fidelity exact]
set -euo pipefail
dctwin=${1:?usage: bench/run.sh path/to/dctwin [scenario.yaml] [repeats]}
scenario=${2:-}
repeats=${3:-3}
extra=("${@:4}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[[ -x /usr/bin/time ]] || { echo "bench: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "binary:  $dctwin ($("$dctwin" --version))"
echo "scenario: ${scenario:-embedded cassava-baseline}"
for i in $(seq "$repeats"); do
  /usr/bin/time -f '%e %M' -o "$out/time" "$dctwin" run $scenario "${extra[@]}" --out "$out/r" --progress none >"$out/stdout"
  read -r wall rss_kb <"$out/time"
  jobs=$(sed -n 's/^\([0-9]*\) jobs simulated.*/\1/p' "$out/stdout")
  awk -v w="$wall" -v m="$rss_kb" -v j="$jobs" -v i="$i" \
    'BEGIN { printf "run %d: wall %.2f s, peak RSS %.0f MiB, %d jobs, %.0f jobs per wall second\n", i, w, m / 1024, j, j / w }'
done

# The naive floor simulates every job one by one: with NAIVE=1 only (it takes about a tenth
# of a second per thousand jobs, so minutes on a month of the trace mix at full scale).
naive="$(dirname "$dctwin")/../../bench/dctwin-naive-floor"
if [[ ${NAIVE:-0} == 1 && -x "$naive" ]]; then
  /usr/bin/time -f '%e %M' -o "$out/time" "$naive" "${scenario:-scenarios/cassava-baseline.yaml}" | tail -n1
  read -r wall rss_kb <"$out/time"
  awk -v w="$wall" -v m="$rss_kb" 'BEGIN { printf "naive floor: wall %.2f s, peak RSS %.0f MiB\n", w, m / 1024 }'
fi
