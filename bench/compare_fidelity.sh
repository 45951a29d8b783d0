#!/usr/bin/env bash
# Exact against aggregated fidelity on one scenario over seeds 1..N: the programme's IT
# energy, utilization and delivered GPU-hours, and each class's pooled p95 queue wait (the
# `programme` rows of class_monthly.csv, first month), as exact fidelity's mean over the
# seeds with its standard error and aggregated fidelity's difference with the standard error
# of the paired per-seed differences, and each mode's median over the seeds. The tables of
# docs/workloads.md ("Exact against aggregated") come from this script.
# Usage: bench/compare_fidelity.sh DCTWIN SCENARIO [SEEDS=48] [PARALLEL=2]
# The 30-day case (bench/trace-mix-30days.yaml) takes about 8 s a seed in exact fidelity.
set -euo pipefail
dctwin=${1:?usage: bench/compare_fidelity.sh path/to/dctwin scenario.yaml [seeds] [parallel]}
scenario=${2:?usage: bench/compare_fidelity.sh path/to/dctwin scenario.yaml [seeds] [parallel]}
seeds=${3:-48}
parallel=${4:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export dctwin scenario work
seq "$seeds" | xargs -P "$parallel" -I{} sh -c '
  for mode in exact aggregated; do
    "$dctwin" run "$scenario" --seed {} --fidelity $mode --no-jobs --progress none --out "$work/$mode-{}" >/dev/null ||
      { echo "run failed: $mode seed {}" >&2; exit 1; }
  done'
echo "scenario: $scenario, seeds 1-$seeds, $("$dctwin" --version)"
for s in $(seq "$seeds"); do
  for mode in exact aggregated; do
    awk -F, -v mode="$mode" -v seed="$s" '
      FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
      FILENAME ~ /summary.csv$/ && $1 == "programme" {
        print mode, seed, "IT_energy_MWh", $c["it_mwh"]; print mode, seed, "utilization", $c["utilization"]
        print mode, seed, "delivered_GPU_h", $c["delivered_gpu_h"] }
      FILENAME ~ /class_monthly.csv$/ && $1 == "programme" && $c["jobs_started"] > 0 && !seen[$2]++ {
        print mode, seed, $2 "_p95_h", $c["queue_wait_p95_h"] }
    ' "$work/$mode-$s/summary.csv" "$work/$mode-$s/class_monthly.csv"
  done
done | awk '
  # The median over the seeds beside the mean: a p95 wait is heavy-tailed over seeds (one
  # seed in a few dozen can stall for days in exact fidelity), so the two can tell apart.
  function median(mode, f,    s, i, j, x, m) {
    for (s = 1; s <= seeds; s++) {
      x = v[mode, s, f] + 0
      for (i = s - 1; i >= 1 && m[i] > x; i--) m[i + 1] = m[i]
      m[i + 1] = x
    }
    return seeds % 2 ? m[(seeds + 1) / 2] : (m[seeds / 2] + m[seeds / 2 + 1]) / 2
  }
  { v[$1, $2, $3] = $4; if (!($3 in known)) { known[$3] = 1; order[++n] = $3 } if ($2 > seeds) seeds = $2 }
  END {
    printf "%-26s %14s %10s %24s %14s %14s\n", "figure", "exact mean", "+- se", "aggregated: diff +- se",
      "exact median", "aggr. median"
    for (k = 1; k <= n; k++) {
      f = order[k]; se = sd = sa = sdd = 0
      for (s = 1; s <= seeds; s++) { e = v["exact", s, f]; a = v["aggregated", s, f]; se += e; sa += a }
      me = se / seeds; ma = sa / seeds
      for (s = 1; s <= seeds; s++) {
        e = v["exact", s, f]; a = v["aggregated", s, f]
        sd += (e - me) ^ 2; sdd += ((a - e) - (ma - me)) ^ 2
      }
      if (me == 0) { printf "%-26s %14.4f\n", f, me; continue }
      printf "%-26s %14.4f %10.4f %+10.2f %% +- %5.2f %% %14.4f %14.4f\n", f, me, sqrt(sd / (seeds - 1) / seeds),
        100 * (ma / me - 1), 100 * sqrt(sdd / (seeds - 1) / seeds) / me, median("exact", f), median("aggregated", f)
    }
  }'
echo
echo "delivered GPU-hours by site (thousands, mean over the seeds)"
for mode in exact aggregated; do
  for s in $(seq "$seeds"); do cat "$work/$mode-$s/class_monthly.csv"; done | awk -F, -v mode="$mode" -v seeds="$seeds" '
    $1 == "site" { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $1 != "programme" {
      if (!($1 in site_seen)) { site_seen[$1] = 1; sites[++ns] = $1 }
      if (!($2 in class_seen)) { class_seen[$2] = 1; classes[++nc] = $2 }
      h[$1, $2] += $c["delivered_gpu_h"]
    }
    END {
      printf "%-10s %-14s", mode, "class"; for (i = 1; i <= ns; i++) printf " %10s", sites[i]; printf "\n"
      for (k = 1; k <= nc; k++) {
        printf "%-10s %-14s", "", classes[k]
        for (i = 1; i <= ns; i++) printf " %10.1f", h[sites[i], classes[k]] / seeds / 1000
        printf "\n"
      }
    }'
done
