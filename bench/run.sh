#!/usr/bin/env bash
# Runs a scenario (default: the embedded cassava-baseline) and prints wall time, peak RSS and
# simulated jobs per wall second; then, once, the naive engine floor on the same jobs
# (dctwin-naive-floor, built beside dctwin in build/*/bench/).
# Usage: bench/run.sh DCTWIN [SCENARIO] [REPEATS]
set -euo pipefail
dctwin=${1:?usage: bench/run.sh path/to/dctwin [scenario.yaml] [repeats]}
scenario=${2:-}
repeats=${3:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[[ -x /usr/bin/time ]] || { echo "bench: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "binary:  $dctwin ($("$dctwin" --version))"
echo "scenario: ${scenario:-embedded cassava-baseline}"
for i in $(seq "$repeats"); do
  /usr/bin/time -f '%e %M' -o "$out/time" "$dctwin" run $scenario --out "$out/r" --progress none >/dev/null
  read -r wall rss_kb <"$out/time"
  jobs=$(($(wc -l <"$out/r/jobs.csv") - 1))
  awk -v w="$wall" -v m="$rss_kb" -v j="$jobs" -v i="$i" \
    'BEGIN { printf "run %d: wall %.2f s, peak RSS %.0f MiB, %d jobs, %.0f jobs per wall second\n", i, w, m / 1024, j, j / w }'
done

naive="$(dirname "$dctwin")/../../bench/dctwin-naive-floor"
if [[ -x "$naive" ]]; then
  /usr/bin/time -f '%e %M' -o "$out/time" "$naive" "${scenario:-scenarios/cassava-baseline.yaml}" | tail -n1
  read -r wall rss_kb <"$out/time"
  awk -v w="$wall" -v m="$rss_kb" 'BEGIN { printf "naive floor: wall %.2f s, peak RSS %.0f MiB\n", w, m / 1024 }'
fi
