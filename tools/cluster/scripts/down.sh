#!/usr/bin/env bash
# Ends the tier cluster by PID and puts the machine back as it was found:
# containers, mounts, the pod bridge, the loopback addresses, iptables and the
# kernel settings kubelet and kube-proxy changed. Keeps $STATE's PKI and the
# built binaries and images, so the next `up` is fast. `down.sh --purge` also
# deletes the cluster's data (etcd, containerd's root).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ -d "$RUN" ] || exit 0

stop coredns
stop kube-proxy
stop kubelet
# Every pod's processes belong to a containerd task; killing the tasks ends
# them and their shims, and containerd unmounts their root filesystems.
if pid_alive containerd; then
  for ns in k8s.io; do
    for task in $(ctr -a "$SOCK" -n "$ns" tasks ls -q 2>/dev/null); do
      ctr -a "$SOCK" -n "$ns" tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
    for _ in $(seq 1 20); do
      [ -z "$(ctr -a "$SOCK" -n "$ns" tasks ls -q 2>/dev/null | head -1)" ] && break
      for task in $(ctr -a "$SOCK" -n "$ns" tasks ls -q 2>/dev/null); do
        ctr -a "$SOCK" -n "$ns" tasks delete "$task" >/dev/null 2>&1 || true
      done
      sleep 0.5
    done
  done
fi
stop containerd
stop kube-scheduler
stop kube-controller-manager
stop kube-apiserver
stop etcd

# Mounts kubelet and containerd left under the state directory (volumes,
# sandboxes' shm), deepest first.
grep -F " $STATE/" /proc/self/mounts | awk '{ print $2 }' | sort -r | while read -r mnt; do
  umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
done
# Network namespaces of pods (the pause process is gone, the netns bind mount may stay).
for ns in $(ip netns list 2>/dev/null | awk '/^cni-/ { print $1 }'); do ip netns delete "$ns" 2>/dev/null || true; done
ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE"
# Not `ip addr | grep -q` under pipefail: grep quitting early can SIGPIPE ip and read as "absent".
lo_addrs="$(ip -4 addr show dev lo)"
for ip in "$NODE_IP" "$DNS_IP"; do
  if grep -q " $ip/32 " <<<"$lo_addrs"; then ip addr del "$ip/32" dev lo; fi
done
if [ -f "$STATE/saved/iptables" ]; then
  iptables-restore <"$STATE/saved/iptables"
  # iptables-restore leaves alone a table the saved state did not have (nat, before kube-proxy made it;
  # on a fresh machine, every table, filter included).
  for table in filter nat mangle raw; do
    if ! grep -qx "\*$table" "$STATE/saved/iptables"; then iptables -t "$table" -F 2>/dev/null || true; iptables -t "$table" -X 2>/dev/null || true; fi
  done
fi
if [ -f "$STATE/saved/sysctl" ]; then
  while IFS='=' read -r key value; do sysctl -qw "$key=$value" || true; done <"$STATE/saved/sysctl"
  rm -f "$STATE/saved/sysctl" "$STATE/saved/iptables"
fi
# kubelet's cgroups, once empty.
for root in /sys/fs/cgroup/*/; do
  [ -d "$root/kubepods" ] && find "$root/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done
rm -rf "$STATE/cni/ipam"
if [ "${1:-}" = --purge ]; then rm -rf "$STATE/etcd" "$STATE/containerd" "$STATE/kubelet" "$STATE/pod-logs" "$STATE/volumes" "$LOGS"; fi
log "down"
