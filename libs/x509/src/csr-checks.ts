import { verify } from 'node:crypto';
import { DEFAULT_TRUST_DOMAIN, parsePodSpiffeId, spiffeTrustDomainOf } from '@podid/spiffe';
import { CsrInvalidError, type CsrRefusalCode } from './csr-invalid-error';
import { parseCsr, type ParsedCsr } from './parse-csr';

/** What the caller requires of the CSR. */
export interface CsrExpectation {
  /** Trust domain of pod SPIFFE ids; default cluster.local. */
  readonly trustDomain?: string;
  /**
   * Accept the strict pod form in any trust domain (trustDomain is then ignored): the gateway reads the CSR before
   * policy names the authenticator's cluster, and checks the SPIFFE id against that cluster's trust domain after.
   */
  readonly anyTrustDomain?: boolean;
  /** When set, the CSR's SAN must equal it exactly (ca-signer); the gateway reads it instead. */
  readonly spiffeId?: string;
}

/** One refusal: a stable code and a message saying expected vs got. */
export interface CsrRefusal {
  readonly code: CsrRefusalCode;
  readonly message: string;
}

/** A named check: undefined when the CSR passes. */
export type CsrCheck = (csr: ParsedCsr, expect: CsrExpectation) => CsrRefusal | undefined;

/** RSA moduli accepted: 2048 is today's floor, 4096 bounds verification cost. */
export const RSA_MODULUS_BITS = { min: 2048, max: 4096 } as const;
const RSA_EXPONENT = 65537n;
const ALLOWED_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/** Signature algorithms accepted, by OID: the key type they need and the hash (null for Ed25519). */
const SIGNATURE_ALGORITHMS: Record<string, { key: string; hash: string | null; name: string }> = {
  '1.2.840.113549.1.1.11': { key: 'rsa', hash: 'sha256', name: 'sha256WithRSAEncryption' },
  '1.2.840.113549.1.1.12': { key: 'rsa', hash: 'sha384', name: 'sha384WithRSAEncryption' },
  '1.2.840.113549.1.1.13': { key: 'rsa', hash: 'sha512', name: 'sha512WithRSAEncryption' },
  '1.2.840.10045.4.3.2': { key: 'ec', hash: 'sha256', name: 'ecdsa-with-SHA256' },
  '1.2.840.10045.4.3.3': { key: 'ec', hash: 'sha384', name: 'ecdsa-with-SHA384' },
  '1.2.840.10045.4.3.4': { key: 'ec', hash: 'sha512', name: 'ecdsa-with-SHA512' },
  '1.3.101.112': { key: 'ed25519', hash: null, name: 'Ed25519' },
};

const KEYS_TEXT = `ECDSA P-256/P-384, RSA ${RSA_MODULUS_BITS.min}..${RSA_MODULUS_BITS.max} (e=65537) or Ed25519`;

/** Key type and strength. */
export const checkKeyAllowed: CsrCheck = (csr) => {
  const refuse = (got: string): CsrRefusal => ({ code: 'CSR_KEY_UNSUPPORTED', message: `CSR key: exp=${KEYS_TEXT} got=${got}` });
  const key = csr.publicKey;
  if (!key) return refuse('a key type Node cannot load');
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return d.namedCurve && ALLOWED_CURVES[d.namedCurve] ? undefined : refuse(`EC ${d.namedCurve ?? 'unknown curve'}`);
    case 'ed25519':
      return undefined;
    case 'rsa': {
      const bits = d.modulusLength ?? 0;
      if (bits < RSA_MODULUS_BITS.min || bits > RSA_MODULUS_BITS.max) return refuse(`RSA-${bits}`);
      return d.publicExponent === RSA_EXPONENT ? undefined : refuse(`RSA exponent ${String(d.publicExponent)}`);
    }
    default:
      return refuse(String(key.asymmetricKeyType));
  }
};

/** Proof of possession: the CSR is signed by its own key. Conjur skips this; podid must not. */
export const checkCsrSignature: CsrCheck = (csr) => {
  const alg = SIGNATURE_ALGORITHMS[csr.signatureAlgorithmOid];
  const refuse = (msg: string): CsrRefusal => ({ code: 'CSR_SIGNATURE_INVALID', message: `CSR signature: ${msg}` });
  if (!alg) return refuse(`exp=SHA-2 with RSA or ECDSA, or Ed25519 got=algorithm ${csr.signatureAlgorithmOid}`);
  if (!csr.publicKey || csr.publicKey.asymmetricKeyType !== alg.key) {
    return refuse(`exp=${alg.name} with a ${alg.key} key got=${csr.publicKey?.asymmetricKeyType ?? 'unknown'} key`);
  }
  try {
    return verify(alg.hash, csr.tbs, csr.publicKey, csr.signature) ? undefined : refuse('exp=valid signature by the CSR key got=mismatch');
  } catch {
    return refuse('exp=valid signature by the CSR key got=undecodable signature');
  }
};

/** There is a SAN at all. */
export const checkSanPresent: CsrCheck = (csr) =>
  csr.sans === undefined
    ? { code: 'CSR_SAN_NOT_SPIFFE', message: 'CSR SAN: exp=one URI SAN got=an undecodable subjectAltName' }
    : csr.sans.length === 0
      ? { code: 'CSR_SAN_MISSING', message: 'CSR SAN: exp=one URI SAN (spiffe://...) got=none' }
      : undefined;

/** Exactly one SAN: no DNS, IP, email or second URI beside the SPIFFE id. */
export const checkNoExtraSans: CsrCheck = (csr) => {
  const sans = csr.sans ?? [];
  return sans.length > 1
    ? { code: 'CSR_SAN_MULTIPLE', message: `CSR SAN: exp=exactly 1 entry got=${sans.length} (${sans.map((s) => s.type).join(', ')})` }
    : undefined;
};

/** The one SAN is a URI in the strict pod form. */
export const checkSpiffeSan: CsrCheck = (csr, expect) => {
  const san = csr.sans?.[0];
  if (!san) return undefined;
  if (san.type !== 'url') return { code: 'CSR_SAN_NOT_SPIFFE', message: `CSR SAN: exp=URI got=${san.type}` };
  const td = expect.anyTrustDomain ? spiffeTrustDomainOf(san.value) : (expect.trustDomain ?? DEFAULT_TRUST_DOMAIN);
  if (td === undefined) return { code: 'CSR_SAN_NOT_SPIFFE', message: `CSR SAN: exp="spiffe://<trust-domain>/namespace/<ns>/podname/<pod>" got=${JSON.stringify(san.value.slice(0, 120))}` };
  const r = parsePodSpiffeId(san.value, td);
  return r.ok ? undefined : { code: 'CSR_SAN_NOT_SPIFFE', message: `CSR SAN ${r.reason}` };
};

/** The SAN equals the identity the caller verified. */
export const checkSanMatches: CsrCheck = (csr, expect) => {
  const got = csr.sans?.[0]?.value;
  if (expect.spiffeId === undefined || got === expect.spiffeId) return undefined;
  return { code: 'CSR_SAN_MISMATCH', message: `CSR SAN mismatch: exp=${JSON.stringify(expect.spiffeId)} got=${JSON.stringify(got?.slice(0, 200))}` };
};

/** Cheap structural checks first; the signature before anything that trusts the content. */
export const CSR_CHECKS: ReadonlyArray<readonly [string, CsrCheck]> = [
  ['checkKeyAllowed', checkKeyAllowed],
  ['checkCsrSignature', checkCsrSignature],
  ['checkSanPresent', checkSanPresent],
  ['checkNoExtraSans', checkNoExtraSans],
  ['checkSpiffeSan', checkSpiffeSan],
  ['checkSanMatches', checkSanMatches],
];

/**
 * Parses and checks a CSR PEM. Returns the parsed CSR, or throws a
 * CsrInvalidError (an InvalidArgumentError) naming the first failed check.
 * Never throws anything else, whatever the input.
 */
export function checkCsr(pem: string, expect: CsrExpectation = {}): ParsedCsr {
  let csr: ParsedCsr;
  try {
    csr = parseCsr(pem);
  } catch (e) {
    if (e instanceof CsrInvalidError) throw e;
    throw new CsrInvalidError('CSR_MALFORMED', 'CSR: exp=DER PKCS#10 got=undecodable content', 'parseCsr');
  }
  for (const [name, check] of CSR_CHECKS) {
    let refusal: CsrRefusal | undefined;
    try {
      refusal = check(csr, expect);
    } catch {
      refusal = { code: 'CSR_MALFORMED', message: `CSR: exp=well-formed content got=content ${name} cannot read` };
    }
    if (refusal) throw new CsrInvalidError(refusal.code, refusal.message, name);
  }
  return csr;
}
