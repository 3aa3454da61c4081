import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createLocalJWKSet, flattenedVerify, type FlattenedJWSInput } from 'jose';
import { parseAllDocuments } from 'yaml';
import { waitFor } from '@podid/testkit';
import { FIXTURES, startE2eSuite, type Suite, servedJwks } from './support/e2e-suite';
import { leakedMaterial } from './support/log-leaks';

const NS = 'sidecar';
const DIR = join(FIXTURES, 'sidecar');
/**
 * How long the sidecar must keep a valid token, and how often it is checked:
 * with the fixture's 1m TTLs and 10 s CONJUR_TOKEN_TIMEOUT, 90 s see at least
 * two certificate renewals and several token refreshes, and a token that was
 * not refreshed would expire inside the watch.
 */
const WATCH_MS = 90_000;
const SAMPLE_MS = 1000;
const SIDECAR_HOST = 'conjur/authn-k8s/e2e/apps/sidecar-app';
/** `main` of the init pod copies the token it finds at its start, then idles until SIGTERM. */
type KeySet = ReturnType<typeof createLocalJWKSet>;

const TOKEN_CHECK = {
  command: ['/bin/sh', '-c', "cp /run/conjur/access-token /tmp/token-at-start 2>/dev/null || echo absent > /tmp/token-at-start; trap 'exit 0' TERM; while :; do sleep 1; done"],
};

/** Verifies a token file's content: a flattened JWS from the gateway's key set. Returns its claims. */
async function verifyToken(text: string, keys: KeySet): Promise<{ sub: string; exp: number; iat: number }> {
  const flat = await flattenedVerify(JSON.parse(text) as FlattenedJWSInput, keys);
  return JSON.parse(new TextDecoder().decode(flat.payload));
}

/** Every file under `dir` (host paths), skipping nothing: container roots hold only what the pod wrote. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

/** The authn-client sidecar and init container, run by the simulator as real processes against the real suite. */
describe('e2e: authn-client in simulated pods', () => {
  let suite: Suite;
  let keys: KeySet;
  let core: CoreV1Api;
  /** Every token value the sidecar wrote, to search the logs for. */
  const seenTokens = new Set<string>();

  beforeAll(async () => {
    // The suite also runs podid/authn-client images as apps/authn-client/dist/main.js.
    suite = await startE2eSuite({ policyPath: join(DIR, 'policy.yaml'), manifests: [join(DIR, 'cluster.yaml')], images: { 'e2e/token-check': TOKEN_CHECK } });
    keys = createLocalJWKSet(await servedJwks(suite));
    const kc = new KubeConfig();
    kc.loadFromString(suite.sim.adminKubeconfigYaml());
    core = kc.makeApiClient(CoreV1Api);
    const text = readFileSync(join(DIR, 'pods.yaml'), 'utf8').replaceAll('${GATEWAY_URL}', suite.gatewayUrl);
    for (const doc of parseAllDocuments(text)) await suite.sim.apply(doc.toJS() as object);
  }, 120_000);
  afterAll(() => suite?.stop(), 30_000);

  it('init mode exits 0 and leaves a valid token before the main container starts', async () => {
    const atStart = join(suite.sim.podRoot(NS, 'init-app', 'main'), 'tmp', 'token-at-start');
    const copied = await waitFor(() => (existsSync(atStart) ? readFileSync(atStart, 'utf8') : undefined), { timeoutMs: 60_000, message: 'main of init-app started' });
    const startedAt = statSync(atStart).mtimeMs / 1000;
    const claims = await verifyToken(copied, keys);
    seenTokens.add(copied);
    expect(claims.sub).toBe('host/conjur/authn-k8s/e2e/apps/init-app');
    expect(claims.exp).toBeGreaterThan(startedAt);
    const pod = await core.readNamespacedPod({ namespace: NS, name: 'init-app' });
    expect(pod.status?.initContainerStatuses?.find((c) => c.name === 'authenticator')).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 0 } } });
    expect(pod.status?.containerStatuses?.find((c) => c.name === 'main')?.state?.running).toBeDefined();
    expect(readFileSync(suite.sim.containerLogFile(NS, 'init-app', 'authenticator'), 'utf8')).toContain('"event":"CLIENT_INIT_DONE"');
  }, 90_000);

  it(
    'the sidecar keeps a valid token in the shared volume for 90 s, across at least two certificate renewals',
    async () => {
      const file = join(suite.sim.volumeDir(NS, 'sidecar-app', 'conjur-access-token'), 'access-token');
      await waitFor(() => existsSync(file), { timeoutMs: 60_000, message: `first token at ${file}` });
      const problems: string[] = [];
      let samples = 0;
      const end = Date.now() + WATCH_MS;
      await waitFor(
        async () => {
          const now = Date.now() / 1000;
          try {
            const text = readFileSync(file, 'utf8');
            const claims = await verifyToken(text, keys);
            seenTokens.add(text);
            if (claims.sub !== `host/${SIDECAR_HOST}`) problems.push(`sub ${claims.sub}`);
            if (claims.exp <= now) problems.push(`expired token at ${new Date(now * 1000).toISOString()} (exp ${claims.exp})`);
          } catch (e) {
            problems.push(`at ${new Date(now * 1000).toISOString()}: ${(e as Error).message}`);
          }
          samples += 1;
          return Date.now() >= end;
        },
        { timeoutMs: WATCH_MS + 30_000, intervalMs: SAMPLE_MS, message: 'the 90 s watch' },
      );
      expect(problems).toEqual([]);
      expect(samples).toBeGreaterThanOrEqual(WATCH_MS / SAMPLE_MS - 5);
      // A token every 10 s (CONJUR_TOKEN_TIMEOUT) and one per certificate login: about 9 to 13 in 90 s
      expect(seenTokens.size).toBeGreaterThanOrEqual(6);
      const issued = suite.logs('ca-signer').filter((l) => l['event'] === 'CERT_ISSUED' && String(l['spiffe_id']).endsWith('/podname/sidecar-app'));
      expect(issued.length).toBeGreaterThanOrEqual(3); // the first login and two renewals
      const clientLog = readFileSync(suite.sim.containerLogFile(NS, 'sidecar-app', 'authenticator'), 'utf8');
      expect(clientLog.match(/"event":"CAKC038"/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      const pod = await core.readNamespacedPod({ namespace: NS, name: 'sidecar-app' });
      expect(pod.status?.containerStatuses?.find((c) => c.name === 'authenticator')).toMatchObject({ restartCount: 0, ready: true });
    },
    WATCH_MS + 120_000,
  );

  it('the policy service warns that the fixture\'s 1m tokenTtl is under the Conjur client\'s CONJUR_TOKEN_TIMEOUT', () => {
    expect(suite.logs('policy').filter((l) => l['event'] === 'POLICY_TOKEN_TTL_BELOW_CONJUR_TIMEOUT')).toEqual([
      expect.objectContaining({ level: 'warn', line: 7, problem: expect.stringContaining('authenticator "e2e": tokenTtl 1m is shorter than') }),
    ]);
  });

  it('writes no private key anywhere in the pods, and logs no token', () => {
    const podsDir = join(suite.stateDir, 'pods', NS);
    const files = filesUnder(podsDir);
    expect(files.some((f) => f.endsWith('access-token'))).toBe(true);
    expect(files.filter((f) => readFileSync(f, 'latin1').includes('PRIVATE KEY'))).toEqual([]);
    const logs = files.filter((f) => f.endsWith('.log'));
    expect(logs.length).toBeGreaterThanOrEqual(2);
    const signatures = [...seenTokens].map((t) => (JSON.parse(t) as { signature: string }).signature);
    expect(signatures.length).toBeGreaterThan(0);
    const leaks = logs.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return /eyJ[A-Za-z0-9_-]{20,}/.test(text) || /-----BEGIN /.test(text) || signatures.some((s) => text.includes(s));
    });
    expect(leaks).toEqual([]);
    expect(leakedMaterial(suite)).toEqual([]);
  });
});
