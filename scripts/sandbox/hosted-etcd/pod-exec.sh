#!/bin/sh
# kwok runs `kubectl exec` commands as local processes. A pod with a private filesystem has a kwok
# Exec object whose envs set HCP_POD_DIR and KWOK_EXEC_WRAPPER=<this script>; the patched kwok
# (scripts/sandbox/patches/kwok-exec.patch) then runs `pod-exec.sh <command> [args...]`, and this
# runs the command inside the pod's filesystem, so that a bare name and an absolute path
# (`/usr/bin/etcdctl`) both resolve in the pod, as in a container.
exec /usr/bin/unshare --mount --propagation private /bin/sh "${0%/*}/enter.sh" "$HCP_POD_DIR" "$@"
