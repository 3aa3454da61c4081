import { createPublicKey, createSign, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { createCa, issueServiceCert } from '@podid/x509';

/** CPU ms of one operation: the median of `batches` batches of `n` (process.cpuUsage, so other processes' load does not count). */
async function cpuPerOp(op: () => unknown, n: number, batches = 5): Promise<number> {
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await op();
    const c = process.cpuUsage(c0);
    per.push((c.user + c.system) / 1000 / n);
  }
  return per.sort((a, b) => a - b)[Math.floor(batches / 2)]!;
}

/** One mutual-TLS handshake (P-256 certificates both ways, TLS 1.3), both ends in this process. */
async function tlsHandshakeMs(n: number): Promise<number> {
  const ca = await createCa({ commonName: 'floor', now: new Date(), ttlMs: 3_600_000 });
  const server = await issueServiceCert({ ca, service: 'gateway', now: new Date(), ttlMs: 3_600_000 });
  const client = await issueServiceCert({ ca, service: 'client', now: new Date(), ttlMs: 3_600_000 });
  const srv = createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const handshake = () =>
    new Promise<void>((ok, fail) => {
      const s = connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: client.certPem, key: client.keyPem, servername: 'localhost', checkServerIdentity: () => undefined }, () => {
        s.destroy();
        ok();
      });
      s.on('error', fail);
    });
  try {
    return await cpuPerOp(handshake, n);
  } finally {
    srv.close();
  }
}

/**
 * The physical floor of one certificate login in CPU ms, measured with node
 * crypto: one TLS handshake, one CSR signature verify (its key loaded from
 * the SPKI, as a parser must), one leaf signature and one JWS signature, all P-256.
 */
export async function cryptoFloor(n = 200): Promise<{ tls_handshake_ms: number; csr_verify_ms: number; leaf_sign_ms: number; jws_sign_ms: number; sum_ms: number }> {
  const csrKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = csrKeys.publicKey.export({ type: 'spki', format: 'der' });
  const csrInfo = randomBytes(220); // a CertificationRequestInfo with one SAN is about this size
  const csrSig = createSign('sha256').update(csrInfo).sign(csrKeys.privateKey);
  const ca: KeyObject = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const tbs = randomBytes(450);
  const jwsInput = randomBytes(600);
  const csr_verify_ms = await cpuPerOp(() => {
    if (!verify('sha256', csrInfo, createPublicKey({ key: spki, format: 'der', type: 'spki' }), csrSig)) throw new Error('floor: CSR signature did not verify');
  }, n);
  const leaf_sign_ms = await cpuPerOp(() => sign('sha256', tbs, ca), n);
  const jws_sign_ms = await cpuPerOp(() => sign('sha256', jwsInput, { key: ca, dsaEncoding: 'ieee-p1363' }), n);
  const tls_handshake_ms = await tlsHandshakeMs(Math.max(10, Math.floor(n / 4)));
  const r = (x: number) => +x.toFixed(3);
  return { tls_handshake_ms: r(tls_handshake_ms), csr_verify_ms: r(csr_verify_ms), leaf_sign_ms: r(leaf_sign_ms), jws_sign_ms: r(jws_sign_ms), sum_ms: r(tls_handshake_ms + csr_verify_ms + leaf_sign_ms + jws_sign_ms) };
}
