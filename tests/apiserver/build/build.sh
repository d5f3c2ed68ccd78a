#!/usr/bin/env bash
# build.sh OUTDIR: builds kube-apiserver, kubectl and etcd from this module (run from this directory).
set -euo pipefail
OUT=${1:?output directory}
K8S=$(awk '$1=="k8s.io/kubernetes"{print $2; exit}' go.mod)   # e.g. v1.37.2
MINOR=$(echo "$K8S" | cut -d. -f2)
P=k8s.io/component-base/version
# gitVersion MUST be set: the default "v0.0.0-master+$Format:%H$" breaks kubectl's version parsing.
LDF="-s -w -X $P.gitVersion=$K8S -X $P.gitMajor=1 -X $P.gitMinor=$MINOR -X $P.gitTreeState=clean"
go build -trimpath -ldflags="$LDF" -o "$OUT/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
go build -trimpath -ldflags="$LDF" -o "$OUT/kubectl"        k8s.io/kubernetes/cmd/kubectl
go build -trimpath -ldflags="-s -w" -o "$OUT/etcd"           go.etcd.io/etcd/server/v3
