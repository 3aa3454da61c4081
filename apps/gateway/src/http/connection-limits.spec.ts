import { request } from 'node:https';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { waitFor } from '@podid/testkit';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

const PER_IP = 20;
const TOTAL = 30;
const HANDSHAKE_MS = 1500;
const IDLE_MS = 800;
const HEADERS_MS = 1000;

/** A raw TCP socket from `from` that never sends a byte; resolves `closed` when the server ends it. */
function idleSocket(port: number, from: string): { socket: Socket; closed: Promise<number> } {
  const socket = tcpConnect({ host: '127.0.0.1', port, localAddress: from });
  socket.on('error', () => undefined); // a reset is how a shed socket may end
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  return { socket, closed };
}

/** GET over a fresh TLS connection from `from`, as a real client would. */
function getFrom(t: TestGateway, from: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.gw.port, path, ca: t.caPem, servername: 'localhost', localAddress: from, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const metric = async (t: TestGateway, reason: string) => {
  const text = await (await fetch(`http://127.0.0.1:${t.gw.opsPort}/metrics`)).text();
  return Number(new RegExp(`^podid_gateway_connections_shed_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
};

/** Security invariant 5 (docs/security-model.md): idle connections cannot exhaust the public port. */
describe('gateway connection limits and timeouts', () => {
  let t: TestGateway;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestGateway({
      PODID_GATEWAY_MAX_CONNECTIONS_PER_IP: String(PER_IP),
      PODID_GATEWAY_MAX_CONNECTIONS: String(TOTAL),
      PODID_GATEWAY_HANDSHAKE_TIMEOUT: `${HANDSHAKE_MS}ms`,
      PODID_GATEWAY_IDLE_TIMEOUT: `${IDLE_MS}ms`,
      PODID_GATEWAY_HEADERS_TIMEOUT: `${HEADERS_MS}ms`,
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await t.stop();
  });
  const flood = (n: number, from: string) => {
    const all = Array.from({ length: n }, () => idleSocket(t.gw.port, from));
    sockets.push(...all.map((s) => s.socket));
    return all;
  };

  it('sheds an idle flood from one address over the per-IP cap at once, logs it once, and still answers another client', async () => {
    const started = Date.now();
    const all = flood(300, '127.0.0.1');
    const closedAt: number[] = [];
    for (const s of all) void s.closed.then((at) => closedAt.push(at));
    await waitFor(async () => closedAt.length >= 300 - PER_IP, { timeoutMs: HANDSHAKE_MS - 300, message: 'sockets over the per-IP cap closed before the handshake timeout' });
    // The flood's address is full; another address still gets a real answer.
    expect(await getFrom(t, '127.0.0.2', '/readyz')).toBe(200);
    expect(await metric(t, 'per_ip_cap')).toBe(300 - PER_IP);
    const lines = t.logs.withEvent('GATEWAY_CONNECTION_SHED');
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatchObject({ reason: 'per_ip_cap', client_ip: '127.0.0.1' });
    // The ones under the cap never say hello: the handshake timeout ends them.
    await Promise.all(all.map((s) => s.closed));
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_MS + 2000);
  });

  it('closes a connection that finishes the handshake and then sends nothing, after the idle timeout', async () => {
    const s = tlsConnect({ host: '127.0.0.1', port: t.gw.port, ca: t.caPem, servername: 'localhost' });
    sockets.push(s);
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.once('secureConnect', () => resolve()));
    const opened = Date.now();
    await new Promise<void>((resolve) => s.once('close', () => resolve()));
    const after = Date.now() - opened;
    expect(after).toBeGreaterThanOrEqual(IDLE_MS - 100);
    expect(after).toBeLessThan(IDLE_MS + 1500);
  });

  it('closes a slowloris that trickles header bytes faster than the idle timeout, at the headers timeout', async () => {
    const s = tlsConnect({ host: '127.0.0.1', port: t.gw.port, ca: t.caPem, servername: 'localhost' });
    sockets.push(s);
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.once('secureConnect', () => resolve()));
    const opened = Date.now();
    s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    const trickle = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), IDLE_MS / 4);
    try {
      await new Promise<void>((resolve) => s.once('close', () => resolve()));
    } finally {
      clearInterval(trickle);
    }
    const after = Date.now() - opened;
    expect(after).toBeGreaterThanOrEqual(HEADERS_MS - 100);
    // Node checks the headers timeout once a second.
    expect(after).toBeLessThan(HEADERS_MS + 2000);
  });

  it('frees per-IP slots when sockets close, and drops connections over the total cap', async () => {
    // The first flood is gone; 127.0.0.1 may open PER_IP again.
    const a = flood(PER_IP, '127.0.0.1');
    const b = flood(PER_IP, '127.0.0.3');
    const closedEarly: number[] = [];
    for (const s of [...a, ...b]) void s.closed.then((at) => closedEarly.push(at));
    await waitFor(async () => (await metric(t, 'total_cap')) >= 2 * PER_IP - TOTAL, { timeoutMs: HANDSHAKE_MS - 300, message: 'connections over the total cap dropped' });
    expect(await metric(t, 'total_cap')).toBe(2 * PER_IP - TOTAL);
    expect(t.logs.withEvent('GATEWAY_CONNECTION_SHED').filter((l) => l['reason'] === 'total_cap')).toHaveLength(1);
    await Promise.all([...a, ...b].map((s) => s.closed));
    // Everything closed by the timeouts: the server is usable again.
    expect(await getFrom(t, '127.0.0.1', '/healthz')).toBe(200);
  });
});
