import { readFile } from 'node:fs/promises';
import type { Logger } from '@podid/logging';
import { JwtFileError } from './client-errors';
import type { ConjurApi } from './conjur-http-client';
import type { TokenSource } from './token-source';

/**
 * The authn-jwt flow: post the pod's projected service-account token. The
 * file is read on every call because the kubelet rotates it.
 */
export class JwtTokenSource implements TokenSource {
  constructor(private readonly o: { api: ConjurApi; jwtTokenPath: string; login: string | undefined; log: Logger }) {}

  renewalAt(): Date | undefined {
    return undefined;
  }

  async fetchToken(signal: AbortSignal): Promise<Buffer> {
    const jwt = await readFile(this.o.jwtTokenPath, 'utf8').then(
      (t) => t.trim(),
      (err: unknown) => Promise.reject(new JwtFileError(this.o.jwtTokenPath, err)),
    );
    if (jwt === '') throw new JwtFileError(this.o.jwtTokenPath, new Error('empty file'));
    this.o.log.event('CAKC040', { login: this.o.login ?? '(from token)' });
    return this.o.api.authenticateJwt(jwt, this.o.login, signal);
  }
}
