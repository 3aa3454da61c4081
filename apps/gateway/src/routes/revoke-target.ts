import type { RevokeRequest } from '@podid/contracts';
import { InvalidArgumentError } from '@podid/errors';
import { isPodUid } from '@podid/spiffe';
import { formField } from '../protocol/form-field';

/**
 * The revocation a request body asks for: RFC 7009 form `token=...`, or JSON
 * with exactly one of `jti`, `host` or `pod_uid`. A jti's optional `exp` is
 * checked but not used: token-issuer keeps a jti revocation for the longest
 * token lifetime, so a caller's short `exp` cannot make it lapse early.
 */
export function revokeTarget(body: string, contentType: string): RevokeRequest {
  if (contentType === 'application/json') {
    let v: unknown;
    try {
      v = JSON.parse(body);
    } catch {
      throw new InvalidArgumentError('BAD_JSON', 'body: exp=a JSON object got=unparseable text');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidArgumentError('BAD_JSON', 'body: exp=a JSON object');
    const o = v as Record<string, unknown>;
    const keys = ['jti', 'host', 'pod_uid', 'token'].filter((k) => o[k] !== undefined);
    if (keys.length !== 1) throw new InvalidArgumentError('REVOKE_TARGET', `body: exp=exactly one of jti, host, pod_uid, token got=${keys.length}`);
    const k = keys[0]!;
    const s = o[k];
    if (typeof s !== 'string' || s.length === 0 || s.length > 16 * 1024) throw new InvalidArgumentError('REVOKE_TARGET', `${k}: exp=a non-empty string`);
    if (k === 'jti') {
      const exp = o['exp'];
      if (exp !== undefined && (typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp <= 0)) throw new InvalidArgumentError('REVOKE_TARGET', 'exp: exp=unix seconds');
      return { target: { $case: 'jti', value: s }, expiresAt: 0 };
    }
    if (k === 'host') return { target: { $case: 'hostId', value: s.replace(/^host\//, '') }, expiresAt: 0 };
    if (k === 'pod_uid') {
      if (!isPodUid(s)) throw new InvalidArgumentError('REVOKE_TARGET', `pod_uid: exp=lowercase UUID got=${JSON.stringify(s.slice(0, 60))}`);
      return { target: { $case: 'podUid', value: s }, expiresAt: 0 };
    }
    return { target: { $case: 'token', value: s }, expiresAt: 0 };
  }
  const token = formField(body, 'token');
  if (!token) throw new InvalidArgumentError('REVOKE_TARGET', 'body: exp=token=<token> (RFC 7009) got=no token field');
  return { target: { $case: 'token', value: token }, expiresAt: 0 };
}
