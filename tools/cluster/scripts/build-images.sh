#!/usr/bin/env bash
# Builds every image the cluster tier runs, with no image registry:
#   - node:20.20-bookworm-slim, the Dockerfile's FROM: a Debian bookworm rootfs
#     from Debian's packages (debootstrap) plus this machine's node and npm;
#   - podid's images from the project's own Dockerfile (buildah), one build
#     tagged under every app's name;
#   - the pause image, CyberArk's real authn-k8s sidecar, and stand-ins under
#     the names deploy/ uses for Redis (redis:7.2-alpine) and the example app
#     (busybox:1.36);
# and imports them into the tier's containerd. Idempotent: buildah keeps its
# layers on the machine, and an image containerd already has is not re-imported.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${PODID_CLUSTER_CACHE:-/var/cache/podid-cluster}"
sock="${PODID_CLUSTER_STATE:-/var/lib/podid-cluster}/run/containerd.sock"
mkdir -p "$cache/images"
log() { echo "build-images: $*" >&2; }

node_version="$(node --version)"
base_ref="docker.io/library/node:20.20-bookworm-slim"
apps=(gateway policy pod-verifier ca-signer cert-injector token-issuer authn-client)

build_base() {
  if buildah inspect --type image "$base_ref" >/dev/null 2>&1 \
    && [ "$(buildah inspect --type image --format '{{index .ImageAnnotations "podid.node"}}' "$base_ref" 2>/dev/null)" = "$node_version" ]; then
    return
  fi
  local rootfs="$cache/images/rootfs-bookworm"
  if [ ! -x "$rootfs/usr/sbin/useradd" ]; then
    log "debootstrap bookworm (minbase)"
    rm -rf "$rootfs.tmp"
    debootstrap --variant=minbase --include=libstdc++6,ca-certificates bookworm "$rootfs.tmp" http://deb.debian.org/debian >/dev/null
    rm -rf "$rootfs.tmp/var/lib/apt/lists/"* "$rootfs.tmp/var/cache/apt/"*
    mv "$rootfs.tmp" "$rootfs"
  fi
  log "base image $base_ref with node $node_version"
  local c
  c="$(buildah from scratch)"
  buildah copy --quiet "$c" "$rootfs" / >/dev/null
  buildah copy --quiet "$c" "$(command -v node)" /usr/local/bin/node >/dev/null
  buildah copy --quiet "$c" /usr/lib/node_modules/npm /usr/local/lib/node_modules/npm >/dev/null
  buildah run --isolation chroot "$c" -- sh -c 'ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx'
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node \
    --annotation "podid.node=$node_version" "$c"
  buildah commit --quiet "$c" "$base_ref" >/dev/null
  buildah rm "$c" >/dev/null
}

build_pause() {
  buildah inspect --type image localhost/pause:podid >/dev/null 2>&1 && return
  log "pause image"
  local tmp c
  tmp="$(mktemp -d)"
  gcc -static -O2 -o "$tmp/pause" "$here/images/pause.c"
  c="$(buildah from scratch)"
  buildah copy --quiet "$c" "$tmp/pause" /pause >/dev/null
  buildah config --entrypoint '["/pause"]' "$c"
  buildah commit --quiet "$c" localhost/pause:podid >/dev/null
  buildah rm "$c" >/dev/null
  rm -rf "$tmp"
}

build_podid() {
  log "podid images from the Dockerfile"
  # The machine's npm settings (registry CA) are lent to the build, not baked in.
  local npmrc=() global
  global="$(npm config get globalconfig)"
  [ -f "$HOME/.npmrc" ] && npmrc+=(-v "$HOME/.npmrc:/root/.npmrc:ro")
  [ -f "$global" ] && npmrc+=(-v "$global:/usr/local/etc/npmrc:ro")
  buildah bud --quiet --isolation chroot --layers --pull=never "${npmrc[@]}" \
    -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
    --build-arg APP=all -t docker.io/podid/podid:dev -f "$repo/Dockerfile" "$repo" >/dev/null
}

build_conjur_client() {
  local bin="$cache/bin-conjur/authenticator"
  if [ ! -x "$bin" ] || [ "$here/conjur-client/go.sum" -nt "$bin" ]; then
    log "CyberArk authn-k8s client from the Go module proxy"
    mkdir -p "$(dirname "$bin")"
    (cd "$here/conjur-client" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" github.com/cyberark/conjur-authn-k8s-client/cmd/authenticator)
    mv "$bin.tmp" "$bin"
  fi
  local ref=docker.io/cyberark/conjur-authn-k8s-client:0.26.1
  buildah inspect --type image "$ref" >/dev/null 2>&1 && [ "$bin" -ot "$cache/images/.conjur-built" ] && return
  # The same layout as CyberArk's image: user 777, the cert and token
  # directories group 0 and 770.
  local c
  c="$(buildah from --pull=never "$base_ref")"
  buildah copy --quiet "$c" "$bin" /usr/local/bin/authenticator >/dev/null
  buildah run --isolation chroot "$c" -- sh -c 'groupadd -r -g 777 authenticator && useradd -r -u 777 -g authenticator -m authenticator && mkdir -p /etc/conjur/ssl /run/conjur && chown 777:0 /etc/conjur/ssl /run/conjur && chmod 770 /etc/conjur/ssl /run/conjur'
  buildah config --user 777 --entrypoint '["/usr/local/bin/authenticator"]' --cmd '' "$c"
  buildah commit --quiet "$c" "$ref" >/dev/null
  buildah rm "$c" >/dev/null
  touch "$cache/images/.conjur-built"
}

build_redis() {
  # deploy/ names redis:7.2-alpine; the stand-in is Debian's Redis under that
  # name, with an entrypoint that runs redis-server for flag-only args as the
  # official image does.
  local ref=docker.io/library/redis:7.2-alpine c
  buildah inspect --type image "$ref" >/dev/null 2>&1 && return
  log "redis image from Debian's redis-server"
  c="$(buildah from --pull=never "$base_ref")"
  buildah run --isolation chroot "$c" -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server redis-sentinel >/dev/null && rm -rf /var/lib/apt/lists/* && usermod -u 999 redis && groupmod -g 999 redis && mkdir -p /data && chown 999:999 /data'
  buildah copy --quiet --chmod 0755 "$c" "$here/images/redis-entrypoint.sh" /usr/local/bin/redis-entrypoint.sh >/dev/null
  # The official build compiles protected mode off, for Sentinel too; Debian's is on and refuses other pods.
  buildah run --isolation chroot "$c" -- sh -c 'printf "#!/bin/sh\nexec /usr/bin/redis-server \"\$@\" --protected-mode no\n" >/usr/local/bin/redis-server && printf "#!/bin/sh\nexec /usr/bin/redis-server \"\$@\" --sentinel --protected-mode no\n" >/usr/local/bin/redis-sentinel && chmod 755 /usr/local/bin/redis-server /usr/local/bin/redis-sentinel'
  buildah config --user 999 --workingdir /data --entrypoint '["/usr/local/bin/redis-entrypoint.sh"]' --cmd redis-server "$c"
  buildah commit --quiet "$c" "$ref" >/dev/null
  buildah rm "$c" >/dev/null
}

build_demo_app() {
  # deploy/examples' app is busybox:1.36 running sh and test; the Debian base
  # has both. The conformance suite's image is the same base.
  buildah tag "$base_ref" docker.io/library/busybox:1.36 localhost/podid-base:dev
}

import_all() {
  local have
  have="$(ctr -a "$sock" -n k8s.io images ls -q 2>/dev/null || true)"
  for ref in localhost/pause:podid "$base_ref" docker.io/podid/podid:dev \
    docker.io/cyberark/conjur-authn-k8s-client:0.26.1 docker.io/library/busybox:1.36 localhost/podid-base:dev \
    docker.io/library/redis:7.2-alpine; do
    local id marker
    id="$(buildah inspect --type image --format '{{.FromImageID}}' "$ref" 2>/dev/null)" || { log "no image $ref yet"; continue; }
    marker="$cache/images/.imported-$(echo "$ref" | tr '/:' '__')"
    if grep -qx "$ref" <<<"$have" && [ "$(cat "$marker" 2>/dev/null)" = "$id" ]; then
      continue
    fi
    log "import $ref"
    local tar="$cache/images/export.tar"
    rm -f "$tar"
    buildah push --quiet "$ref" "docker-archive:$tar:$ref" >/dev/null
    ctr -a "$sock" -n k8s.io images import "$tar" >/dev/null
    rm -f "$tar"
    echo "$id" >"$marker"
  done
  # One podid image under every app's name, as deploy/ references them.
  for app in "${apps[@]}"; do
    ctr -a "$sock" -n k8s.io images tag --force docker.io/podid/podid:dev "docker.io/podid/$app:latest" >/dev/null
  done
}

build_base
build_pause
build_conjur_client
build_demo_app
build_redis
[ "${PODID_CLUSTER_SKIP_PODID_IMAGE:-}" = 1 ] || build_podid
if [ -S "$sock" ]; then import_all; else log "containerd is not running at $sock: images built, not imported"; fi
