import { decodeRichStatus, encodeRichStatus } from './rich-status';

describe('google.rpc.Status rich details', () => {
  it('round-trips the stable code as ErrorInfo.reason and the retry delay as RetryInfo', () => {
    const bytes = encodeRichStatus({ code: 8, message: 'slow down', reason: 'RATE_LIMITED', metadata: { field: 'token' }, retryDelaySeconds: 7 });
    expect(decodeRichStatus(bytes)).toEqual({ code: 8, message: 'slow down', reason: 'RATE_LIMITED', domain: 'podid.io', metadata: { field: 'token' }, retryDelaySeconds: 7 });
  });

  it('has no RetryInfo unless a retry delay is given', () => {
    expect(decodeRichStatus(encodeRichStatus({ code: 3, message: 'm', reason: 'BAD_REQUEST' })).retryDelaySeconds).toBeUndefined();
  });

  it('is the wire format of google.rpc.Status (fields 1, 2, 3 with Any type URLs)', () => {
    const bytes = encodeRichStatus({ code: 7, message: 'no', reason: 'PRIVILEGE_MISSING' });
    // field 1 varint 7, then field 2 "no"
    expect([...bytes.subarray(0, 6)]).toEqual([0x08, 7, 0x12, 2, 0x6e, 0x6f]);
    expect(bytes.toString('latin1')).toContain('type.googleapis.com/google.rpc.ErrorInfo');
  });
});
