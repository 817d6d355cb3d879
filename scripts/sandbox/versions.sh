# Pinned upstream versions of everything the sandbox builds. Changing one changes the cache key.
K8S_VERSION=v1.34.4
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
# MinIO publishes no semver tags; this pseudo-version is its 2026-02-12 master.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
SANDBOX_CACHE_KEY="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_minio-${MINIO_VERSION##*-}"
SANDBOX_BIN_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-hcp-sandbox/${SANDBOX_CACHE_KEY}/bin"
