import { readFileSync } from 'node:fs';
import path from 'node:path';
import { apply, kubectl, kubectlOk, repoRoot, tierRoot, until } from './tier';
import { applyOverlay, gatewayCa, podsOf, readInPod, waitAvailable } from './podid';

export const demoNs = 'demo';
export const TOKEN_FILE = '/run/conjur/access-token';

/** The tier's install: dev plus the tier policy (tools/cluster/deploy/tier). */
export async function installTier(): Promise<void> {
  await applyOverlay(path.join(tierRoot, 'deploy/tier'));
  await waitAvailable();
}

/** What deploy/examples/app-with-sidecar.yaml says must exist first: the namespace and the gateway CA ConfigMap. */
export async function prepareDemoNamespace(): Promise<void> {
  if ((await kubectl(['get', 'namespace', demoNs])).code !== 0) await kubectlOk(['create', 'namespace', demoNs]);
  const ca = await gatewayCa();
  await apply(`apiVersion: v1
kind: ConfigMap
metadata: { name: podid-gateway-ca, namespace: ${demoNs} }
data:
  ca.pem: |
${ca.trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}
`);
}

export function exampleManifest(): string {
  return readFileSync(path.join(repoRoot, 'deploy/examples/app-with-sidecar.yaml'), 'utf8');
}

/** The claims of a podid access token (docs/api.md, Token representations). */
export interface Claims {
  sub: string;
  jti: string;
  exp: number;
  k8s: Record<string, string>;
  [claim: string]: unknown;
}

export interface RunningPod {
  name: string;
  uid: string;
}

/** The one running, not terminating, pod of a selector once it is Ready. */
export async function readyPod(selector: string, namespace = demoNs, timeoutMs = 240_000): Promise<RunningPod> {
  return until(
    `a Ready pod for ${selector}`,
    async () => {
      const pods = (await podsOf(namespace, selector)).filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running');
      const ready = pods.filter((p) => (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 1 ? { name: ready[0]!.metadata.name, uid: ready[0]!.metadata.uid } : undefined;
    },
    timeoutMs,
    2000,
  );
}

/** The app container's view of the token file: the claims of the JWS in it. */
export async function tokenInApp(pod: string, namespace = demoNs): Promise<{ raw: string; claims: Claims } | undefined> {
  const raw = await readInPod(namespace, pod, 'app', TOKEN_FILE);
  if (!raw) return undefined;
  const token = JSON.parse(raw) as { payload: string };
  return { raw, claims: JSON.parse(Buffer.from(token.payload, 'base64url').toString('utf8')) as Claims };
}

export async function waitForToken(pod: string, namespace = demoNs, timeoutMs = 180_000) {
  return until(`a token in ${namespace}/${pod}`, () => tokenInApp(pod, namespace), timeoutMs, 2000);
}
