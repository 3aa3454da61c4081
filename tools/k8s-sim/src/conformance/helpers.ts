import { eventually } from '@podid/testkit';
import { request } from 'node:https';
import { WebSocket } from 'ws';
import { impersonationHeaders, type Identity, type Target } from './target';

/** Generous on a real cluster, which takes seconds to start a pod or to sign a CSR; shorter on the simulator so failures show fast. */
export const SLOW_MS = Number(process.env['CONFORMANCE_SLOW_MS'] ?? (process.env['CONFORMANCE_KUBECONFIG'] ? 90_000 : 15_000));

/**
 * Every case and hook of the suite gets a jest timeout above its waits (a case may wait for a pod, then for an event,
 * each up to SLOW_MS), so that a slow cluster fails with the wait's own reason rather than jest's timeout.
 */
export const TEST_MS = 3 * SLOW_MS;
jest.setTimeout(TEST_MS);

/** A pod of the target's image whose shell ends at once on SIGTERM (so graceful deletion does not wait 30 s). */
export function shellPod(t: Target, name: string, extra: { env?: unknown[]; securityContext?: unknown; command?: string[]; restartPolicy?: string; terminationGracePeriodSeconds?: number } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: {
      restartPolicy: extra.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: extra.terminationGracePeriodSeconds ?? 30,
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'main',
          image: t.image,
          imagePullPolicy: 'Never',
          command: extra.command ?? ['/bin/sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'],
          ...(extra.env ? { env: extra.env } : {}),
          ...(extra.securityContext ? { securityContext: extra.securityContext } : {}),
        },
      ],
    },
  };
}

export async function createPod(t: Target, ns: string, pod: Record<string, unknown>): Promise<{ uid: string }> {
  const r = await t.raw('POST', `/api/v1/namespaces/${ns}/pods`, { body: pod });
  if (r.status !== 201) throw new Error(`pod create: ${r.status} ${r.text}`);
  return { uid: r.json.metadata.uid };
}

/** Waits until the pod's phase is `phase` (Running also needs its containers ready). */
export async function waitPhase(t: Target, ns: string, name: string, phase: string): Promise<void> {
  await eventually(async () => {
    const r = await t.raw('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
    expect(r.json?.status?.phase).toBe(phase);
    if (phase === 'Running') expect(r.json.status.containerStatuses?.every((c: { ready?: boolean }) => c.ready)).toBe(true);
  }, SLOW_MS);
}

export async function runningPod(t: Target, ns: string, name: string, extra: Parameters<typeof shellPod>[2] = {}): Promise<{ uid: string }> {
  const p = await createPod(t, ns, shellPod(t, name, extra));
  await waitPhase(t, ns, name, 'Running');
  return p;
}

export interface ExecResult {
  /** HTTP status when the upgrade was refused. */
  refused?: number;
  refusal?: { reason?: string; message?: string; code?: number };
  stdout: string;
  stderr: string;
  /** The v4/v5 status document from channel 3. */
  status?: { status?: string; reason?: string; code?: number; message?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };
}

/** pods/exec over WebSocket (v5/v4 channel protocol), as admin or impersonating `as`. */
export async function exec(t: Target, ns: string, pod: string, command: string[], as?: Identity, container = 'main'): Promise<ExecResult> {
  const base = await t.httpsOptions();
  const q = new URLSearchParams({ container, stdout: 'true', stderr: 'true' });
  for (const c of command) q.append('command', c);
  const url = `wss://${base.hostname}:${base.port}/api/v1/namespaces/${ns}/pods/${pod}/exec?${q}`;
  const headers = impersonationHeaders(as) as Record<string, string>;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], { ca: base.ca, cert: base.cert, key: base.key, headers });
    const out: ExecResult = { stdout: '', stderr: '' };
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        out.refused = res.statusCode ?? 0;
        try {
          out.refusal = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          out.refusal = { message: Buffer.concat(chunks).toString('utf8') };
        }
        resolve(out);
      });
    });
    ws.on('message', (data: Buffer) => {
      const ch = data[0];
      const body = data.subarray(1).toString('utf8');
      if (ch === 1) out.stdout += body;
      else if (ch === 2) out.stderr += body;
      else if (ch === 3 && body) out.status = JSON.parse(body);
    });
    ws.on('close', () => resolve(out));
    ws.on('error', (e) => (out.refused === undefined ? reject(e) : undefined));
  });
}

export interface WatchEvent {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  object: any;
}

export interface RawWatch {
  /** HTTP status of the watch response. */
  status: Promise<number>;
  events: WatchEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  abort(): void;
}

/** A watch over raw HTTPS that records every event and whether the server ended the stream. */
export async function rawWatch(t: Target, path: string): Promise<RawWatch> {
  const base = await t.httpsOptions();
  const events: WatchEvent[] = [];
  let setStatus: (n: number) => void = () => undefined;
  let setEnded: () => void = () => undefined;
  const status = new Promise<number>((r) => (setStatus = r));
  const ended = new Promise<void>((r) => (setEnded = r));
  const req = request({ ...base, method: 'GET', path, headers: { Accept: 'application/json' } }, (res) => {
    setStatus(res.statusCode ?? 0);
    let buf = '';
    res.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        const parsed = JSON.parse(line);
        // A non-200 answer is a bare Status, not an event: record it as an ERROR so callers see one shape.
        events.push(parsed.type ? parsed : { type: 'ERROR', object: parsed });
      }
    });
    res.on('end', () => {
      if (buf.trim()) {
        const parsed = JSON.parse(buf.trim());
        events.push(parsed.type ? parsed : { type: 'ERROR', object: parsed });
      }
      setEnded();
    });
    res.on('error', () => setEnded());
  });
  req.on('error', () => {
    setStatus(0);
    setEnded();
  });
  req.end();
  return { status, events, ended, abort: () => req.destroy() };
}

/** A Role and RoleBinding in `ns` granting `rules` to `user`. */
export async function grant(t: Target, ns: string, user: string, name: string, rules: unknown[]): Promise<void> {
  const role = await t.raw('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, { body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules } });
  if (role.status !== 201) throw new Error(`role: ${role.status} ${role.text}`);
  const rb = await t.raw('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  });
  if (rb.status !== 201) throw new Error(`rolebinding: ${rb.status} ${rb.text}`);
}

/** Cluster-wide grant; the caller deletes it (cluster objects outlive namespaces). */
export async function grantCluster(t: Target, user: string, name: string, rules: unknown[]): Promise<() => Promise<void>> {
  const g = 'rbac.authorization.k8s.io';
  const role = await t.raw('POST', `/apis/${g}/v1/clusterroles`, { body: { apiVersion: `${g}/v1`, kind: 'ClusterRole', metadata: { name }, rules } });
  if (role.status !== 201) throw new Error(`clusterrole: ${role.status} ${role.text}`);
  const crb = await t.raw('POST', `/apis/${g}/v1/clusterrolebindings`, {
    body: { apiVersion: `${g}/v1`, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: g, kind: 'ClusterRole', name }, subjects: [{ apiGroup: g, kind: 'User', name: user }] },
  });
  if (crb.status !== 201) throw new Error(`clusterrolebinding: ${crb.status} ${crb.text}`);
  return async () => {
    await t.raw('DELETE', `/apis/${g}/v1/clusterrolebindings/${name}`);
    await t.raw('DELETE', `/apis/${g}/v1/clusterroles/${name}`);
  };
}

/** RBAC grants take effect asynchronously on a real cluster (informer caches): retry until allowed. */
export async function untilAllowed(t: Target, as: Identity, attrs: Record<string, string>): Promise<void> {
  await eventually(async () => {
    const r = await t.raw('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: as.user, groups: as.groups ?? [], resourceAttributes: attrs } },
    });
    expect(r.json?.status?.allowed).toBe(true);
  }, 30_000);
}
