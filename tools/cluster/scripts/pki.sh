#!/usr/bin/env bash
# The tier cluster's PKI, made once with openssl: one CA for the API server,
# its clients and the kubelet (the controller-manager signs CSRs with it too),
# and the service-account signing key.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$PKI"
cd "$PKI"

[ -f ca.key ] || {
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=podid-tier-ca" -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# cert NAME SUBJECT EXT_USAGE [SAN]
cert() {
  local name="$1" subject="$2" usage="$3" san="${4:-}"
  [ -f "$name.crt" ] && return
  openssl ecparam -name prime256v1 -genkey -noout -out "$name.key" 2>/dev/null
  openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature"
    echo "extendedKeyUsage=$usage"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -sha256 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

cert apiserver "/CN=kube-apiserver" serverAuth \
  "IP:$NODE_IP,IP:127.0.0.1,IP:$SERVICE_API_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:$NODE_NAME"
cert kubelet-serving "/CN=system:node:$NODE_NAME/O=system:nodes" serverAuth "IP:$NODE_IP,DNS:$NODE_NAME"
cert admin "/CN=podid-tier-admin/O=system:masters" clientAuth
cert apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client/O=system:masters" clientAuth
cert controller-manager "/CN=system:kube-controller-manager" clientAuth
cert scheduler "/CN=system:kube-scheduler" clientAuth
cert kubelet "/CN=system:node:$NODE_NAME/O=system:nodes" clientAuth
cert kube-proxy "/CN=system:kube-proxy" clientAuth
cert coredns "/CN=system:podid-tier-coredns" clientAuth

[ -f sa.key ] || {
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
}
chmod 600 ./*.key

# One kubeconfig per client, each with its own certificate.
mkdir -p "$KCFG"
for who in admin controller-manager scheduler kubelet kube-proxy coredns; do
  cat >"$KCFG/$who.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: podid-tier
    cluster:
      server: https://$NODE_IP:$API_PORT
      certificate-authority: $PKI/ca.crt
users:
  - name: $who
    user:
      client-certificate: $PKI/$who.crt
      client-key: $PKI/$who.key
contexts:
  - name: podid-tier
    context: { cluster: podid-tier, user: $who }
current-context: podid-tier
EOF
done
cp "$KCFG/admin.kubeconfig" "$ADMIN_KUBECONFIG"
