import { request } from 'node:https';
import { RequestTimeoutError } from './client-errors';
import { parseErrorResponse } from './parse-error-response';
import { queryEscape } from './query-escape';

/** Per-request timeout, as in the Conjur client. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** A token is a few KiB; anything much larger is not a token. */
const MAX_RESPONSE_BYTES = 256 * 1024;

/** The client's view of the server: three calls, in the words of the protocol. */
export interface ConjurApi {
  /** POST {url}/inject_client_cert; resolves with the status (< 300). */
  login(csrPem: string, hostIdPrefix: string, signal?: AbortSignal): Promise<number>;
  /** mTLS POST {url}/{account}/{login}/authenticate; resolves with the token body. */
  authenticate(login: string, tls: { certPem: string; keyPem: string }, signal?: AbortSignal): Promise<Buffer>;
  /** POST {url}/{account}[/{login}]/authenticate with `jwt=<token>`. */
  authenticateJwt(jwt: string, login: string | undefined, signal?: AbortSignal): Promise<Buffer>;
}

/**
 * Node https client for the Conjur-compatible API. Each call uses a fresh
 * connection (agent: false), so a renewed certificate is always the one sent.
 */
export function createConjurApi(opts: { authnUrl: string; account: string; ca: string[] | undefined; timeoutMs?: number }): ConjurApi {
  const timeoutMs = opts.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const post = (url: string, headers: Record<string, string>, body: string, signal: AbortSignal | undefined, tls: { cert?: string; key?: string } = {}) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent: false, ca: opts.ca, signal, ...tls, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            res.destroy(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks);
          if (status >= 300) {
            const rid = res.headers['x-request-id'];
            reject(parseErrorResponse(status, text.toString('utf8'), typeof rid === 'string' ? rid : undefined));
          } else resolve({ status, body: text });
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new RequestTimeoutError(timeoutMs)));
      req.on('error', reject);
      req.end(body);
    });
  const base = opts.authnUrl;
  return {
    async login(csrPem, hostIdPrefix, signal) {
      const res = await post(`${base}/inject_client_cert`, { 'content-type': 'text/plain', 'host-id-prefix': hostIdPrefix }, csrPem, signal);
      return res.status;
    },
    async authenticate(login, tls, signal) {
      const url = `${base}/${encodeURIComponent(opts.account)}/${queryEscape(login)}/authenticate`;
      return (await post(url, { 'content-type': 'text/plain' }, '', signal, { cert: tls.certPem, key: tls.keyPem })).body;
    },
    async authenticateJwt(jwt, login, signal) {
      const loginPart = login === undefined ? '' : `/${queryEscape(login)}`;
      const url = `${base}/${encodeURIComponent(opts.account)}${loginPart}/authenticate`;
      return (await post(url, { 'content-type': 'text/plain', 'user-agent': 'k8s' }, `jwt=${jwt}`, signal)).body;
    },
  };
}
