import fc from 'fast-check';
import { InvalidArgumentError } from '@podid/errors';
import { fcParams } from '@podid/testkit';
import { checkCsr } from './csr-checks';
import { createCsr } from './create-csr';
import { readTlv } from './der-reader';
import { derToPem, generateKeyPair } from './keys';

const SPIFFE_ID = 'spiffe://cluster.local/namespace/demo/podname/app-1';

/** 'accepted', or the CSR_* code of the refusal; any other error fails the test. */
function outcome(pem: string): string {
  try {
    checkCsr(pem, { spiffeId: SPIFFE_ID });
    return 'accepted';
  } catch (e) {
    if (e instanceof InvalidArgumentError && /^CSR_[A-Z_]+$/.test(e.code)) return e.code;
    throw e;
  }
}

const mutation = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom('set', 'cut', 'insert') });
type Mutation = { at: number; byte: number; op: 'set' | 'cut' | 'insert' };

/** Applies mutations at offsets of the original DER, highest offset first so the lower ones stay put. */
function mutate(der: Buffer, muts: readonly Mutation[], offsets: readonly number[]): Buffer {
  let out = Buffer.from(der);
  const placed = muts.map((m) => ({ ...m, i: offsets[m.at % offsets.length]! })).sort((a, b) => b.i - a.i);
  for (const m of placed) {
    if (m.op === 'set') out[m.i] = m.byte;
    else if (m.op === 'cut') out = Buffer.concat([out.subarray(0, m.i), out.subarray(m.i + 1)]);
    else out = Buffer.concat([out.subarray(0, m.i), Buffer.from([m.byte]), out.subarray(m.i)]);
  }
  return out;
}

describe('checkCsr', () => {
  let validDer: Buffer;
  /** Offsets of certificationRequestInfo and of the signature BIT STRING: every byte the signature protects, and the signature. */
  let signedOffsets: number[];
  beforeAll(async () => {
    const pem = await createCsr({
      keys: await generateKeyPair('ec-p256'),
      algorithm: 'ec-p256',
      commonName: 'demo',
      sans: [{ type: 'url', value: SPIFFE_ID }],
    });
    validDer = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const outer = readTlv(validDer, 0)!;
    const tbs = readTlv(validDer, outer.contentStart)!;
    const alg = readTlv(validDer, tbs.end)!;
    const sig = readTlv(validDer, alg.end)!;
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
    signedOffsets = [...range(tbs.start, tbs.end), ...range(sig.start, sig.end)];
  });

  it('accepts the unmutated CSR (the control case)', () => {
    expect(outcome(derToPem(validDer, 'CERTIFICATE REQUEST'))).toBe('accepted');
  });

  it('only ever refuses with a typed error, for random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => void outcome(s)), fcParams(300));
  });

  it('only ever refuses with a typed error, for random bytes in a CSR PEM envelope', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => void outcome(derToPem(Buffer.from(b), 'CERTIFICATE REQUEST'))), fcParams(300));
  });

  it('only ever refuses with a typed error, for valid CSRs with bytes changed, cut or inserted anywhere', () => {
    const anywhere = () => Array.from({ length: validDer.length }, (_, k) => k);
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => void outcome(derToPem(mutate(validDer, muts, anywhere()), 'CERTIFICATE REQUEST'))),
      fcParams(500),
    );
  });

  it('refuses any change to the signed request info or the signature, unless the DER is unchanged', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        const der = mutate(validDer, muts, signedOffsets);
        const got = outcome(derToPem(der, 'CERTIFICATE REQUEST'));
        if (der.equals(validDer)) expect(got).toBe('accepted');
        else expect(got).not.toBe('accepted');
      }),
      fcParams(1000),
    );
  });
});
