import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Discovery documents and key sets are a few KiB; cap what we buffer. */
export const MAX_DISCOVERY_BYTES = 1024 * 1024;

/**
 * GETs a JSON document from the API server (a path such as
 * `/openid/v1/jwks`) over HTTPS, with the kubeconfig's CA and credentials.
 * Fails with `statusCode` set on a non-200 answer.
 */
export async function apiServerGetJson(kc: KubeConfig, path: string, timeoutMs = 5000): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');
  const target = new URL(server.replace(/\/+$/, '') + path);
  if (target.protocol !== 'https:') throw new Error(`refusing non-HTTPS API server ${target.origin}`);
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(target, { ...options, method: 'GET', headers: { ...options.headers, accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_DISCOVERY_BYTES) req.destroy(new Error(`${target.pathname}: response larger than ${MAX_DISCOVERY_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(Object.assign(new Error(`${target.pathname}: HTTP ${res.statusCode}`), { statusCode: res.statusCode }));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new Error(`${target.pathname}: response is not JSON`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${target.pathname}: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
