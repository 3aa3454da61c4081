import { request } from 'node:https';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { startRedis, waitFor, type RedisHandle } from '@podid/testkit';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

const PER_IP = 20;
const TOTAL = 30;
const HANDSHAKE_MS = 1500;
/** For the cap tests: no socket of theirs may time out while a flood is still arriving, however slow the machine. */
const NEVER_MS = 120_000;
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

/** A TLS connection to the gateway once its handshake is done; rejects if the server closes it first. */
function tlsSession(t: TestGateway, sockets: Socket[]): Promise<TLSSocket> {
  const s = tlsConnect({ host: '127.0.0.1', port: t.gw.port, ca: t.caPem, servername: 'localhost' });
  sockets.push(s);
  s.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    s.once('secureConnect', () => resolve(s));
    s.once('close', () => reject(new Error('closed before the TLS handshake finished')));
  });
}

const metric = async (t: TestGateway, reason: string) => {
  const text = await (await fetch(`http://127.0.0.1:${t.gw.opsPort}/metrics`)).text();
  return Number(new RegExp(`^podid_gateway_connections_shed_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
};

/**
 * Security invariant 5 (docs/security-model.md): idle connections cannot exhaust the public port.
 * Every wait here is for an event or a counter; only lower bounds are on the clock (a loaded machine is only slower).
 * The caps are tested on gateways whose handshake timeout is never reached: with a short one, sockets under the cap
 * would time out and free their slots while a slow flood was still arriving, and more of it would be let in.
 */
describe('gateway connection limits and timeouts', () => {
  let redis: RedisHandle;
  const gateways: TestGateway[] = [];
  const sockets: Socket[] = [];
  const limits = { PODID_GATEWAY_MAX_CONNECTIONS_PER_IP: String(PER_IP), PODID_GATEWAY_MAX_CONNECTIONS: String(TOTAL) };
  const start = async (env: Record<string, string>) => {
    const t = await startTestGateway({ ...limits, ...env }, redis);
    gateways.push(t);
    return t;
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    try {
      await Promise.all(gateways.map((t) => t.stop()));
    } finally {
      await redis?.stop();
    }
  });
  const flood = (t: TestGateway, n: number, from: string) => {
    const all = Array.from({ length: n }, () => idleSocket(t.gw.port, from));
    sockets.push(...all.map((s) => s.socket));
    return all;
  };

  it('sheds an idle flood from one address over the per-IP cap on accept, logs it once, and still answers another client', async () => {
    const t = await start({ PODID_GATEWAY_MAX_CONNECTIONS: '1000', PODID_GATEWAY_HANDSHAKE_TIMEOUT: `${NEVER_MS}ms` });
    const all = flood(t, 300, '127.0.0.1');
    let closed = 0;
    for (const s of all) void s.closed.then(() => closed++);
    // Counted where the socket is destroyed on accept; nothing else closes a socket here before the test ends.
    await waitFor(async () => (await metric(t, 'per_ip_cap')) >= 300 - PER_IP, { timeoutMs: 25_000, message: 'sockets over the per-IP cap shed' });
    await waitFor(() => closed >= 300 - PER_IP, { timeoutMs: 25_000, message: 'shed sockets closed' });
    // The flood's address is full; another address still gets a real answer.
    expect(await getFrom(t, '127.0.0.2', '/healthz')).toBe(200);
    expect(await metric(t, 'per_ip_cap')).toBe(300 - PER_IP);
    expect(closed).toBe(300 - PER_IP);
    const lines = t.logs.withEvent('GATEWAY_CONNECTION_SHED');
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatchObject({ reason: 'per_ip_cap', client_ip: '127.0.0.1' });
  });

  it('drops connections over the total cap, and logs it once', async () => {
    const t = await start({ PODID_GATEWAY_HANDSHAKE_TIMEOUT: `${NEVER_MS}ms` });
    const all = [...flood(t, PER_IP, '127.0.0.1'), ...flood(t, PER_IP, '127.0.0.3')];
    let closed = 0;
    for (const s of all) void s.closed.then(() => closed++);
    await waitFor(async () => (await metric(t, 'total_cap')) >= 2 * PER_IP - TOTAL, { timeoutMs: 25_000, message: 'connections over the total cap dropped' });
    await waitFor(() => closed >= 2 * PER_IP - TOTAL, { timeoutMs: 25_000, message: 'dropped sockets closed' });
    expect(await metric(t, 'total_cap')).toBe(2 * PER_IP - TOTAL);
    expect(await metric(t, 'per_ip_cap')).toBe(0);
    expect(closed).toBe(2 * PER_IP - TOTAL);
    expect(t.logs.withEvent('GATEWAY_CONNECTION_SHED').filter((l) => l['reason'] === 'total_cap')).toHaveLength(1);
  });

  describe('with short timeouts', () => {
    let t: TestGateway;
    beforeAll(async () => {
      t = await start({
        PODID_GATEWAY_HANDSHAKE_TIMEOUT: `${HANDSHAKE_MS}ms`,
        PODID_GATEWAY_IDLE_TIMEOUT: `${IDLE_MS}ms`,
        PODID_GATEWAY_HEADERS_TIMEOUT: `${HEADERS_MS}ms`,
      });
    });

    it('closes a connection that finishes the handshake and then sends nothing, after the idle timeout', async () => {
      const s = await tlsSession(t, sockets);
      const opened = Date.now();
      await new Promise<void>((resolve) => s.once('close', () => resolve()));
      expect(Date.now() - opened).toBeGreaterThanOrEqual(IDLE_MS - 100);
    });

    it('closes a slowloris that trickles header bytes faster than the idle timeout, at the headers timeout', async () => {
      const s = await tlsSession(t, sockets);
      const opened = Date.now();
      s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
      const trickle = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), IDLE_MS / 4);
      try {
        await new Promise<void>((resolve) => s.once('close', () => resolve()));
      } finally {
        clearInterval(trickle);
      }
      // Past the idle timeout, which the trickle keeps resetting: the headers timeout ended it.
      expect(Date.now() - opened).toBeGreaterThanOrEqual(HEADERS_MS - 100);
    });

    // Last here: the sessions it opens at the end hold per-IP slots until the idle timeout.
    it('ends sockets that never say hello at the handshake timeout, which frees their per-IP slots', async () => {
      const started = Date.now();
      const all = flood(t, PER_IP, '127.0.0.1');
      const closedAt = await Promise.all(all.map((s) => s.closed));
      for (const at of closedAt) expect(at - started).toBeGreaterThanOrEqual(HANDSHAKE_MS - 100);
      // The server closed them, so its own count dropped first: the address may open PER_IP again.
      await Promise.all(Array.from({ length: PER_IP }, () => tlsSession(t, sockets)));
      expect(await metric(t, 'per_ip_cap')).toBe(0);
    });
  });
});
