import { LogCapture } from './log-capture';
import { createLogger } from './logger';
import { runWithRequestId } from './request-context';
import { requestIdFrom } from './request-context';

describe('createLogger', () => {
  it('writes JSON with service, event code, and the current request id', () => {
    const out = new LogCapture();
    const log = createLogger({ service: 'gateway', destination: out });
    runWithRequestId('req-1', () => log.event('SERVICE_READY', { port: 1 }));
    log.event('SERVICE_STOPPED');
    expect(out.lines[0]).toMatchObject({ service: 'gateway', event: 'SERVICE_READY', port: 1, request_id: 'req-1', level: 'info' });
    expect(out.lines[1]).not.toHaveProperty('request_id');
  });

  it('redacts fields that may hold key material', () => {
    const out = new LogCapture();
    const log = createLogger({ service: 't', destination: out });
    log.event('GRPC_CALL_FAILED', { token: 'eyJsecret', req: { csrPem: '-----BEGIN CERTIFICATE REQUEST-----' } });
    expect(out.text).not.toContain('eyJsecret');
    expect(out.text).not.toContain('BEGIN');
  });

  it('accepts only plain request ids from callers', () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom('x'.repeat(65))).not.toBe('x'.repeat(65));
    expect(requestIdFrom('a\nb')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
