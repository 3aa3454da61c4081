#!/usr/bin/env bash
# Builds grpcurl (a gRPC client podid did not write) from the Go module proxy
# into a cache dir outside the repo, with the machine's Go caches, and prints
# the binary's path. Idempotent: a binary already built for this version is kept.
set -euo pipefail
version="v1.9.4"
cache="${PODID_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/podid-tools}"
bin="$cache/grpcurl-$version"
if [ ! -x "$bin/grpcurl" ]; then
  command -v go >/dev/null || { echo "build-grpcurl: Go (1.24 or later) is needed to build grpcurl $version; install it from go.dev" >&2; exit 1; }
  mkdir -p "$bin"
  GOBIN="$bin.tmp" CGO_ENABLED=0 go install -trimpath "github.com/fullstorydev/grpcurl/cmd/grpcurl@$version" >&2
  mv "$bin.tmp/grpcurl" "$bin/grpcurl"
  rmdir "$bin.tmp"
fi
echo "$bin/grpcurl"
