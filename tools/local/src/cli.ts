// `npm start`: the whole podid suite on this machine (docs/local-mode.md).
import { resolve } from 'node:path';
import { list, loadConfigOrExit, oneOf, optionalStr, port, str } from '@podid/config';
import { CorruptStateError } from './state-pki';
import { SERVICES, startSuite, type Suite } from './suite';

const REPO = resolve(__dirname, '../../..');
const cfg = loadConfigOrExit('podid-local', {
  stateDir: str({ env: 'PODID_STATE_DIR', default: resolve(REPO, '.podid') }),
  policy: str({ env: 'PODID_POLICY', default: resolve(REPO, 'deploy/local/policy.yaml') }),
  manifests: list({ env: 'PODID_MANIFESTS', default: [resolve(REPO, 'deploy/local/cluster')] }),
  qaManifests: list({ env: 'PODID_QA_MANIFESTS', default: [resolve(REPO, 'deploy/local/cluster-qa')] }),
  gatewayPort: port({ env: 'PODID_GATEWAY_PORT', default: 8443 }),
  platformPort: port({ env: 'PODID_PLATFORM_PORT', default: 8444 }),
  redisUrl: optionalStr({ env: 'REDIS_URL' }),
  logLevel: oneOf({ env: 'PODID_LOG_LEVEL', values: ['debug', 'info', 'warn', 'error'] as const, default: 'info' }),
});

const say = (line: string) => process.stdout.write(`podid: ${line}\n`);
let suite: Suite | undefined;
let stopping = false;

async function shutdown(signal: string, code = 0): Promise<void> {
  if (stopping) process.exit(130);
  stopping = true;
  say(`${signal}: stopping every service`);
  await suite?.stop();
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

async function main(): Promise<void> {
  say(`state dir ${cfg.stateDir}`);
  say(`policy ${cfg.policy}; cluster dev: ${cfg.manifests.join(', ')}; cluster qa: ${cfg.qaManifests.join(', ')}`);
  const started = Date.now();
  suite = await startSuite({
    stateDir: cfg.stateDir,
    policyPath: cfg.policy,
    manifests: [],
    clusters: [
      { name: 'dev', manifests: cfg.manifests.map((m) => resolve(m)) },
      { name: 'qa', manifests: cfg.qaManifests.map((m) => resolve(m)) },
    ],
    redisUrl: cfg.redisUrl,
    gatewayPort: cfg.gatewayPort,
    platformPort: cfg.platformPort,
    logLevel: cfg.logLevel,
    logToFiles: true,
  });
  say(`Kubernetes API (dev)      ${suite.sims.get('dev')!.url}   (kubeconfig: ${cfg.stateDir}/kubeconfig)`);
  say(`Kubernetes API (qa)       ${suite.sims.get('qa')!.url}   (kubeconfig: ${cfg.stateDir}/clusters/qa/kubeconfig)`);
  say(`clusters file             ${suite.clustersFile}`);
  say(`Redis                     ${suite.redisUrl}${suite.redis ? ' (started by podid)' : ''}`);
  for (const name of SERVICES) say(`${name.padEnd(26)}pid ${suite.services.get(name)!.pid}   log ${cfg.stateDir}/logs/${name}.log`);
  say(`gateway                   ${suite.gatewayUrl}   (CA: ${cfg.stateDir}/gateway-ca.pem)`);
  say(`platform gRPC API         ${suite.platformAddr}   (podid status --server ${suite.platformAddr} ...)`);
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Try: curl --cacert ${cfg.stateDir}/gateway-ca.pem ${suite.gatewayUrl}/readyz`);
  say('Ctrl-C stops everything.');
  // A service that dies is reported; the others keep running so the operator can read its log.
  const reported = new Set<string>();
  setInterval(() => {
    for (const [name, s] of suite!.services) {
      if (s.running || stopping || reported.has(name)) continue;
      reported.add(name);
      say(`${name} stopped unexpectedly; see ${cfg.stateDir}/logs/${name}.log`);
    }
  }, 2000).unref();
}

main().catch(async (e: unknown) => {
  process.stderr.write(`podid: ${e instanceof CorruptStateError ? e.message : e instanceof Error ? e.message : String(e)}\n`);
  await shutdown('error', 1);
});
