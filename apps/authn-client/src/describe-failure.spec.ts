import { CertWaitTimeoutError, LoginError, RequestTimeoutError, TokenFileError } from './client-errors';
import { describeFailure } from './describe-failure';
import { parseErrorResponse } from './parse-error-response';

const sysErr = (code: string) => Object.assign(new Error(`boom ${code}`), { code });

describe('describeFailure', () => {
  it('names network and TLS causes from the error code', () => {
    expect(describeFailure(sysErr('ENOTFOUND')).cause).toBe('dns');
    expect(describeFailure(sysErr('EAI_AGAIN')).cause).toBe('dns');
    expect(describeFailure(sysErr('ECONNREFUSED')).cause).toBe('connection_refused');
    expect(describeFailure(sysErr('ECONNRESET')).cause).toBe('connection_reset');
    expect(describeFailure(sysErr('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toEqual({ cause: 'tls', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE: boom UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(describeFailure(sysErr('ERR_TLS_CERT_ALTNAME_INVALID')).cause).toBe('tls');
    expect(describeFailure(sysErr('ERR_SSL_WRONG_VERSION_NUMBER')).cause).toBe('tls');
    expect(describeFailure(new Error('plain')).cause).toBe('unknown');
  });

  it('unwraps a login error and reports the server status, code and request id', () => {
    const err = new LoginError(parseErrorResponse(401, '{"error":{"code":"authentication_failed","message":"no","request_id":"r1"}}', 'hdr'));
    expect(describeFailure(err)).toEqual({ cause: 'http_status', detail: 'status code 401 authentication_failed, no', status: 401, error_code: 'authentication_failed', request_id: 'r1' });
  });

  it('names our own typed failures', () => {
    expect(describeFailure(new CertWaitTimeoutError('/c', 1000, 'absent')).cause).toBe('cert_wait_timeout');
    expect(describeFailure(new TokenFileError('/t', sysErr('EACCES'))).detail).toBe('cannot write /t: EACCES');
    expect(describeFailure(new RequestTimeoutError(10_000)).cause).toBe('timeout');
  });
});

describe('parseErrorResponse', () => {
  it('falls back to the X-Request-Id header and the trimmed text body', () => {
    const e = parseErrorResponse(503, '  upstream down \n', 'hdr-1');
    expect([e.status, e.errorCode, e.serverMessage, e.requestId]).toEqual([503, undefined, 'upstream down', 'hdr-1']);
    expect(parseErrorResponse(401, '', undefined).message).toBe('status code 401');
    expect(parseErrorResponse(500, 'x'.repeat(1000), undefined).serverMessage).toHaveLength(300);
  });
});
