import { DependencyUnavailableError, FailedPreconditionError, InvalidArgumentError, NotFoundError, PayloadTooLargeError, PermissionDeniedError, ResourceExhaustedError, UnauthenticatedError, UnsupportedMediaTypeError, AbortedError, DeadlineExceededError } from '@podid/errors';
import { AUTHENTICATION_FAILED, httpErrorOf } from './http-status';

describe('error kind -> HTTP status table', () => {
  it('answers every login denial with the same generic 401', () => {
    const denials = [
      new UnauthenticatedError('AUTHN_CERT_EXPIRED', 'exp got'),
      new PermissionDeniedError('RESTRICTION_FAILED', 'service account mismatch: exp=a got=b'),
      new NotFoundError('POD_NOT_FOUND', 'pod demo/x'),
      new FailedPreconditionError('AUTHENTICATOR_DISABLED', 'disabled'),
      new AbortedError('EXEC_FAILED', 'exit 1'),
    ];
    const shapes = denials.map((e) => httpErrorOf(e, 'login'));
    for (const s of shapes) expect(s).toEqual({ ...shapes[0], status: 401, code: AUTHENTICATION_FAILED, generic: true });
    expect(JSON.stringify(shapes)).not.toMatch(/demo|mismatch|exit/);
  });
  it('keeps client mistakes, limits and outages on login routes', () => {
    expect(httpErrorOf(new InvalidArgumentError('CSR_MALFORMED', 'bad PEM'), 'login')).toMatchObject({ status: 400, code: 'csr_malformed', message: 'bad PEM' });
    expect(httpErrorOf(new PayloadTooLargeError('BODY_TOO_LARGE', 'x'), 'login').status).toBe(413);
    expect(httpErrorOf(new UnsupportedMediaTypeError('UNSUPPORTED_MEDIA_TYPE', 'x'), 'login').status).toBe(415);
    expect(httpErrorOf(new ResourceExhaustedError('RATE_LIMITED', 'x', 2.2), 'login')).toMatchObject({ status: 429, retryAfterSeconds: 3 });
    const down = httpErrorOf(new DependencyUnavailableError('REDIS_DOWN', 'redis at 10.0.0.1'), 'login');
    expect(down).toMatchObject({ status: 503, code: 'redis_down', generic: true });
    expect(down.message).not.toContain('10.0.0.1');
    expect(httpErrorOf(new DeadlineExceededError('DEADLINE', 'x'), 'login').status).toBe(503);
  });
  it('says 403 for a missing grant and 401 for a missing token on API routes', () => {
    expect(httpErrorOf(new PermissionDeniedError('PRIVILEGE_MISSING', 'x'), 'api')).toMatchObject({ status: 403, code: 'forbidden' });
    expect(httpErrorOf(new UnauthenticatedError('TOKEN_MISSING', 'x'), 'api')).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(httpErrorOf(new NotFoundError('CA_NOT_FOUND', 'x'), 'api').status).toBe(404);
  });
});
