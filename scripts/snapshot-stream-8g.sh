#!/bin/sh
# Issue 8: streams an 8 GiB file out of a sandbox etcd pod with the product's streamOut and reports
# the peak RSS (bench/snapshot-stream with HCP_BENCH_SNAPSHOT_MIB=8192, one round, no kubectl
# baseline). Not part of `npm test`; needs ~16 GiB free disk (the file in the pod and its copy).
# HCP_HEAVY_LOCK=<file> runs it under `flock <file>`.
set -u
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
locked() {
  if [ -n "${HCP_HEAVY_LOCK:-}" ]; then flock "$HCP_HEAVY_LOCK" "$@"; else "$@"; fi
}
HCP_BENCH_SNAPSHOT_MIB=8192 HCP_BENCH_SNAPSHOT_BASELINE=0 HCP_BENCH_SNAPSHOT_ROUNDS=1 locked npm run -s bench -- snapshot-stream
