import { UnauthenticatedError } from '@podid/errors';

/** Why a token was refused; stable words for logs and metrics. */
export type TokenInvalidReason =
  | 'too_large'
  | 'malformed'
  | 'bad_header'
  | 'unknown_kid'
  | 'bad_signature'
  | 'bad_claims'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid';

/** Thrown when a token cannot be accepted; the message never contains the token. */
export class TokenInvalidError extends UnauthenticatedError {
  constructor(
    readonly reason: TokenInvalidReason,
    detail: string,
  ) {
    super('TOKEN_INVALID', `token invalid (${reason}): ${detail}`);
  }
}
