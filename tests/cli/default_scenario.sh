#!/usr/bin/env bash
# The embedded default scenario runs and its reports cover every site and every month.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$DCTWIN" run --out "$work" --progress none >"$work/stdout"
grep -q '^programme  12000' "$work/stdout" || { echo "no programme row in the summary table"; cat "$work/stdout"; exit 1; }
sites="za ng ke eg ma"
# 2025-06 .. 2029-05: 48 months for each of the five sites.
for s in $sites; do
  n=$(grep -c "^$s," "$work/site_monthly.csv")
  [[ $n == 48 ]] || { echo "site $s has $n monthly rows, expected 48"; exit 1; }
  for m in 2025-06 2026-12 2029-05; do
    grep -q "^$s,$m," "$work/site_monthly.csv" || { echo "site $s lacks month $m"; exit 1; }
  done
  grep -q "^$s," "$work/summary.csv" || { echo "summary lacks site $s"; exit 1; }
  grep -q ",$s," "$work/jobs.csv" || { echo "no job at site $s"; exit 1; }
done
[[ $(wc -l <"$work/summary.csv") == 7 ]] || { echo "summary: expected header + 5 sites + programme"; exit 1; }
# Every site is online from its commissioning month on and does work there.
awk -F, 'NR > 1 && $3 > 0 && $4 <= 0 { print "no IT energy: " $0; bad = 1 } END { exit bad }' "$work/site_monthly.csv"
awk -F, 'NR > 1 && $1 == "za" && $2 >= "2025-08" && ($9 < 0.2 || $9 > 1.0001) { print "za utilization: " $0; bad = 1 } END { exit bad }' "$work/site_monthly.csv"
echo "default_scenario: reports cover 5 sites x 48 months"
