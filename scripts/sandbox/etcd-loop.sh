#!/bin/sh
# The etcd flake check (issue 14): runs the simulator's etcd e2e files N times in a row on ONE
# sandbox that is never restarted in between, as CI would run them again and again on a machine
# that has already been used (clusters created and deleted, members broken and replaced).
# Not part of `npm test`. Usage:
#
#   scripts/sandbox/etcd-loop.sh [N]          # default 10; exit 1 if any run failed
#
# ETCD_LOOP_FILES overrides the files. HCP_HEAVY_LOCK=<file> runs each iteration under
# `flock <file>` (a machine shared with other heavy jobs: the lock is taken per run, so other
# jobs' e2e files may run on the same sandbox between two iterations, as on any used machine).
# Each run's output goes to .sandbox/etcd-loop/<start time>/run-<i>.log.
set -u
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
n=${1:-10}
files=${ETCD_LOOP_FILES:-"test/e2e/etcd-members.test.ts test/e2e/etcd-onprem-restore.test.ts test/e2e/etcd-recovery.test.ts"}
out=.sandbox/etcd-loop/$(date +%Y%m%dT%H%M%S)
mkdir -p "$out"
locked() {
  if [ -n "${HCP_HEAVY_LOCK:-}" ]; then flock "$HCP_HEAVY_LOCK" "$@"; else "$@"; fi
}
passed=0
failed=0
start=$(date +%s)
i=1
while [ "$i" -le "$n" ]; do
  t0=$(date +%s)
  # shellcheck disable=SC2086
  if locked npx vitest run --project e2e $files > "$out/run-$i.log" 2>&1; then
    passed=$((passed + 1)); result=pass
  else
    failed=$((failed + 1)); result=FAIL
  fi
  # Wall time includes waiting for the lock; vitest's Duration is the run itself.
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$out/run-$i.log")
  echo "run $i/$n: $result in $(( $(date +%s) - t0 ))s ($(printf '%s\n' "$plain" | grep -E '^ +(Tests|Duration) ' | tr -s ' ' | sed 's/^ //' | cut -d'(' -f1 | paste -sd';'))"
  i=$((i + 1))
done
echo "etcd loop: $passed passed, $failed failed of $n runs in $(( $(date +%s) - start ))s"
[ "$failed" -eq 0 ]
