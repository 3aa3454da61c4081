import { unlink } from 'node:fs/promises';
import type { X509Certificate } from 'node:crypto';
import type { Logger } from '@podid/logging';
import { LoginError, ServerStatusError } from './client-errors';
import { certFingerprint, podSpiffeId, type ClientKey } from './client-key';
import type { ConjurApi } from './conjur-http-client';
import { describeFailure } from './describe-failure';
import { renewalTime } from './renewal-time';
import type { TokenSource } from './token-source';
import { splitUsername } from './username';
import { waitForCert } from './wait-for-cert';

export interface K8sTokenSourceOptions {
  readonly api: ConjurApi;
  readonly key: ClientKey;
  readonly login: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly clientCertPath: string;
  readonly certWaitMs: number;
  readonly log: Logger;
  readonly now: () => Date;
}

interface HeldCert {
  readonly pem: string;
  readonly leaf: X509Certificate;
  readonly renewAt: Date;
}

/**
 * The authn-k8s flow: log in with a CSR, wait for the injected certificate,
 * keep it in memory, and authenticate over mTLS with it. The certificate is
 * renewed at 2/3 of its life, and dropped when the server answers 401 (it may
 * have been revoked, or the CA rotated).
 */
export class K8sTokenSource implements TokenSource {
  private cert: HeldCert | undefined;

  constructor(private readonly o: K8sTokenSourceOptions) {}

  renewalAt(): Date | undefined {
    return this.cert?.renewAt;
  }

  async fetchToken(signal: AbortSignal): Promise<Buffer> {
    const { o } = this;
    const held = this.cert;
    if (!held || o.now() >= held.renewAt) {
      if (held) o.log.event('CAKC038', { cert_serial: held.leaf.serialNumber, not_after: new Date(held.leaf.validTo).toISOString() });
      try {
        this.cert = await this.login(signal);
      } catch (err) {
        if (signal.aborted) throw err;
        // A failed renewal keeps using the old certificate while it is still valid; the loop retries the renewal with backoff.
        if (!held || o.now().getTime() >= Date.parse(held.leaf.validTo)) {
          this.cert = undefined;
          throw new LoginError(err);
        }
        o.log.event('CAKC015', { ...describeFailure(err), renewal: true, still_valid_until: new Date(held.leaf.validTo).toISOString() });
      }
    }
    const cert = this.cert as HeldCert;
    o.log.event('CAKC040', { login: o.login });
    try {
      return await o.api.authenticate(o.login, { certPem: cert.pem, keyPem: o.key.privateKeyPem }, signal);
    } catch (err) {
      if (err instanceof ServerStatusError && err.status === 401) this.cert = undefined;
      throw err;
    }
  }

  private async login(signal: AbortSignal): Promise<HeldCert> {
    const { o } = this;
    const { prefix, suffix } = splitUsername(o.login);
    // A file left by an earlier process can never match this key (issue #529): remove it first.
    const removed = await unlink(o.clientCertPath).then(() => true, () => false);
    if (removed) o.log.event('CLIENT_CERT_STALE_REMOVED', { path: o.clientCertPath });
    const csr = await o.key.createCsr(suffix, podSpiffeId(o.podNamespace, o.podName));
    const status = await o.api.login(csr, prefix, signal);
    const injected = await waitForCert({
      path: o.clientCertPath,
      timeoutMs: o.certWaitMs,
      matches: (c) => o.key.matches(c),
      signal,
      onWaiting: (elapsed) => o.log.event('CERT_WAITING', { path: o.clientCertPath, elapsed_ms: elapsed, login_status: status }),
      onRejected: (reason) => o.log.event('CAKC017', { path: o.clientCertPath, reason }),
    });
    o.log.event('CAKC050', { path: o.clientCertPath });
    const { leaf } = injected;
    const notBefore = new Date(leaf.validFrom);
    const notAfter = new Date(leaf.validTo);
    const renewAt = renewalTime(notBefore, notAfter);
    o.log.event('CAKC036', {
      cert_serial: leaf.serialNumber,
      cert_sha256: certFingerprint(leaf),
      not_before: notBefore.toISOString(),
      not_after: notAfter.toISOString(),
      renew_at: renewAt.toISOString(),
    });
    return { pem: injected.pem, leaf, renewAt };
  }
}
