import { InvalidArgumentError } from '@podid/errors';
import { MAX_CERT_PEM_BYTES, parseClientPem } from './client-pem';
import { makeTestLeaf } from './testing/make-test-leaf';

describe('parseClientPem', () => {
  let pem: string;
  beforeAll(async () => {
    pem = (await makeTestLeaf({ namespace: 'demo', pod: 'app-1' })).certPem;
  });

  it('accepts a leaf plus chain and normalizes it', () => {
    const p = parseClientPem(pem.replace(/\n/g, '\r\n'));
    expect(p.certs).toHaveLength(2);
    expect(p.text).toBe(pem);
    expect(p.text.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
  });

  it.each([
    ['a shell payload after the PEM', (s: string) => `${s}$(rm -rf /)\n`],
    ['text before the PEM', (s: string) => `hello\n${s}`],
    ['a quote inside base64', (s: string) => s.replace(/\n([A-Za-z0-9+/]{10})/, "\n$1'")],
    ['a private key block', () => '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
    ['an unterminated block', (s: string) => s.slice(0, s.indexOf('-----END'))],
    ['an empty block', () => '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'],
    ['padding in the middle', () => '-----BEGIN CERTIFICATE-----\nAA==AAAA\n-----END CERTIFICATE-----\n'],
    ['nothing', () => ''],
  ])('refuses %s', (_name, mutate) => {
    expect(() => parseClientPem(mutate(pem))).toThrow(InvalidArgumentError);
    try {
      parseClientPem(mutate(pem));
    } catch (e) {
      expect((e as InvalidArgumentError).code).toBe('CERT_PEM_INVALID');
    }
  });

  it('checks the size before parsing', () => {
    const big = pem.repeat(Math.ceil(MAX_CERT_PEM_BYTES / pem.length) + 1);
    expect(() => parseClientPem(big)).toThrow(/at most 32768 bytes/);
  });

  it('caps the number of certificates', () => {
    const block = pem.slice(0, pem.indexOf('-----END CERTIFICATE-----\n') + 26);
    expect(() => parseClientPem(block.repeat(9))).toThrow(/at most 8 certificates/);
  });
});
