#!/usr/bin/env bash
# Builds the sandbox's upstream programs from source through the Go module proxy into a cache
# outside the repository. Each binary is built only when missing, so a warm run costs seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
for tool in go patch sha256sum; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (needs Go >= 1.24 in PATH or /usr/local/go, and the patch package)" >&2; exit 1; }
done
bin="$SANDBOX_BIN_DIR"
work="$(dirname "$bin")/work"
mkdir -p "$bin" "$work"
log() { printf '[build] %s\n' "$*" >&2; }
have() { for b in "$@"; do [ -x "$bin/$b" ] || return 1; done; }

build_kubernetes() {
  have kube-apiserver kube-controller-manager kube-scheduler kubectl && return
  local t0=$SECONDS m="$work/kubernetes" minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local staging="v0.${K8S_VERSION#v1.}"
  mkdir -p "$m"
  log "kubernetes $K8S_VERSION (staging modules at $staging)"
  # k8s.io/kubernetes points each staging module at ./staging; a dependent module must instead
  # name the published v0.Y.Z of each. Derive that list from upstream's own go.mod.
  local upstream_mod
  upstream_mod=$(cd "$m" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
  {
    echo "module kubectl-hcp.local/sandbox/kubernetes"
    echo "go 1.24"
    echo "require k8s.io/kubernetes $K8S_VERSION"
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$upstream_mod" | awk -v v="$staging" '{print "replace " $1 " => " $1 " " v}'
  } > "$m/go.mod"
  local pkg=k8s.io/component-base/version cpkg=k8s.io/client-go/pkg/version
  local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ld="-s -w"
  for p in $pkg $cpkg; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  (cd "$m" && GOFLAGS=-mod=mod go build -ldflags "$ld" -o "$bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  log "kubernetes built in $((SECONDS - t0))s"
}

build_etcd() {
  have etcd etcdctl etcdutl && return
  local t0=$SECONDS m="$work/etcd"
  mkdir -p "$m"
  log "etcd $ETCD_VERSION"
  # The etcd modules' own replace directives break `go install`; a wrapper module requiring all
  # three at one tag resolves them from the proxy instead.
  cat > "$m/go.mod" <<MOD
module kubectl-hcp.local/sandbox/etcd
go 1.24
require (
	go.etcd.io/etcd/server/v3 $ETCD_VERSION
	go.etcd.io/etcd/etcdctl/v3 $ETCD_VERSION
	go.etcd.io/etcd/etcdutl/v3 $ETCD_VERSION
)
MOD
  # Each main package is a module root, which `go build` would name "v3": name each output.
  local b
  for b in server:etcd etcdctl:etcdctl etcdutl:etcdutl; do
    (cd "$m" && GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$bin/${b#*:}" "go.etcd.io/etcd/${b%%:*}/v3")
  done
  log "etcd built in $((SECONDS - t0))s"
}

build_go_install() { # name module@version
  have "$1" && return
  local t0=$SECONDS
  log "$2"
  GOBIN="$bin" GOFLAGS=-mod=mod go install -ldflags "-s -w" "$2"
  log "$1 built in $((SECONDS - t0))s"
}

build_kwok() {
  # The stamp names the patch the binary was built with, so that changing the patch rebuilds it.
  local patch="$here/patches/kwok-exec.patch" stamp="$bin/kwok.patch-sha256" sum
  sum=$(sha256sum "$patch" | cut -d' ' -f1)
  have kwok && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ] && return
  local t0=$SECONDS m="$work/kwok" src
  log "kwok $KWOK_VERSION (patched: exec exit codes and stdin EOF)"
  # kwok's exec server wraps a command's exit status in a plain error, so `kubectl exec` always
  # fails with an internal error instead of the exit code, and it never closes the command's
  # stdin, so `kubectl exec -i` hangs. Build a copy with a two-hunk fix.
  src=$(cd "$work" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')
  rm -rf "$m" && cp -r "$src" "$m" && chmod -R u+w "$m"
  patch -s -d "$m" -p1 < "$patch"
  (cd "$m" && GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$bin/kwok.new" ./cmd/kwok)
  # Replace atomically: running kwoks keep the old file.
  mv "$bin/kwok.new" "$bin/kwok" && echo "$sum" > "$stamp"
  log "kwok built in $((SECONDS - t0))s"
}

only="${1:-all}"
case "$only" in
  all|kubernetes) build_kubernetes ;;&
  all|etcd) build_etcd ;;&
  all|kwok) build_kwok ;;&
  all|minio) build_go_install minio "github.com/minio/minio@$MINIO_VERSION" ;;&
  *) ;;
esac
echo "$bin"
