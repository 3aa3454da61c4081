import { randomBytes, type webcrypto } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { generateKeyPair, importPrivateKeyPem, randomSerialHex, signingAlgorithm, x509, type CertAndKey, type WebKeyPair } from '@podid/x509';

/** Options of the fake Conjur-compatible server used by the integration tests. */
export interface FakeConjurOptions {
  readonly ca: CertAndKey;
  readonly serverTls: CertAndKey;
  /** Where "injection" writes the signed certificate (the pod's CONJUR_CLIENT_CERT_PATH). */
  readonly clientCertPath: string;
  readonly port?: number;
  /** Delay before the certificate is written; the 202 is sent at once. undefined = write before answering. */
  injectDelayMs?: number;
  /** Never write the certificate (tests the wait timeout). */
  skipInjection?: boolean;
  /** Write a certificate for another key first, then ours 500 ms later (issue #529). */
  injectForeignFirst?: boolean;
  certTtlMs?: number;
  tokenTtlSeconds?: number;
}

/** A recorded inject_client_cert request. */
export interface LoginRecord {
  readonly commonName: string;
  readonly prefix: string | undefined;
  readonly san: string[];
  readonly contentType: string | undefined;
}

/**
 * A small HTTPS server that speaks the Conjur authn-k8s and authn-jwt routes:
 * it signs CSRs with a test CA and "injects" the certificate by writing it to
 * a file, and answers authenticate with a flattened-JWS-shaped token after
 * checking the client certificate of its own TLS session.
 */
export class FakeConjur {
  readonly logins: LoginRecord[] = [];
  readonly tokens: string[] = [];
  readonly jwtBodies: string[] = [];
  private failures: Array<{ route: 'login' | 'authenticate'; status: number; body: string }> = [];
  private server: Server | undefined;
  private foreignKey: Promise<WebKeyPair> | undefined;
  port = 0;

  constructor(readonly opts: FakeConjurOptions) {}

  /** https://127.0.0.1:<port>/authn-k8s/svc */
  get k8sUrl(): string {
    return `https://127.0.0.1:${this.port}/authn-k8s/svc`;
  }

  get jwtUrl(): string {
    return `https://127.0.0.1:${this.port}/authn-jwt/svc`;
  }

  /** The next call to `route` answers `status` with `body`. */
  failNext(route: 'login' | 'authenticate', status: number, body = ''): void {
    this.failures.push({ route, status, body });
  }

  async start(): Promise<this> {
    const server = createServer(
      { key: this.opts.serverTls.keyPem, cert: this.opts.serverTls.certPem, ca: [this.opts.ca.certPem], requestCert: true, rejectUnauthorized: false },
      (req, res) => void this.handle(req, res).catch((err: unknown) => send(res, 500, String(err))),
    );
    await new Promise<void>((resolve) => server.listen(this.opts.port ?? this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '').split('?')[0] as string;
    const failure = (route: 'login' | 'authenticate') => {
      const i = this.failures.findIndex((f) => f.route === route);
      return i < 0 ? undefined : this.failures.splice(i, 1)[0];
    };
    if (req.method === 'POST' && path === '/authn-k8s/svc/inject_client_cert') {
      const f = failure('login');
      if (f) return send(res, f.status, f.body);
      await this.login(req, body);
      return send(res, 202, '');
    }
    const m = /^\/authn-(k8s|jwt)\/svc\/default(?:\/([^/]+))?\/authenticate$/.exec(path);
    if (req.method === 'POST' && m) {
      const f = failure('authenticate');
      if (f) return send(res, f.status, f.body, { 'x-request-id': 'hdr-req-id' });
      if (m[1] === 'jwt') {
        this.jwtBodies.push(body);
        if (!body.startsWith('jwt=')) return send(res, 401, '');
        return send(res, 200, this.token('host/jwt-app'));
      }
      const login = decodeURIComponent((m[2] ?? '').replace(/\+/g, ' '));
      const sock = req.socket as TLSSocket;
      const peer = sock.getPeerCertificate();
      const cn = peer.subject?.CN;
      if (!sock.authorized || cn !== login.replace(/\//g, '.')) return send(res, 401, JSON.stringify({ error: { code: 'authentication_failed', message: 'bad client certificate', request_id: 'fake-1' } }));
      return send(res, 200, this.token(login));
    }
    send(res, 404, '');
  }

  private async login(req: IncomingMessage, body: string): Promise<void> {
    const csr = new x509.Pkcs10CertificateRequest(body);
    const cn = csr.subjectName.getField('CN')[0] ?? '';
    const prefix = req.headers['host-id-prefix'] as string | undefined;
    const rawSan = csr.getExtension('2.5.29.17');
    const sanExt = rawSan ? new x509.SubjectAlternativeNameExtension(rawSan.rawData) : null;
    const san = (sanExt?.names.toJSON() ?? []).map((n) => `${n.type}:${n.value}`);
    this.logins.push({ commonName: cn, prefix, san, contentType: req.headers['content-type'] });
    if (!(await csr.verify())) throw new Error('CSR signature does not verify');
    const cert = await this.sign(`${prefix}.${cn}`, await csr.publicKey.export(), sanExt);
    if (this.opts.skipInjection) return;
    const write = async () => {
      if (this.opts.injectForeignFirst) {
        this.foreignKey ??= generateKeyPair('ec-p256');
        await atomicWrite(this.opts.clientCertPath, await this.sign(`${prefix}.${cn}`, (await this.foreignKey).publicKey, sanExt));
        await new Promise((r) => setTimeout(r, 500));
      }
      await atomicWrite(this.opts.clientCertPath, cert);
    };
    if (this.opts.injectDelayMs === undefined) await write();
    else setTimeout(() => void write(), this.opts.injectDelayMs);
  }

  private async sign(cn: string, publicKey: webcrypto.CryptoKey, sanExt: x509.SubjectAlternativeNameExtension | null): Promise<string> {
    const { pair, algorithm } = await importPrivateKeyPem(this.opts.ca.keyPem);
    const caCert = new x509.X509Certificate(this.opts.ca.certPem);
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerialHex(),
      subject: [{ CN: [cn] }],
      issuer: caCert.subject,
      notBefore: new Date(now),
      notAfter: new Date(now + (this.opts.certTtlMs ?? 3_600_000)),
      publicKey,
      signingKey: pair.privateKey,
      signingAlgorithm: signingAlgorithm(algorithm),
      extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true), ...(sanExt ? [sanExt] : [])],
    });
    return cert.toString('pem') + '\n' + this.opts.ca.certPem;
  }

  private token(sub: string): string {
    const iat = Math.floor(Date.now() / 1000);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = JSON.stringify({
      protected: b64({ alg: 'ES256', kid: 'test' }),
      payload: b64({ iat, exp: iat + (this.opts.tokenTtlSeconds ?? 480), sub, jti: randomBytes(8).toString('hex') }),
      signature: randomBytes(64).toString('base64url'),
    });
    this.tokens.push(token);
    return token;
  }
}

async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(3).toString('hex')}`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain', ...headers });
  res.end(body);
}
