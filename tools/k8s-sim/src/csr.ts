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

/** The key usages the API accepts (certificates.k8s.io/v1 KeyUsage). */
const KNOWN_USAGES = new Set([
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign',
  'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system',
  'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
]);
/** A signerName is a qualified name: a DNS subdomain, a slash, a path. */
const SIGNER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?(\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)*$/;

/** Create-time validation, as the API server's: request, usages, signerName, expirationSeconds. Returns the parsed request. */
export function validateCsrObject(o: K8sObject): ParsedCsr {
  const name = o.metadata.name ?? '';
  const s = spec(o);
  const bad = (field: string, why: string) => invalid('CertificateSigningRequest', name, field, why);
  if (typeof s.signerName !== 'string' || !s.signerName) throw bad('spec.signerName', 'Required value');
  if (!SIGNER_NAME.test(s.signerName) || s.signerName.length > 571)
    throw bad('spec.signerName', `Invalid value: "${s.signerName}": must be a fully qualified domain and path of the form 'example.com/signer-name'`);
  if (!Array.isArray(s.usages) || !s.usages.length) throw bad('spec.usages', 'Required value');
  s.usages.forEach((u, i) => {
    if (typeof u !== 'string' || !KNOWN_USAGES.has(u)) throw bad(`spec.usages[${i}]`, `Unsupported value: "${String(u)}"`);
    if (s.usages instanceof Array && s.usages.indexOf(u) !== i) throw bad(`spec.usages[${i}]`, `Duplicate value: "${u}"`);
  });
  if (s.expirationSeconds !== undefined && (typeof s.expirationSeconds !== 'number' || !Number.isInteger(s.expirationSeconds) || s.expirationSeconds < MIN_TTL_S))
    throw bad('spec.expirationSeconds', `Invalid value: ${JSON.stringify(s.expirationSeconds)}: may not specify a duration less than 600 seconds (10 minutes)`);
  if (typeof s.request !== 'string') throw bad('spec.request', 'Required value');
  try {
    return parseCsrPem(Buffer.from(s.request, 'base64').toString('utf8'));
  } catch (e) {
    throw bad('spec.request', `Invalid value: []byte{...}: ${(e as Error).message}`);
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

/** PUT .../certificatesigningrequests/{name}/approval: takes status.conditions from `body`. Signing is the {@link CsrSigner}'s, later. */
export function applyApproval(current: K8sObject, body: K8sObject): K8sObject {
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
  next['status'] = { ...((next['status'] as Record<string, unknown> | undefined) ?? {}), conditions };
  return next;
}

/** Usages the kube-apiserver-client signer issues; client auth is required. */
const CLIENT_USAGES = new Set(['client auth', 'digital signature', 'key encipherment']);

/** Why the client signer refuses an approved CSR (the controller's SignerValidationFailure), or undefined. */
export function clientSignerRefusal(o: K8sObject): string | undefined {
  const usages = (spec(o).usages as string[] | undefined) ?? [];
  const extra = usages.filter((u) => !CLIENT_USAGES.has(u));
  if (extra.length) return `invalid usage for client certificate: ${extra.join(', ')}`;
  if (!usages.includes('client auth')) return 'missing required usages: client auth';
  return undefined;
}

/** A certificate for an approved client-signer CSR: CN and O from the request, client auth, TTL from expirationSeconds. */
export function signClientCsr(o: K8sObject, ca: Ca): string {
  const parsed = validateCsrObject(o);
  const s = spec(o);
  const ttl = typeof s.expirationSeconds === 'number' ? Math.min(DEFAULT_TTL_S, Math.max(MIN_TTL_S, s.expirationSeconds)) : DEFAULT_TTL_S;
  const pem = issueCert(ca, {
    spkiDer: parsed.spkiDer,
    commonName: parsed.commonName,
    organizations: parsed.organizations,
    usages: ['client'],
    notAfter: new Date(Date.now() + ttl * 1000),
  });
  return Buffer.from(pem).toString('base64');
}
