import { createPublicKey, verify } from 'node:crypto';
import { children, decodeOid, readTlv, type Tlv } from './der';
import { issueCert, type Ca } from './pki';
import { nowTimestamp } from './store';
import { invalid } from './status';
import type { K8sObject } from './types';

/** The signer the simulator issues for; other signers' CSRs stay pending after approval. */
export const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
/** Largest PEM CSR accepted, checked before decoding. */
const MAX_CSR_BYTES = 64 * 1024;
/** Lifetime when spec.expirationSeconds is absent (kube-controller-manager's --cluster-signing-duration default). */
const DEFAULT_TTL_S = 365 * 86400;
const MIN_TTL_S = 600;

const SIG_HASH: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
};

export interface ParsedCsr {
  spkiDer: Buffer;
  commonName: string;
  organizations: string[];
}

function at(list: Tlv[], i: number): Tlv {
  const t = list[i];
  if (!t) throw new Error('malformed CSR');
  return t;
}

/** Parses a PEM PKCS#10 request (any key type node supports) and checks its self-signature. Throws on any problem. */
export function parseCsrPem(pem: string): ParsedCsr {
  if (pem.length > MAX_CSR_BYTES) throw new Error('CSR too large');
  const m = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]+)-----END (NEW )?CERTIFICATE REQUEST-----/.exec(pem);
  if (!m?.[2]) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const top = children(readTlv(Buffer.from(m[2].replace(/\s+/g, ''), 'base64')));
  const cri = at(top, 0);
  const alg = decodeOid(at(children(at(top, 1)), 0).content);
  const sig = at(top, 2).content.subarray(1);
  const fields = children(cri);
  const subject = at(fields, 1);
  const spkiDer = Buffer.from(at(fields, 2).raw);
  if (!(alg in SIG_HASH)) throw new Error(`unsupported signature algorithm ${alg}`);
  const key = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  if (!verify(SIG_HASH[alg] ?? null, cri.raw, key, sig)) throw new Error('CSR signature does not verify');
  let commonName = '';
  const organizations: string[] = [];
  for (const rdn of children(subject))
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (!type || !value) continue;
      const oid = decodeOid(type.content);
      if (oid === '2.5.4.3') commonName = value.content.toString('utf8');
      if (oid === '2.5.4.10') organizations.push(value.content.toString('utf8'));
    }
  return { spkiDer, commonName, organizations };
}

const spec = (o: K8sObject) => (o['spec'] ?? {}) as { request?: unknown; signerName?: unknown; expirationSeconds?: unknown; usages?: unknown };

/** Create-time checks: a parsable, self-signed request and a signerName. Returns the parsed request. */
export function validateCsrObject(o: K8sObject): ParsedCsr {
  const name = o.metadata.name ?? '';
  const s = spec(o);
  if (typeof s.signerName !== 'string' || !s.signerName) throw invalid('CertificateSigningRequest', name, 'spec.signerName', 'Required value');
  if (typeof s.request !== 'string') throw invalid('CertificateSigningRequest', name, 'spec.request', 'Required value');
  try {
    return parseCsrPem(Buffer.from(s.request, 'base64').toString('utf8'));
  } catch (e) {
    throw invalid('CertificateSigningRequest', name, 'spec.request', `Invalid value: []byte{...}: ${(e as Error).message}`);
  }
}

interface Condition {
  type?: unknown;
  status?: unknown;
  reason?: unknown;
  message?: unknown;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

/**
 * PUT .../certificatesigningrequests/{name}/approval: takes status.conditions from `body`.
 * When Approved and the signer is kube-apiserver-client, issues status.certificate at once (CN and O from the request).
 */
export function applyApproval(current: K8sObject, body: K8sObject, ca: Ca): K8sObject {
  const name = current.metadata.name ?? '';
  const conds = (body['status'] as { conditions?: unknown } | undefined)?.conditions ?? [];
  if (!Array.isArray(conds)) throw invalid('CertificateSigningRequest', name, 'status.conditions', 'expected a list');
  const now = nowTimestamp();
  const conditions = (conds as Condition[]).map((c) => {
    if (!['Approved', 'Denied', 'Failed'].includes(String(c?.type))) throw invalid('CertificateSigningRequest', name, 'status.conditions[].type', `Unsupported value: "${String(c?.type)}"`);
    return { ...c, status: c.status ?? 'True', lastUpdateTime: c.lastUpdateTime ?? now, lastTransitionTime: c.lastTransitionTime ?? now };
  });
  const isTrue = (t: string) => conditions.some((c) => c.type === t && c.status === 'True');
  if (isTrue('Approved') && isTrue('Denied')) throw invalid('CertificateSigningRequest', name, 'status.conditions', 'Approved and Denied conditions are mutually exclusive');
  const next = structuredClone(current);
  const status: Record<string, unknown> = { ...((next['status'] as Record<string, unknown> | undefined) ?? {}), conditions };
  next['status'] = status;
  const s = spec(next);
  if (isTrue('Approved') && s.signerName === CLIENT_SIGNER && !status['certificate']) {
    const parsed = validateCsrObject(next);
    const ttl = typeof s.expirationSeconds === 'number' ? Math.max(MIN_TTL_S, s.expirationSeconds) : DEFAULT_TTL_S;
    const pem = issueCert(ca, {
      spkiDer: parsed.spkiDer,
      commonName: parsed.commonName,
      organizations: parsed.organizations,
      usages: ['client'],
      notAfter: new Date(Date.now() + ttl * 1000),
    });
    status['certificate'] = Buffer.from(pem).toString('base64');
  }
  return next;
}
