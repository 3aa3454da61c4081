import type { ChildProcess } from 'node:child_process';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { authorizeAndRecord, type SimContext } from './context';
import { commandStartError } from './command-path';
import { resolveContainerEnv } from './container-env';
import { findContainer } from './pod-spec';
import { volumeBinds } from './pod-volumes';
import { runAsOf } from './run-as';
import { writeProjectedVolumes } from './service-account-volume';
import { impersonate } from './impersonation';
import { parseResourcePath } from './router';
import { Sandbox } from './sandbox';
import { StatusError, badRequest, forbidden, notFound, unauthorized } from './status';
import type { K8sObject } from './types';
import { containerNames } from './validate';

/** Subprotocols in order of preference. A client that offers none gets channel.k8s.io framing (Conjur). */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
/** Largest websocket frame accepted from a client. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
const CH = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface ExecRequest {
  root: string;
  pod: K8sObject;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** The pod is Succeeded or Failed: the API server upgrades anyway and the kubelet finds no running container. */
  completed: boolean;
}

const flag = (q: URLSearchParams, k: string) => ['true', '1'].includes(q.get(k) ?? '');

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * pods/exec over WebSocket. The command really runs (see {@link Sandbox}); it is not killed when the client goes
 * away (Conjur sends stdin and closes at once), only after `timeoutMs`.
 */
export class ExecServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false });
  /** Running commands, each with a promise that settles once it has exited and its pipes are closed. */
  private readonly children = new Map<ChildProcess, Promise<void>>();

  constructor(
    private readonly ctx: SimContext,
    private readonly sandbox: Sandbox,
    private readonly timeoutMs: number,
  ) {}

  /** The server's 'upgrade' event. Errors are answered as plain HTTP Status responses before the upgrade. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    let exec: ExecRequest;
    try {
      exec = this.check(req);
    } catch (e) {
      const err = e instanceof StatusError ? e : new StatusError(500, 'InternalError', 'Internal error occurred');
      if (!(e instanceof StatusError)) this.ctx.log('SIM_INTERNAL_ERROR', 'unexpected error before exec upgrade', { error: (e as Error)?.message });
      const body = JSON.stringify(err.toStatus());
      socket.end(
        `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.run(ws, exec));
  }

  private check(req: IncomingMessage): ExecRequest {
    const url = new URL(req.url ?? '/', 'https://sim.invalid');
    const caller = this.ctx.authn.authenticateRequest(req);
    if (!caller) throw unauthorized();
    const user = impersonate(this.ctx, req, caller);
    const route = parseResourcePath(url.pathname);
    if (!route || route.subresource !== 'exec' || route.namespace === undefined || route.name === undefined || (req.method !== 'GET' && req.method !== 'POST'))
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    // A websocket upgrade is a GET, so the API server authorizes `get` on pods/exec (KEP-4006); v1.35 also requires
    // `create`. Both are checked, so that a role that works here works on either version.
    for (const verb of ['get', 'create']) {
      const attrs = { verb, apiGroup: '', resource: 'pods', subresource: 'exec', namespace: route.namespace, name: route.name };
      if (!authorizeAndRecord(this.ctx, user, attrs)) throw forbidden({ ...attrs, user: user.username });
    }
    const pod = this.ctx.store.get(route.def, route.namespace, route.name);
    if (!pod) throw notFound('pods', '', route.name);
    const q = url.searchParams;
    const names = containerNames(pod);
    let container = q.get('container') ?? '';
    if (!container) {
      if (names.length !== 1 || !names[0]) throw badRequest(`a container name must be specified for pod ${route.name}, choose one of: [${names.join(' ')}]`);
      container = names[0];
    }
    if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${route.name}`);
    const command = q.getAll('command');
    if (!command.length) throw badRequest('you must specify at least 1 command');
    const ex = { stdin: flag(q, 'stdin'), stdout: flag(q, 'stdout'), stderr: flag(q, 'stderr') };
    if (!ex.stdin && !ex.stdout && !ex.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
    const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
    const root = this.ctx.podFs.ensure(route.namespace, route.name, container);
    return { root, pod, container, command, ...ex, completed: phase === 'Succeeded' || phase === 'Failed' };
  }

  private run(ws: WebSocket, ex: ExecRequest): void {
    const protocol = ws.protocol || 'channel.k8s.io';
    const jsonStatus = protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io';
    const podName = ex.pod.metadata.name ?? 'pod';
    if (ex.completed) return this.refuse(ws, ex, protocol, `unable to upgrade connection: container not found ("${ex.container}")`);
    const user = runAsOf(ex.pod, ex.container);
    const env: Record<string, string> = { ...this.containerEnv(ex), HOME: user ? '/' : '/root' };
    // The pod's volumes, as the running containers see them: a file exec writes there is what they read.
    const binds = volumeBinds(this.ctx.podFs, ex.pod, ex.container);
    try {
      writeProjectedVolumes(this.ctx.podFs, this.ctx.store, this.ctx.tokens, ex.pod);
    } catch {
      // A token that cannot be issued (its service account is gone) is absent, as for a kubelet that cannot fetch it.
    }
    const startError = this.sandbox.mode === 'bwrap' ? commandStartError(ex.root, binds, ex.command[0] ?? '', env['PATH'] ?? PATH) : undefined;
    if (startError)
      return this.refuse(ws, ex, protocol, `error executing command in container: failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: ${startError}: unknown`);
    const child = this.sandbox.spawn(ex.root, podName, ex.command, env, binds, user);
    let settle = () => {};
    this.children.set(child, new Promise<void>((resolve) => (settle = resolve)));
    const send = (ch: number, data: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([ch]), data]));
    };
    let stdinOpen = true;
    const closeStdin = () => {
      if (stdinOpen) child.stdin?.end();
      stdinOpen = false;
    };
    child.stdin?.on('error', () => undefined);
    if (!ex.stdin) closeStdin();
    ws.on('message', (data) => {
      const buf = toBuffer(data);
      if (buf[0] === CH.stdin && stdinOpen && buf.length > 1) child.stdin?.write(buf.subarray(1));
      else if (buf[0] === CH.close && buf[1] === CH.stdin) closeStdin();
    });
    ws.on('close', closeStdin);
    ws.on('error', closeStdin);
    child.stdout?.on('data', (d: Buffer) => ex.stdout && send(CH.stdout, d));
    child.stderr?.on('data', (d: Buffer) => ex.stderr && send(CH.stderr, d));

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.ctx.log('SIM_EXEC_TIMEOUT', `exec in ${ex.pod.metadata.namespace}/${podName}/${ex.container} killed after ${this.timeoutMs} ms`);
      Sandbox.kill(child);
    }, this.timeoutMs);
    let finished = false;
    const finish = (code: number | null, failure?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.children.delete(child);
      settle();
      const exitCode = code ?? 137;
      const message =
        failure ?? (timedOut ? 'command timed out' : `command terminated with non-zero exit code: error executing command [${ex.command.join(' ')}], exit code ${exitCode}`);
      if (exitCode === 0 && !failure) {
        if (jsonStatus) send(CH.error, Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' })));
      } else if (jsonStatus) {
        const status = failure
          ? { metadata: {}, status: 'Failure', message, reason: 'InternalError' }
          : { metadata: {}, status: 'Failure', message, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] } };
        send(CH.error, Buffer.from(JSON.stringify(status)));
      } else send(CH.error, Buffer.from(message));
      this.ctx.log('SIM_EXEC_DONE', `exec in ${ex.pod.metadata.namespace}/${podName}/${ex.container} exited ${failure ? 'with an error' : exitCode}`, {
        exit_code: exitCode,
        protocol,
      });
      if (ws.readyState === ws.OPEN) ws.close(1000);
    };
    child.on('error', (e) => child.pid === undefined && finish(null, `failed to start the command: ${e.message}`));
    child.on('close', (code, signal) => finish(code ?? (signal ? 137 : null)));
  }

  /** The container's environment as its processes have it (literals, the downward API, ConfigMap and Secret keys). */
  private containerEnv(ex: ExecRequest): Record<string, string> {
    const c = findContainer(ex.pod, ex.container) ?? {};
    const r = resolveContainerEnv(this.ctx.store, ex.pod, c);
    return 'env' in r ? r.env : { PATH, HOSTNAME: ex.pod.metadata.name ?? '' };
  }

  /** The kubelet or the runtime could not run the command: an InternalError status on channel 3, after the upgrade. */
  private refuse(ws: WebSocket, ex: ExecRequest, protocol: string, why: string): void {
    const message = `Internal error occurred: ${why}`;
    const jsonStatus = protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io';
    const body = jsonStatus ? JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError', details: { causes: [{ message: why }] }, code: 500 }) : message;
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([CH.error]), Buffer.from(body)]));
    this.ctx.log('SIM_EXEC_DONE', `exec in ${ex.pod.metadata.namespace}/${ex.pod.metadata.name}/${ex.container} could not start`, { exit_code: -1, protocol });
    if (ws.readyState === ws.OPEN) ws.close(1000);
  }

  /** Kills running commands, drops websocket clients, and resolves once every command has exited (its state dir may go next). */
  async stop(): Promise<void> {
    const running = [...this.children.values()];
    for (const c of this.children.keys()) Sandbox.kill(c);
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await Promise.all(running);
  }
}
