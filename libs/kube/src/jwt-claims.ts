import { UnauthenticatedError } from '@podid/errors';

/** Projected service-account tokens are about 1 KiB; anything far larger is not one. */
export const MAX_SA_TOKEN_BYTES = 16 * 1024;

/** The claims of a service-account JWT that we read. Unverified until a reviewer confirms the token. */
export interface SaTokenClaims {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud: readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly kubernetes?: {
    readonly namespace?: string;
    readonly pod?: { readonly name?: string; readonly uid?: string };
    readonly serviceaccount?: { readonly name?: string; readonly uid?: string };
  };
}

const malformed = (why: string) => new UnauthenticatedError('SA_TOKEN_MALFORMED', `service-account token is malformed: ${why}`);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Decodes a compact JWT's payload without verifying it. Throws
 * UnauthenticatedError SA_TOKEN_MALFORMED when it is not a JWT.
 */
export function decodeSaTokenClaims(token: string): SaTokenClaims {
  if (typeof token !== 'string' || token.length === 0) throw malformed('empty');
  if (token.length > MAX_SA_TOKEN_BYTES) throw malformed(`longer than ${MAX_SA_TOKEN_BYTES} bytes`);
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) throw malformed('expected three base64url parts');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw malformed('payload is not JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw malformed('payload is not a JSON object');
  const p = payload as Record<string, unknown>;
  const aud = Array.isArray(p['aud']) ? p['aud'].filter((a): a is string => typeof a === 'string') : typeof p['aud'] === 'string' ? [p['aud']] : [];
  const k = p['kubernetes.io'];
  const kube = typeof k === 'object' && k !== null ? (k as Record<string, Record<string, unknown> | string | undefined>) : undefined;
  const obj = (v: unknown) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined);
  return {
    iss: text(p['iss']),
    sub: text(p['sub']),
    aud,
    exp: num(p['exp']),
    nbf: num(p['nbf']),
    iat: num(p['iat']),
    kubernetes: kube && {
      namespace: text(kube['namespace']),
      pod: obj(kube['pod']) && { name: text(obj(kube['pod'])!['name']), uid: text(obj(kube['pod'])!['uid']) },
      serviceaccount: obj(kube['serviceaccount']) && { name: text(obj(kube['serviceaccount'])!['name']), uid: text(obj(kube['serviceaccount'])!['uid']) },
    },
  };
}
