#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
# kubelet from the Go module proxy into the machine's cache (never the repo).
# Idempotent: a binary already built for these versions is kept. CoreDNS
# (cluster DNS) comes from its own module, which builds with plain go install.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${PODID_CLUSTER_CACHE:-/var/cache/podid-cluster}"
version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2 }' "$here/binaries/go.mod")"
coredns_version=v1.15.0
bin="$cache/bin-$version"
mkdir -p "$bin"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$version" | cut -d. -f2) -X k8s.io/component-base/version.gitTreeState=clean"
cd "$here/binaries"
export GOFLAGS=-mod=mod CGO_ENABLED=0
build() {
  local name="$1" pkg="$2"
  if [ -x "$bin/$name" ]; then return; fi
  local t0=$(date +%s)
  go build -trimpath -ldflags "$ldflags" -o "$bin/$name.tmp" "$pkg"
  mv "$bin/$name.tmp" "$bin/$name"
  echo "built $name in $(( $(date +%s) - t0 ))s" >&2
}
build etcd ./etcd
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kubelet k8s.io/kubernetes/cmd/kubelet
build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
build kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler
build kube-proxy k8s.io/kubernetes/cmd/kube-proxy
# The tier brings its own kubectl of the same version: no machine kubectl is assumed.
build kubectl k8s.io/kubernetes/cmd/kubectl
if [ ! -x "$bin/coredns" ]; then
  t0=$(date +%s)
  GOBIN="$bin/.coredns" GOFLAGS= go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$coredns_version"
  mv "$bin/.coredns/coredns" "$bin/coredns" && rmdir "$bin/.coredns"
  echo "built coredns in $(( $(date +%s) - t0 ))s" >&2
fi
echo "$bin"
