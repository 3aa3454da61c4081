import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { ClientConfig } from './config';

/** The CAs that server certificates are checked against. */
export interface TrustedCas {
  /** PEMs for Node's `ca` option; undefined means Node's default store. */
  readonly ca: string[] | undefined;
  readonly usesSystemStore: boolean;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Builds the trust store: the explicit CA (CONJUR_SSL_CERTIFICATE text, else
 * CONJUR_CERT_FILE) alone, as the Conjur client does; plus the system store
 * with PODID_TRUST_SYSTEM_CAS=true; the system store alone when neither CA
 * variable is set. Returns one problem line when the CA is unusable (CAKC014).
 */
export function loadTrustedCas(cfg: ClientConfig): { ok: true; cas: TrustedCas } | { ok: false; problem: string } {
  let text: string | undefined = cfg.sslCertificate;
  let source = 'CONJUR_SSL_CERTIFICATE=<pem>';
  if (text === undefined && cfg.certFile !== undefined) {
    source = `CONJUR_CERT_FILE=${JSON.stringify(cfg.certFile)}`;
    try {
      text = readFileSync(cfg.certFile, 'utf8');
    } catch (err) {
      return { ok: false, problem: `${source}: expected a readable PEM file (${(err as { code?: string }).code ?? String(err)})` };
    }
  }
  if (text === undefined) return { ok: true, cas: { ca: undefined, usesSystemStore: true } };
  const pems = text.match(PEM_CERT) ?? [];
  if (pems.length === 0) return { ok: false, problem: `${source}: expected one or more PEM certificates (CAKC014)` };
  for (const pem of pems) {
    try {
      new X509Certificate(pem);
    } catch {
      return { ok: false, problem: `${source}: expected PEM certificates, got one that does not parse (CAKC014)` };
    }
  }
  return cfg.trustSystemCas ? { ok: true, cas: { ca: [...rootCertificates, ...pems], usesSystemStore: true } } : { ok: true, cas: { ca: pems, usesSystemStore: false } };
}
