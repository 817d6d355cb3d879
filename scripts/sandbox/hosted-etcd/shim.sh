#!/bin/sh
# kwok runs `kubectl exec` commands as local processes, looking the program up in its own PATH.
# The sandbox puts a directory of symlinks to this script first in kwok's PATH (one per program
# name), so every exec comes through here:
# - a pod that the simulated operator gave a private filesystem (its kwok Exec object sets
#   HCP_POD_DIR) gets the command run inside that filesystem (enter.sh);
# - any other pod runs the real program, exactly as before, with this directory left out of PATH.
# Only shell builtins are used here: every external program name would resolve to this shim.
name=${0##*/}
shims=${0%/*}
rest=
oldifs=$IFS
IFS=:
for d in $PATH; do
  [ "$d" = "$shims" ] && continue
  rest=${rest:+$rest:}$d
done
IFS=$oldifs
PATH=$rest
export PATH
if [ -n "$HCP_POD_DIR" ]; then
  exec /usr/bin/unshare --mount --propagation private /bin/sh "$shims/../enter.sh" "$HCP_POD_DIR" "$name" "$@"
fi
exec "$name" "$@"
