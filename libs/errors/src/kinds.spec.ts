import { errorOfKind, InvalidArgumentError, PodidError, ResourceExhaustedError } from './index';

describe('typed errors', () => {
  it('carry kind, stable code and message', () => {
    const e = new InvalidArgumentError('CSR_MALFORMED', 'expected a PEM CSR, got 3 bytes');
    expect(e).toBeInstanceOf(PodidError);
    expect(e.kind).toBe('invalid_argument');
    expect(e.code).toBe('CSR_MALFORMED');
    expect(e.name).toBe('InvalidArgumentError');
  });

  it('rebuild from a kind with the same class', () => {
    const e = errorOfKind('resource_exhausted', 'RATE_LIMITED', 'slow down');
    expect(e).toBeInstanceOf(ResourceExhaustedError);
    expect(e.message).toBe('slow down');
  });
});
