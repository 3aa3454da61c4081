import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, LogCapture } from '@podid/logging';
import { makeTestPki, tmpDir, type TestPki } from '@podid/testkit';
import { parseClientConfig, type ClientConfig } from '../config';
import { startClient, type RunningClient } from '../start-client';
import { FakeConjur, type FakeConjurOptions } from './fake-conjur-server';

/** Temp dirs of one test: the pod's cert volume and token volume. */
export interface PodDirs {
  readonly certDir: string;
  readonly tokenDir: string;
  readonly clientCertPath: string;
  readonly tokenFile: string;
}

const made: string[] = [];

/** Fresh pod dirs in the system temp dir; removePodDirs (in afterEach) deletes them. */
export function makePodDirs(): PodDirs {
  const certDir = tmpDir('authn-client-cert-');
  const tokenDir = tmpDir('authn-client-token-');
  made.push(certDir, tokenDir);
  return { certDir, tokenDir, clientCertPath: join(certDir, 'client.pem'), tokenFile: join(tokenDir, 'access-token') };
}

/** Deletes every dir makePodDirs made so far; call it after the clients that write there are stopped. */
export function removePodDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

let pki: Promise<TestPki> | undefined;
/** One test PKI per test file: the fake server's CA, which also signs client certificates. */
export function testPki(): Promise<TestPki> {
  return (pki ??= makeTestPki('authn-client'));
}

export async function startFake(dirs: PodDirs, opts: Partial<FakeConjurOptions> = {}): Promise<FakeConjur> {
  const p = await testPki();
  return new FakeConjur({ ca: p.ca, serverTls: await p.tls('gateway').then((t) => ({ certPem: t.certPem, keyPem: t.keyPem })), clientCertPath: dirs.clientCertPath, ...opts }).start();
}

/** The env the sidecar would get from a pod manifest, pointed at the fake. */
export async function clientEnv(dirs: PodDirs, url: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const p = await testPki();
  return {
    CONJUR_AUTHN_URL: url,
    CONJUR_ACCOUNT: 'default',
    CONJUR_AUTHN_LOGIN: 'host/conjur/authn-k8s/svc/apps/demo-app',
    CONJUR_SSL_CERTIFICATE: p.ca.certPem,
    MY_POD_NAME: 'demo-app-7d9f8c6b5-x2x4q',
    MY_POD_NAMESPACE: 'demo',
    CONJUR_AUTHN_TOKEN_FILE: dirs.tokenFile,
    CONJUR_CLIENT_CERT_PATH: dirs.clientCertPath,
    PODID_HEALTH_PORT: '0',
    PODID_BACKOFF_INITIAL: '200ms',
    PODID_BACKOFF_MAX: '1s',
    PODID_CERT_WAIT: '10s',
    ...extra,
  };
}

/** A client started in this process, with its log lines captured. */
export interface InProcessClient {
  readonly client: RunningClient;
  readonly logs: LogCapture;
  readonly exits: number[];
  readonly config: ClientConfig;
}

export async function startInProcess(env: Record<string, string>): Promise<InProcessClient> {
  const parsed = parseClientConfig(env);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const logs = new LogCapture();
  const log = createLogger({ service: 'authn-client', level: 'debug', destination: logs });
  const exits: number[] = [];
  const ca = env['CONJUR_SSL_CERTIFICATE'];
  const client = await startClient({
    config: parsed.config,
    cas: { ca: ca ? [ca] : undefined, usesSystemStore: !ca },
    log,
    onExit: (code) => exits.push(code),
  });
  return { client, logs, exits, config: parsed.config };
}

/** Every file under the dirs whose text contains `needle`. */
export function filesContaining(dirs: string[], needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (readFileSync(p, 'latin1').includes(needle)) hits.push(p);
    }
  };
  dirs.forEach(walk);
  return hits;
}
