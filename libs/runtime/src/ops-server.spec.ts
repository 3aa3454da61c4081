import { request } from 'node:http';
import { Counter } from 'prom-client';
import { startOpsServer } from './ops-server';

function fetchText(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startOpsServer', () => {
  it('serves liveness, readiness that follows ready(), metrics, and nothing else', async () => {
    let ready = false;
    const ops = await startOpsServer({ host: '127.0.0.1', port: 0, ready: () => ready });
    new Counter({ name: 'podid_test_total', help: 'test', registers: [ops.registry] }).inc(3);
    try {
      expect(await fetchText(ops.port, '/healthz')).toEqual({ status: 200, body: '{"status":"ok"}' });
      expect((await fetchText(ops.port, '/readyz')).status).toBe(503);
      ready = true;
      expect((await fetchText(ops.port, '/readyz')).status).toBe(200);
      const metrics = await fetchText(ops.port, '/metrics');
      expect(metrics.body).toContain('podid_test_total 3');
      expect(metrics.body).toContain('process_cpu_user_seconds_total');
      expect((await fetchText(ops.port, '/nope')).status).toBe(404);
      expect((await fetchText(ops.port, '/healthz', 'POST')).status).toBe(405);
    } finally {
      await ops.close();
    }
  });

  it('reports not ready when the readiness check throws', async () => {
    const ops = await startOpsServer({ host: '127.0.0.1', port: 0, ready: () => { throw new Error('x'); } });
    try {
      expect((await fetchText(ops.port, '/readyz')).status).toBe(503);
    } finally {
      await ops.close();
    }
  });
});
