#!/usr/bin/env bash
# binaries.sh: prints the directory holding kube-apiserver, kubectl and etcd built from
# tests/apiserver/build (the Go module proxy is the only source). The binaries are cached in
# ${KFGITOPS_APISERVER_CACHE:-$HOME/.cache/kfgitops-apiserver}/<k8s version>-<hash of build/>,
# so only the first run pays the build (~10 min cold on 2 cores); later runs take no time.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$HERE/build
K8S=$(awk '$1=="k8s.io/kubernetes"{print $2; exit}' "$BUILD/go.mod")
KEY=$(cat "$BUILD/go.mod" "$BUILD/go.sum" "$BUILD/build.sh" | sha256sum | cut -c1-16)
CACHE=${KFGITOPS_APISERVER_CACHE:-$HOME/.cache/kfgitops-apiserver}
OUT=$CACHE/$K8S-$KEY
if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/kubectl" ] && [ -x "$OUT/etcd" ]; then
  echo "$OUT"; exit 0
fi
mkdir -p "$CACHE"
TMP=$(mktemp -d "$CACHE/.build.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
echo "building kube-apiserver, kubectl and etcd $K8S into $OUT (cold: ~10 min on 2 cores)" >&2
start=$(date +%s)
# The build module is not part of go.work: build it on its own.
(cd "$BUILD" && GOWORK=off GOFLAGS=-mod=mod ./build.sh "$TMP") >&2
echo "built in $(( $(date +%s) - start ))s" >&2
# Publish atomically so that a concurrent or interrupted run never sees half a cache entry.
chmod 755 "$TMP"
mv "$TMP" "$OUT" 2>/dev/null || [ -x "$OUT/kube-apiserver" ]
trap - EXIT
echo "$OUT"
