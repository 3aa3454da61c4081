#!/usr/bin/env bash
# Prints the path of a kubectl >= 1.27 (the kubectl cases of the conformance
# suite use OpenAPI v3 validation and modern output). The machine's kubectl is
# used when new enough; else Debian trixie's kubectl package (1.32,
# which runs on bookworm) is unpacked into tools/.kubectl without touching the
# system's apt state. Bookworm's own kubectl is 1.20.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="$root/tools/.kubectl"
bin="$dest/usr/bin/kubectl"
minor_of() { "$1" version --client -o json 2>/dev/null | sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -1; }
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
if machine="$(command -v kubectl)" && [ "$(minor_of "$machine")" -ge 27 ] 2>/dev/null; then echo "$machine"; exit 0; fi

mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
[ -n "$mirror" ] || mirror=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' | head -1 || true)
[ -n "$mirror" ] || { echo "install-kubectl: no Debian mirror configured in /etc/apt" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$work/sources.list"
O=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=/dev/null -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
apt-get "${O[@]}" -qq update >&2
# By version: apt would otherwise pick the version a machine has installed from elsewhere.
version=$(apt-cache "${O[@]}" madison kubectl | awk -F'|' '$3 ~ /trixie/ { gsub(/ /, "", $2); print $2; exit }')
[ -n "$version" ] || { echo "install-kubectl: trixie has no kubectl package" >&2; exit 1; }
(cd "$work" && apt-get "${O[@]}" -qq download "kubectl=$version" >&2)
mkdir -p "$dest"
dpkg-deb -x "$work"/kubectl_*.deb "$dest"
echo "$bin"
