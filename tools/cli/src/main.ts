// The podid operator CLI: `npm run podid -- <command>`.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadKubeConfig } from '@podid/kube';
import { parseDuration } from '@podid/units';
import { clusterEntryHint, CREDENTIAL_USER, createK8sCredentials, rbacBindingYaml } from './k8s-credentials';

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
import { PLATFORM_COMMANDS, PLATFORM_USAGE, runPlatformCommand } from './platform-commands';
import { bootstrapSecrets } from './secrets-bootstrap';

const USAGE = `usage:
  podid k8s-credentials create --user <name> [--group <g>]... [--ttl 8760h] [--approve] [--wait 5m]
                               [--kubeconfig <admin kubeconfig>] [--cluster <name>] --out <kubeconfig to write>
      Makes a key and CSR, submits it to the certificates.k8s.io API (signer
      kubernetes.io/kube-apiserver-client), waits for approval (or approves it with
      --approve), writes a kubeconfig that uses the issued client certificate, and
      prints the RBAC bindings it needs. --cluster names the cluster as podid's
      clusters file does (docs/clusters.md) and prints the entry to add.
  podid secrets bootstrap --namespace podid --authenticator <id>... --gateway-host <dns>... [--kubeconfig <file>]
      Creates the Secrets a Kustomize install needs (internal mTLS, gateway TLS,
      one CA per authenticator, token keys) where they are absent. Safe to re-run.
${PLATFORM_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, verb, ...rest] = argv;
  if ((PLATFORM_COMMANDS as readonly string[]).includes(command ?? '')) {
    return runPlatformCommand(argv, process.env, { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`), stdin: () => readFileSync(0, 'utf8') });
  }
  if (command === 'secrets' && verb === 'bootstrap') return secrets(rest);
  if (command !== 'k8s-credentials' || verb !== 'create') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      user: { type: 'string' },
      group: { type: 'string', multiple: true, default: [] },
      ttl: { type: 'string', default: '8760h' },
      approve: { type: 'boolean', default: false },
      wait: { type: 'string', default: '5m' },
      kubeconfig: { type: 'string' },
      out: { type: 'string' },
      cluster: { type: 'string' },
    },
  });
  const ttlMs = parseDuration(values.ttl);
  const waitMs = parseDuration(values.wait);
  const problems = [
    !values.user && '--user is required',
    values.user && !CREDENTIAL_USER.test(values.user) && `--user ${JSON.stringify(values.user)}: expected letters, digits and : . _ @ - (at most 128)`,
    !values.out && '--out is required',
    (ttlMs === undefined || ttlMs < 600_000) && `--ttl ${JSON.stringify(values.ttl)}: expected a duration of at least 10m`,
    waitMs === undefined && `--wait ${JSON.stringify(values.wait)}: expected a duration such as 5m`,
    values.cluster !== undefined && !CLUSTER_NAME.test(values.cluster) && `--cluster ${JSON.stringify(values.cluster)}: expected a DNS label (lowercase a-z, 0-9, "-", at most 63), as in the clusters file`,
  ].filter(Boolean);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`podid: ${p}\n`);
    return 2;
  }
  const { kc } = loadKubeConfig(values.kubeconfig ?? process.env['KUBECONFIG']);
  const log = (line: string) => process.stderr.write(`podid: ${line}\n`);
  const issued = await createK8sCredentials(
    kc,
    { user: values.user!, groups: values.group, expirationSeconds: Math.floor(ttlMs! / 1000), approve: values.approve, waitMs: waitMs!, ...(values.cluster ? { cluster: values.cluster } : {}) },
    log,
  );
  writeFileSync(values.out!, issued.kubeconfigYaml, { mode: 0o600 });
  log(`wrote ${values.out} (client certificate valid until ${issued.notAfter.toISOString()})`);
  if (values.cluster) for (const line of clusterEntryHint(values.cluster, values.user!, values.out!).split('\n')) log(line);
  process.stdout.write(rbacBindingYaml(values.user!));
  return 0;
}

async function secrets(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      namespace: { type: 'string', default: 'podid' },
      authenticator: { type: 'string', multiple: true, default: [] },
      'gateway-host': { type: 'string', multiple: true, default: [] },
      kubeconfig: { type: 'string' },
    },
  });
  if (values.authenticator.length === 0 || values['gateway-host'].length === 0) {
    process.stderr.write('podid: --authenticator and --gateway-host are required (each may repeat)\n');
    return 2;
  }
  const { kc } = loadKubeConfig(values.kubeconfig ?? process.env['KUBECONFIG']);
  const created = await bootstrapSecrets(
    kc,
    { namespace: values.namespace, authenticators: values.authenticator, gatewayHosts: values['gateway-host'], now: new Date() },
    (line) => process.stderr.write(`podid: ${line}\n`),
  );
  process.stderr.write(`podid: ${created.length} Secret(s) created; existing ones were left as they were\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`podid: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
