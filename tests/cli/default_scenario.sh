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
# Columns by name: every site does work once online, and draws nothing before.
check() {  # awk condition over named columns, message
  awk -F, -v msg="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } '"$1"' { print msg ": " $0; bad = 1 } END { exit bad }' "$work/site_monthly.csv"
}
check '$c["gpus_online"] > 0 && $c["it_mwh"] <= 0' "online without IT energy"
check '$c["gpus_online"] == 0 && $c["facility_mwh"] != 0' "facility energy before commissioning"
check '$c["site"] == "za" && $c["month"] >= "2025-08" && ($c["utilization"] < 0.2 || $c["utilization"] > 1.0001)' "za utilization"
check '$c["it_mwh"] > 0 && ($c["pue"] < 1.02 || $c["pue"] > 2)' "implausible PUE"
[[ $(wc -l <"$work/programme_monthly.csv") == 49 ]] || { echo "programme_monthly: expected 48 months"; exit 1; }
echo "default_scenario: reports cover 5 sites x 48 months"
