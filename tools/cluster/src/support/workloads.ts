/** Manifests of the tier's own workloads, beside deploy/examples. */

export function authnClientContainer(hostId: string): string {
  return `
        - name: authenticator
          image: podid/authn-client:latest
          imagePullPolicy: IfNotPresent
          args: ["apps/authn-client/dist/main.js"]
          env:
            - { name: CONJUR_AUTHN_URL, value: "https://gateway.podid.svc/authn-k8s/dev-cluster" }
            - { name: CONJUR_ACCOUNT, value: default }
            - { name: CONJUR_AUTHN_LOGIN, value: "host/${hostId}" }
            - name: CONJUR_SSL_CERTIFICATE
              valueFrom: { configMapKeyRef: { name: podid-gateway-ca, key: ca.pem } }
            - name: MY_POD_NAME
              valueFrom: { fieldRef: { fieldPath: metadata.name } }
            - name: MY_POD_NAMESPACE
              valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
          volumeMounts:
            - { name: conjur-access-token, mountPath: /run/conjur }
            - { name: conjur-client-cert, mountPath: /etc/conjur/ssl }`;
}

/** A container named as the injector expects that only waits: certificates written into it stay for the test to read. */
export function idleAuthenticatorContainer(): string {
  return `
        - name: authenticator
          image: busybox:1.36
          imagePullPolicy: IfNotPresent
          command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
          volumeMounts:
            - { name: conjur-client-cert, mountPath: /etc/conjur/ssl }`;
}

const podSecurity = `
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: RuntimeDefault } }
      automountServiceAccountToken: false`;

const volumes = `
      volumes:
        - { name: conjur-access-token, emptyDir: { medium: Memory } }
        - { name: conjur-client-cert, emptyDir: { medium: Memory } }`;

export function deployment(opts: { name: string; namespace: string; serviceAccount: string; containers: string; replicas?: number }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${opts.name}, namespace: ${opts.namespace} }
spec:
  replicas: ${opts.replicas ?? 1}
  selector: { matchLabels: { app: ${opts.name} } }
  template:
    metadata: { labels: { app: ${opts.name} } }
    spec:
      serviceAccountName: ${opts.serviceAccount}${podSecurity}
      terminationGracePeriodSeconds: 5
      containers:${opts.containers}${volumes}
`;
}

export function statefulSet(opts: { name: string; namespace: string; serviceAccount: string; containers: string }): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: ${opts.name}, namespace: ${opts.namespace} }
spec:
  serviceName: ${opts.name}
  replicas: 1
  selector: { matchLabels: { app: ${opts.name} } }
  template:
    metadata: { labels: { app: ${opts.name} } }
    spec:
      serviceAccountName: ${opts.serviceAccount}${podSecurity}
      terminationGracePeriodSeconds: 5
      containers:${opts.containers}${volumes}
`;
}

export function serviceAccount(name: string, namespace: string): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata: { name: ${name}, namespace: ${namespace} }
automountServiceAccountToken: false
`;
}
