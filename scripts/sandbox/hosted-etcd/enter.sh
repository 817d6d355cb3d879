#!/bin/sh
# Runs a command inside a sandbox pod's filesystem. Called in a fresh private mount namespace
# (unshare --mount --propagation private), so every mount below vanishes when the command ends
# and nothing is written to the host's /etc, /usr or /var/lib.
#
#   enter.sh <pod-dir> <command> [args...]
#
# <pod-dir> (prepared by scripts/sandbox/hosted-etcd/podfs.ts) holds:
#   root/      the pod's root: its own etc/ (hosts, TLS files, ...) and empty mount points
#   mounts     lines "<host-dir> <path-in-pod>": volumes (PVC data) bound into the pod
#   env.sh     the container's environment (export lines)
#   bin/       programs of the container image (etcd, etcdctl, etcdutl) shown in /usr/bin
set -e
PATH=/usr/sbin:/usr/bin:/sbin:/bin
pod=$1
shift
root=$pod/root
# The image's userland is the host's, read-only: /usr (with the image's programs laid over
# /usr/bin), and /bin, /lib, /lib64, /sbin as on the host (symlinks into /usr, or read-only binds).
mount --bind /usr "$root/usr"
mount -o remount,ro,bind "$root/usr"
if [ -d "$pod/bin" ]; then
  mount -t overlay overlay -o "lowerdir=$pod/bin:/usr/bin" "$root/usr/bin"
fi
for d in bin lib lib64 sbin; do
  if [ -L "/$d" ] || [ ! -e "/$d" ]; then continue; fi
  mount --bind "/$d" "$root/$d"
  mount -o remount,ro,bind "$root/$d"
done
# Debian-style /usr/bin/awk etc. are symlinks through /etc/alternatives: show the host's, read-only.
if [ -d /etc/alternatives ]; then
  mkdir -p "$root/etc/alternatives"
  mount --bind /etc/alternatives "$root/etc/alternatives"
  mount -o remount,ro,bind "$root/etc/alternatives"
fi
for n in null zero random urandom tty; do
  mount --bind "/dev/$n" "$root/dev/$n"
done
mount -t proc proc "$root/proc"
mount --bind "$pod/tmp" "$root/tmp"
if [ -f "$pod/mounts" ]; then
  while read -r src dst; do
    [ -n "$src" ] || continue
    mkdir -p "$root$dst"
    mount --bind "$src" "$root$dst"
  done < "$pod/mounts"
fi
exec /usr/bin/env -i HCP_ENV="$pod/env.sh" /bin/sh -c '. "$HCP_ENV"; unset HCP_ENV; exec /usr/sbin/chroot "$@"' sh "$root" "$@"
