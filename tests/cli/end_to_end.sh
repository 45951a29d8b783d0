#!/usr/bin/env bash
# dctwin as a user runs it: validate, run, determinism, bad input. Needs DCTWIN and DATA.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tiny=$here/data/tiny.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$DCTWIN" --version | grep -q '^dctwin [0-9]' || fail "--version"
"$DCTWIN" --help | grep -q 'validate' || fail "--help lists the commands"

out=$("$DCTWIN" validate "$tiny") || fail "validate tiny exits 0"
[[ "$out" == *"ok (2 sites, 32 GPUs, 2 job classes)"* ]] || fail "validate summary: $out"

# Same seed, same bytes; another seed, other bytes.
"$DCTWIN" run "$tiny" --out "$work/a" --progress none >/dev/null || fail "run a"
"$DCTWIN" run "$tiny" --out "$work/b" --progress none >/dev/null || fail "run b"
"$DCTWIN" run "$tiny" --out "$work/c" --seed 99 --progress none >/dev/null || fail "run c"
for f in summary.csv site_monthly.csv programme_monthly.csv jobs.csv; do
  [[ -s "$work/a/$f" ]] || fail "$f written"
  cmp -s "$work/a/$f" "$work/b/$f" || fail "$f differs between two runs with one seed"
done
cmp -s "$work/a/jobs.csv" "$work/c/jobs.csv" && fail "another seed gives the same jobs"
ls -A "$work/a" | grep -q partial && fail "temporary files left behind"
# --no-jobs: the same reports without jobs.csv, and an earlier run's jobs.csv removed.
cp -r "$work/a" "$work/n"
"$DCTWIN" run "$tiny" --out "$work/n" --no-jobs --progress none >/dev/null || fail "run --no-jobs"
[[ -e "$work/n/jobs.csv" ]] && fail "--no-jobs left a jobs.csv"
for f in summary.csv site_monthly.csv programme_monthly.csv class_monthly.csv failures_monthly.csv; do
  cmp -s "$work/a/$f" "$work/n/$f" || fail "$f differs with --no-jobs"
done
# tiny spans January and February 2026 for both sites.
[[ $(grep -c '^alpha,2026-0[12],' "$work/a/site_monthly.csv") == 2 ]] || fail "alpha months"
[[ $(grep -c '^beta,2026-0[12],' "$work/a/site_monthly.csv") == 2 ]] || fail "beta months"

# Per class utilization: the classes' shares add up to at most the site's (interrupted runs
# count only at site level), and to most of it.
awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) c[FILENAME, $i] = i; next }
  FILENAME ~ /class_monthly/ { sum[$1 "," $3] += $c[FILENAME, "utilization"] }
  FILENAME ~ /site_monthly/ { site[$1 "," $2] = $c[FILENAME, "utilization"] }
  END { for (k in site) if (sum[k] > site[k] + 1e-3 || sum[k] < 0.9 * site[k] - 1e-3) { print "class utilization " k ": " sum[k] " vs " site[k]; bad = 1 } exit bad }' \
  "$work/a/class_monthly.csv" "$work/a/site_monthly.csv" || fail "class utilization adds up to the site's"

# The programme's class rows pool the sites: counts and work add up, and a pooled
# percentile lies between the sites' (over the sites where the class started jobs).
awk -F, 'BEGIN { n = split("jobs_submitted jobs_started jobs_finished demand_gpu_h delivered_gpu_h", cols, " ") }
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { k = $2 "," $3 }
  $1 == "programme" { prog[k] = $0; next }
  { for (i = 1; i <= n; i++) sum[k, cols[i]] += $c[cols[i]]
    if ($c["jobs_started"] > 0) { p = $c["queue_wait_p95_h"]
      if (!(k in lo) || p < lo[k]) lo[k] = p
      if (!(k in hi) || p > hi[k]) hi[k] = p } }
  END {
    if (length(prog) == 0) { print "no programme rows"; exit 1 }
    for (k in prog) { split(prog[k], v, ",")
      for (i = 1; i <= n; i++) { d = v[c[cols[i]]] - sum[k, cols[i]]; if (d > 0.2 || d < -0.2) { print k " " cols[i] ": " v[c[cols[i]]] " vs sites " sum[k, cols[i]]; bad = 1 } }
      p = v[c["queue_wait_p95_h"]]
      if ((k in lo) && (p < lo[k] - 1e-3 || p > hi[k] + 1e-3)) { print k " p95 " p " outside the sites [" lo[k] ", " hi[k] "]"; bad = 1 }
      if (v[c["jobs_started"]] > 0) waited += (hi[k] > 0) }
    if (!waited) { print "no class waited: the p95 check checks nothing"; bad = 1 }
    exit bad }' "$work/a/class_monthly.csv" || fail "programme rows of class_monthly.csv pool the sites"

# --progress=jsonl: every stdout line is a JSON object, the last one says done.
"$DCTWIN" run "$tiny" --out "$work/j" --progress=jsonl >"$work/j.out" || fail "jsonl run"
grep -vq '^{.*}$' "$work/j.out" && fail "a jsonl line is not an object"
tail -n1 "$work/j.out" | grep -q '"event":"done"' || fail "jsonl ends with done"
grep -q '"event":"progress","percent":100' "$work/j.out" || fail "jsonl reaches 100 %"

# Planted mistakes: one line file:line:col: key.path: problem, exit 2, nothing written.
plant() {  # name, sed expression, expected line prefix (after the file name)
  local bad="$work/$1.yaml"
  sed "$2" "$tiny" >"$bad"
  local msg rc
  msg=$("$DCTWIN" run "$bad" --out "$work/out-$1" --progress none 2>&1 >/dev/null)
  rc=$?
  [[ $rc == 2 ]] || fail "$1: exit status $rc, expected 2"
  [[ $(printf '%s\n' "$msg" | wc -l) == 1 ]] || fail "$1: more than one line: $msg"
  [[ "$msg" == "$bad:$3"* ]] || fail "$1: got '$msg', expected '$bad:$3...'"
  [[ -e "$work/out-$1" ]] && fail "$1: output folder written"
  "$DCTWIN" validate "$bad" >/dev/null 2>&1
  [[ $? == 2 ]] || fail "$1: validate exit status"
}
plant unknown-key 's/^    climate: cairo/    climat: cairo/' "40:5: sites[1].climat: unknown key 'climat'; did you mean 'climate'?"
plant wrong-type 's/gpus: 16}/gpus: many}/' "33:34: sites[0].phases[0].gpus: expected an integer, got 'many'"
plant out-of-range 's/step_minutes: 60/step_minutes: 0/' "7:15: step_minutes: value 0 is out of range [1, 1440]"
plant dates-order 's/^end: 2026-02-06/end: 2025-12-31/' "5:6: end: end 2025-12-31 is not after start 2026-01-30"
plant missing-file 's/gpu: h100-sxm/gpu: h200-nvl/' "25:10: sites[0].gpu: GPU profile 'h200-nvl' not found"
plant reserved-site-id 's/^  - id: beta/  - id: programme/' "36:9: sites[1].id: 'programme' names all sites in the reports; choose another site id"
plant bad-yaml 's/^name: tiny/name: [tiny/' ""

# A run whose jobs could not all be held is refused the same way, before any is drawn: here
# more jobs than a run can number, so on any machine.
sed 's/gpu_hours_per_month: 8000}/gpu_hours_per_month: 1e10}/; s/^end: 2026-02-06/end: 2030-01-01/' "$tiny" >"$work/huge.yaml"
for command in run workload; do
  msg=$("$DCTWIN" $command "$work/huge.yaml" --out "$work/out-huge" 2>&1 >/dev/null); rc=$?
  [[ $rc == 2 && $(printf '%s\n' "$msg" | wc -l) == 1 && ! -e "$work/out-huge" &&
     "$msg" == "$work/huge.yaml:0:0: fidelity: about "*" jobs to simulate one by one (exact fidelity), more than a run can number"* ]] ||
    fail "$command on a scenario too large to hold: $rc $msg"
done

msg=$("$DCTWIN" run "$work/nope.yaml" --out "$work/out-nope" 2>&1 >/dev/null); rc=$?
[[ $rc == 2 && "$msg" == "$work/nope.yaml:0:0: (document): cannot read scenario file" ]] || fail "missing scenario: $rc $msg"
"$DCTWIN" run --no-such-flag >/dev/null 2>&1; [[ $? == 2 ]] || fail "unknown flag exits 2"

# dctwin fabric: a table, fabric.csv and a .dot per site; bad input refused the same way.
"$DCTWIN" fabric "$tiny" --out "$work/fabric" >"$work/fabric.out" || fail "fabric exits 0"
for f in fabric.csv fabric_alpha.dot fabric_beta.dot; do [[ -s "$work/fabric/$f" ]] || fail "fabric wrote $f"; done
head -n1 "$work/fabric/fabric_alpha.dot" | grep -q '^graph' || fail "fabric .dot starts with graph"
grep -q 'bisection_gbps' "$work/fabric.out" || fail "fabric table lists the bisection"
"$DCTWIN" fabric "$work/unknown-key.yaml" --out "$work/fabric-bad" >/dev/null 2>&1; rc=$?
[[ $rc == 2 && ! -e "$work/fabric-bad" ]] || fail "fabric on a bad scenario: exit $rc"

# dctwin workload over days before any site opens (the default's first opens on 2025-07-01)
# says why it drew no jobs; once a site is open, no such note.
msg=$("$DCTWIN" workload --days 2 2>&1 >/dev/null); rc=$?
[[ $rc == 0 && "$msg" == "note: no site is open before 2025-07-01, so no jobs are drawn before then" ]] ||
  fail "workload before any site opens: $rc $msg"
msg=$("$DCTWIN" workload --days 40 2>&1 >/dev/null); rc=$?
[[ $rc == 0 && -z "$msg" ]] || fail "workload once a site is open: $rc $msg"

if [[ $failures -gt 0 ]]; then echo "$failures failed"; exit 1; fi
echo "end_to_end: all checks passed"
