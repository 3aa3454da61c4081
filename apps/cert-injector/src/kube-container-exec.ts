import type { IncomingMessage } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
// Not re-exported by the package index; it is the handler Exec uses by default.
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import WebSocket from 'ws';
import { DeadlineExceededError, DependencyUnavailableError } from '@podid/errors';
import { ExecStartError, MAX_EXEC_OUTPUT_BYTES, type ContainerExec, type ExecResult, type ExecTarget } from './container-exec';

/** The protocol with a stdin close signal (KEP-4006); older ones can only end stdin by closing the socket. */
const V5 = 'v5.channel.k8s.io';
const STDIN = 0;
const CLOSE = 255;

/**
 * ContainerExec over client-node's Exec (WebSocket pods/exec). The socket
 * factory watches the handshake so that a refused exec carries its HTTP
 * status and Status message, which client-node would otherwise lose.
 */
export class KubeContainerExec implements ContainerExec {
  constructor(private readonly kc: KubeConfig) {}

  async run(target: ExecTarget, command: readonly string[], stdin: string, timeoutMs: number): Promise<ExecResult> {
    const refused: { status?: number; reason?: string } = {};
    let socket: WebSocket | undefined;
    const factory = (uri: string, protocols: string[], opts: WebSocket.ClientOptions): WebSocket => {
      const ws = new WebSocket(uri, protocols, { ...opts, handshakeTimeout: timeoutMs });
      ws.on('unexpected-response', (_req, res: IncomingMessage) => {
        void readCapped(res).then((body) => {
          refused.status = res.statusCode;
          refused.reason = statusMessage(body);
          ws.terminate();
        });
      });
      socket = ws;
      return ws;
    };
    const exec = new Exec(this.kc, new WebSocketHandler(this.kc, factory));
    const out = new CappedSink();
    const err = new CappedSink();
    // Never ended: ending it would make client-node close the socket before the exit status arrives.
    const input = new PassThrough();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        socket?.terminate();
        reject(new DeadlineExceededError('EXEC_TIMEOUT', `exec in ${where(target)} did not finish within ${timeoutMs}ms`));
      }, timeoutMs);
    });
    const finished = new Promise<ExecResult>((resolve, reject) => {
      const onStatus = (s: V1Status) => resolve({ exitCode: exitCodeOf(s), stdout: out.text(), stderr: err.text() || failureText(s) });
      exec
        .exec(target.namespace, target.pod, target.container, [...command], out, err, input, false, onStatus)
        .then((ws) => {
          ws.on('close', () => reject(new DependencyUnavailableError('K8S_UNAVAILABLE', `exec stream in ${where(target)} closed before the command reported its exit status`)));
          if (stdin.length > 0) ws.send(Buffer.concat([Buffer.from([STDIN]), Buffer.from(stdin, 'utf8')]));
          if (ws.protocol === V5) ws.send(Buffer.from([CLOSE, STDIN]));
        })
        .catch((e: unknown) => reject(new ExecStartError(refused.status, refused.reason ?? connectionCause(e))));
    });
    try {
      return await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
      if (socket && socket.readyState !== WebSocket.CLOSED) socket.close();
    }
  }
}

function where(t: ExecTarget): string {
  return `${t.namespace}/${t.pod}/${t.container}`;
}

/** 0 on Success; the ExitCode cause on NonZeroExitCode; -1 when the API reports another failure. */
function exitCodeOf(s: V1Status): number {
  if (s.status === 'Success') return 0;
  const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message !== undefined ? Number(cause.message) : NaN;
  return Number.isInteger(code) ? code : -1;
}

function failureText(s: V1Status): string {
  return s.status === 'Success' ? '' : (s.message ?? '').slice(0, MAX_EXEC_OUTPUT_BYTES);
}

/** The Status message of a refused handshake, or the HTTP body's start. */
function statusMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { message?: unknown };
    if (typeof s.message === 'string') return s.message.slice(0, 300);
  } catch {
    // not a Status object
  }
  return body.slice(0, 300);
}

function connectionCause(e: unknown): string {
  const ev = e as { error?: { code?: unknown; message?: unknown }; message?: unknown };
  const inner = ev?.error;
  if (typeof inner?.code === 'string') return inner.code;
  if (typeof inner?.message === 'string') return inner.message;
  return typeof ev?.message === 'string' ? ev.message : 'connection error';
}

async function readCapped(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      if (size < MAX_EXEC_OUTPUT_BYTES) chunks.push(c);
      size += c.length;
    }
  } catch {
    // a cut body still tells the status
  }
  return Buffer.concat(chunks).subarray(0, MAX_EXEC_OUTPUT_BYTES).toString('utf8');
}

/** Keeps the first MAX_EXEC_OUTPUT_BYTES written and drops the rest. */
class CappedSink extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    if (this.size < MAX_EXEC_OUTPUT_BYTES) this.chunks.push(chunk);
    this.size += chunk.length;
    done();
  }

  text(): string {
    return Buffer.concat(this.chunks).subarray(0, MAX_EXEC_OUTPUT_BYTES).toString('utf8');
  }
}
