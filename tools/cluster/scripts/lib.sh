# Shared settings of the cluster tier's scripts (sourced, not run).
# Everything lives outside the repo: the cluster's state and logs in $STATE,
# the built binaries and images' inputs in $CACHE.
STATE="${PODID_CLUSTER_STATE:-/var/lib/podid-cluster}"
CACHE="${PODID_CLUSTER_CACHE:-/var/cache/podid-cluster}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The node's address and the cluster DNS address sit on the loopback
# interface: reachable from this machine and its pods, from nowhere else.
# kubelet refuses a 127/8 node IP, so these are private addresses on lo.
NODE_NAME=podid-node
NODE_IP=10.200.0.1
DNS_IP=10.200.0.10
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
SERVICE_API_IP=10.96.0.1
ETCD_PORT=23790
ETCD_PEER_PORT=23800
API_PORT=6443
BRIDGE=podid0

PKI="$STATE/pki"
RUN="$STATE/run"
LOGS="$STATE/logs"
KCFG="$STATE/kubeconfigs"
SOCK="$RUN/containerd.sock"
ADMIN_KUBECONFIG="$STATE/admin.kubeconfig"

# Kernel settings the tier changes (kubelet, kube-proxy, forwarding); their
# values before `up` are saved once and put back by `down`.
SAVED_SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.ipv4.conf.all.route_localnet)

k8s_bin() { echo "$CACHE/bin-$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2 }' "$HERE/binaries/go.mod")"; }

log() { echo "cluster: $*" >&2; }

pid_alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# start NAME CMD...: runs CMD in its own session, logs to $LOGS/NAME.log.
start() {
  local name="$1"
  shift
  if pid_alive "$name"; then return; fi
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# stop NAME: SIGTERM by PID, SIGKILL after 20 s.
stop() {
  local name="$1" pid
  [ -f "$RUN/$name.pid" ] || return 0
  pid="$(cat "$RUN/$name.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

# wait_for WHAT SECONDS CMD...: retries CMD once a second.
wait_for() {
  local what="$1" limit="$2"
  shift 2
  for _ in $(seq 1 "$limit"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what not ready after ${limit}s; see $LOGS"
  return 1
}

kubectl_admin() { "$(k8s_bin)/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }
