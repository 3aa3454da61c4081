#!/usr/bin/env bash
# Debian packages the cluster tier needs; installs only what is missing.
set -euo pipefail
need=()
for pair in containerd:containerd runc:runc /usr/lib/cni/bridge:containernetworking-plugins \
  buildah:buildah iptables:iptables iptables-save:iptables debootstrap:debootstrap gcc:gcc \
  openssl:openssl curl:curl; do
  cmd="${pair%%:*}" pkg="${pair##*:}"
  if [ "${cmd#/}" != "$cmd" ]; then [ -e "$cmd" ] || need+=("$pkg"); else command -v "$cmd" >/dev/null || need+=("$pkg"); fi
done
# gcc -static needs libc6-dev's static libc.
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "cluster: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
