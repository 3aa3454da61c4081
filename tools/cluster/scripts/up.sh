#!/usr/bin/env bash
# Brings up a real single-node Kubernetes cluster on this machine: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, containerd + runc,
# kubelet, kube-proxy and CoreDNS, every one a process with a PID in $RUN.
# Idempotent: what already runs is kept. `down.sh` ends it all and puts the
# kernel settings and iptables back as they were found.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$STATE" "$RUN" "$LOGS" "$STATE/saved"

[ "$(id -u)" = 0 ] || { log "must run as root (kubelet, containerd, iptables)"; exit 1; }
"$HERE/scripts/install-deps.sh"
BIN="$("$HERE/scripts/build-binaries.sh")"

# What down.sh puts back, saved only by the first up after a down.
if [ ! -f "$STATE/saved/sysctl" ]; then
  for key in "${SAVED_SYSCTLS[@]}"; do
    value="$(sysctl -n "$key" 2>/dev/null)" && echo "$key=$value"
  done >"$STATE/saved/sysctl.tmp"
  iptables-save >"$STATE/saved/iptables"
  mv "$STATE/saved/sysctl.tmp" "$STATE/saved/sysctl"
fi

lo_addrs="$(ip -4 addr show dev lo)"
for ip in "$NODE_IP" "$DNS_IP"; do
  grep -q " $ip/32 " <<<"$lo_addrs" || ip addr add "$ip/32" dev lo
done
sysctl -qw net.ipv4.ip_forward=1
# Pod-to-Service traffic between two pods on one bridge must pass iptables.
sysctl -qw net.bridge.bridge-nf-call-iptables=1

"$HERE/scripts/pki.sh"

log "etcd"
start etcd "$BIN/etcd" --name podid-tier --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "podid-tier=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
wait_for etcd 60 curl -sf "http://127.0.0.1:$ETCD_PORT/health"

log "kube-apiserver"
start kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --anonymous-auth=true --profiling=false --v=1 \
  --etcd-compaction-interval 1m
# Compaction every minute (default 5m): each one compacts to the version of the one before, so a version is gone
# after two intervals; the conformance suite's 410 Expired case otherwise needs a cluster over 10 minutes old.
wait_for kube-apiserver 120 kubectl_admin get --raw /readyz

log "kube-controller-manager and kube-scheduler"
start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$KCFG/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$KCFG/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$KCFG/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
  --cluster-name podid-tier --v=1
start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$KCFG/scheduler.kubeconfig" \
  --authentication-kubeconfig "$KCFG/scheduler.kubeconfig" --authorization-kubeconfig "$KCFG/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --v=1

log "containerd"
mkdir -p "$STATE/containerd" "$STATE/cni/net.d" "$STATE/cni/ipam"
cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/pause:podid"
  # This VM may not lower oom_score_adj (no CAP_SYS_RESOURCE); without this the
  # pause container fails with "can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
EOF
cat >"$STATE/cni/net.d/10-podid.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "podid-tier",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_CIDR" }]], "routes": [{ "dst": "0.0.0.0/0" }], "dataDir": "$STATE/cni/ipam" }
    }
  ]
}
EOF
start containerd containerd --config "$STATE/containerd/config.toml"
wait_for containerd 60 ctr -a "$SOCK" version

log "images"
"$HERE/scripts/build-images.sh"

log "kubelet"
mkdir -p "$STATE/kubelet" "$STATE/pod-logs"
cat >"$STATE/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$SOCK
clusterDomain: cluster.local
clusterDNS: [$DNS_IP]
resolvConf: /etc/resolv.conf
podLogsDir: $STATE/pod-logs
maxPods: 250
serializeImagePulls: false
evictionHard: { memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2% }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
start kubelet "$BIN/kubelet" --config "$STATE/kubelet/config.yaml" \
  --kubeconfig "$KCFG/kubelet.kubeconfig" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
  --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet/pki" --v=1
wait_for "node $NODE_NAME" 120 sh -c "'$BIN/kubectl' --kubeconfig '$ADMIN_KUBECONFIG' get node '$NODE_NAME' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"

log "kube-proxy and CoreDNS"
cat >"$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $KCFG/kube-proxy.kubeconfig }
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$NODE_IP/32]
iptables: { localhostNodePorts: false }
conntrack: { maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
start kube-proxy "$BIN/kube-proxy" --config "$STATE/kube-proxy.yaml" --v=1
kubectl_admin apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: podid-tier:coredns }
rules:
  - apiGroups: [""]
    resources: [services, endpoints, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: podid-tier:coredns }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: podid-tier:coredns }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: system:podid-tier-coredns }]
EOF
cat >"$STATE/Corefile" <<EOF
cluster.local:53 in-addr.arpa:53 {
  bind $DNS_IP
  kubernetes cluster.local in-addr.arpa {
    kubeconfig $KCFG/coredns.kubeconfig podid-tier
    pods insecure
  }
  cache 5
  errors
}
.:53 {
  bind $DNS_IP
  forward . /etc/resolv.conf
  errors
}
EOF
start coredns "$BIN/coredns" -conf "$STATE/Corefile"
wait_for "kube-proxy" 60 curl -sf http://127.0.0.1:10256/healthz
wait_for "default service account" 60 kubectl_admin -n default get serviceaccount default
log "up: KUBECONFIG=$ADMIN_KUBECONFIG"
