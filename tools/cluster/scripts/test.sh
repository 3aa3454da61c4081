#!/usr/bin/env bash
# npm run test:cluster: the cluster tier. Brings the real cluster up, runs the
# tier's specs (tools/cluster/src) and the simulator conformance suite against
# it, takes it down, and fails if the machine's kernel settings, iptables or
# loopback addresses are not as they were found.
# PODID_CLUSTER_KEEP=1 leaves the cluster running afterwards (for debugging:
# KUBECONFIG=/var/lib/podid-cluster/admin.kubeconfig).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$HERE/../.."

snapshot() {
  for key in "${SAVED_SYSCTLS[@]}"; do echo "$key=$(sysctl -n "$key" 2>/dev/null)"; done
  # Rules and non-default chains per table; an empty table and one that is absent read the same.
  iptables-save | awk '/^\*/ { t = $0 } /^-A/ { print t " " $0 } /^:/ { if ($1 !~ /^:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING)$/ || $2 != "ACCEPT") print t " " $1 " " $2 }'
  ip -4 addr show dev lo | grep inet
  ip link show "$BRIDGE" 2>/dev/null | head -1
}
before="$(mktemp)"
after="$(mktemp)"
snapshot >"$before"

t0=$(date +%s)
status=0
"$HERE/scripts/up.sh" || status=$?
echo "cluster up took $(( $(date +%s) - t0 ))s"
if [ "$status" = 0 ]; then
  t1=$(date +%s)
  (cd "$HERE" && npx jest -c jest.config.cjs --runInBand "$@") || status=$?
  echo "cluster specs took $(( $(date +%s) - t1 ))s"
fi
if [ "$status" = 0 ]; then
  # The simulator's conformance suite, against the real thing.
  (cd "$HERE/../k8s-sim" && CONFORMANCE_KUBECONFIG="$ADMIN_KUBECONFIG" CONFORMANCE_IMAGE=localhost/podid-base:dev PODID_KUBECTL="$(k8s_bin)/kubectl" \
    npx jest src/conformance --runInBand) || status=$?
fi

if [ "${PODID_CLUSTER_KEEP:-}" = 1 ]; then
  log "kept running: KUBECONFIG=$ADMIN_KUBECONFIG; end it with tools/cluster/scripts/down.sh"
  exit "$status"
fi
"$HERE/scripts/down.sh" --purge || status=$?
snapshot >"$after"
if ! diff -u "$before" "$after"; then
  log "the machine is not as it was found (diff above)"
  status=1
else
  log "kernel settings, iptables and loopback addresses are as they were found"
fi
rm -f "$before" "$after"
exit "$status"
