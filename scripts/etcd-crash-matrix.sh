#!/bin/sh
# The full crash matrix of `kubectl hcp etcd restore` (issue 8): test/e2e/etcd-cmd-restore-crash.test.ts
# with HCP_ETCD_CRASH_STEPS=all, i.e. a SIGKILL after every step of the plan (19 for a 3-member
# cluster) and a --resume that must converge each time. `npm test` runs three representative
# steps only; this runs all of them, in CHUNKS e2e runs (default 3, a few minutes each) so that a
# shared machine's lock is held for one run at a time. Not part of `npm test`. Usage:
#
#   scripts/etcd-crash-matrix.sh [CHUNKS]       # exit 1 if any step failed to converge
#
# HCP_HEAVY_LOCK=<file> takes `flock <file>` around each run. Build first (npm run build): the
# e2e runs the built binary. Logs go to .sandbox/etcd-crash-matrix/<start time>/chunk-<i>.log.
set -u
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
n=${1:-3}
out=.sandbox/etcd-crash-matrix/$(date +%Y%m%dT%H%M%S)
mkdir -p "$out"
locked() {
  if [ -n "${HCP_HEAVY_LOCK:-}" ]; then flock "$HCP_HEAVY_LOCK" "$@"; else "$@"; fi
}
failed=0
start=$(date +%s)
i=0
while [ "$i" -lt "$n" ]; do
  t0=$(date +%s)
  if HCP_ETCD_CRASH_STEPS=all HCP_ETCD_CRASH_CHUNK="$i/$n" locked npx vitest run --project e2e test/e2e/etcd-cmd-restore-crash.test.ts > "$out/chunk-$i.log" 2>&1; then
    result=pass
  else
    failed=$((failed + 1)); result=FAIL
  fi
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$out/chunk-$i.log")
  printf '%s\n' "$plain" | grep -E '^ +(✓|×) killed after' | sed 's/^ *//'
  echo "chunk $((i + 1))/$n: $result in $(( $(date +%s) - t0 ))s"
  i=$((i + 1))
done
steps=$(grep -hE 'killed after' "$out"/chunk-*.log | sed 's/\x1b\[[0-9;]*m//g' | grep -cE '^ +(✓|×)')
bad=$(grep -hE 'killed after' "$out"/chunk-*.log | sed 's/\x1b\[[0-9;]*m//g' | grep -cE '^ +×')
echo "etcd restore crash matrix: $((steps - bad)) of $steps steps converged; $failed of $n runs failed; $(( $(date +%s) - start ))s"
[ "$failed" -eq 0 ]
