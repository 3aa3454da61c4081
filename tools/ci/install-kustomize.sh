#!/usr/bin/env bash
# Installs Kustomize v5 into tools/.kustomize without touching the system's apt
# state. Bookworm's kubectl embeds kustomize v2, which rejects modern overlays;
# the kustomize package of the next Debian release runs on bookworm (it needs
# only libc6 >= 2.34).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="$root/tools/.kustomize"
bin="$dest/usr/bin/kustomize"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

# Use the Debian mirror this machine is already configured with.
mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
[ -n "$mirror" ] || mirror=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' | head -1 || true)
[ -n "$mirror" ] || { echo "install-kustomize: no Debian mirror configured in /etc/apt" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$work/sources.list"
O=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=/dev/null -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
apt-get "${O[@]}" -qq update >&2
(cd "$work" && apt-get "${O[@]}" -qq download kustomize >&2)
mkdir -p "$dest"
dpkg-deb -x "$work"/kustomize_*.deb "$dest"
echo "$bin"
