/** The server answered with a status >= 300. Facts come from the JSON error body and X-Request-Id. */
export class ServerStatusError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    readonly serverMessage: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(`status code ${status}${errorCode ? ` ${errorCode}` : ''}${serverMessage ? `, ${serverMessage}` : ''}`);
    this.name = 'ServerStatusError';
  }
}

/** The request got no answer within the client's request timeout. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The injected certificate did not appear (or never matched our key) within PODID_CERT_WAIT. */
export class CertWaitTimeoutError extends Error {
  constructor(
    readonly path: string,
    readonly waitedMs: number,
    /** What was last seen at the path: nothing, a certificate for another key, or unparseable text. */
    readonly lastSeen: 'absent' | 'key_mismatch' | 'unparseable',
  ) {
    super(`no certificate for this key at ${path} after ${waitedMs} ms (last seen: ${lastSeen})`);
    this.name = 'CertWaitTimeoutError';
  }
}

/** Writing the token file failed; `cause` is the fs error. */
export class TokenFileError extends Error {
  constructor(readonly path: string, override readonly cause: unknown) {
    super(`cannot write ${path}: ${(cause as { code?: string }).code ?? String(cause)}`);
    this.name = 'TokenFileError';
  }
}

/** Reading the service-account token (JWT flow) failed; `cause` is the fs error. */
export class JwtFileError extends Error {
  constructor(readonly path: string, override readonly cause: unknown) {
    super(`cannot read ${path}: ${(cause as { code?: string }).code ?? String(cause)}`);
    this.name = 'JwtFileError';
  }
}

/** A failure while logging in (CSR, injection); logged as CAKC015. `cause` is the real error. */
export class LoginError extends Error {
  constructor(override readonly cause: unknown) {
    super(`login failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'LoginError';
  }
}
