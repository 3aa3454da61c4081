import { UnauthenticatedError } from '@podid/errors';

/** Longest Authorization header read; a token is a few KiB. */
export const MAX_AUTHORIZATION_LENGTH = 16 * 1024;

/**
 * The access token in an Authorization header: Conjur's
 * `Token token="<base64 of the token JSON>"` or `Bearer <compact>`.
 * Returns the token in either serialisation, for TokenIssuer.Introspect.
 */
export function callerToken(header: string | undefined): string {
  if (!header) throw new UnauthenticatedError('TOKEN_MISSING', 'Authorization: exp=Token token="..." or Bearer <jwt> got=none');
  if (header.length > MAX_AUTHORIZATION_LENGTH) throw new UnauthenticatedError('TOKEN_MALFORMED', `Authorization: exp<=${MAX_AUTHORIZATION_LENGTH} chars`);
  const conjur = /^Token token="([\s\S]*)"\s*$/.exec(header);
  if (conjur) {
    const json = Buffer.from(conjur[1]!.trim(), 'base64').toString('utf8');
    if (!json.startsWith('{')) throw new UnauthenticatedError('TOKEN_MALFORMED', 'Authorization Token: exp=base64 of the token JSON');
    return json;
  }
  const bearer = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/.exec(header);
  if (bearer) return bearer[1]!;
  throw new UnauthenticatedError('TOKEN_MALFORMED', 'Authorization: exp=Token token="..." or Bearer <jwt>');
}
