import fc from 'fast-check';
import { InvalidArgumentError } from '@podid/errors';
import { checkCsr } from './csr-checks';
import { createCsr } from './create-csr';
import { derToPem, generateKeyPair } from './keys';

/** checkCsr either accepts or throws an InvalidArgumentError; nothing else, for any input. */
function onlyTypedRefusals(pem: string): boolean {
  try {
    checkCsr(pem, { spiffeId: 'spiffe://cluster.local/namespace/demo/podname/app-1' });
    return true;
  } catch (e) {
    if (e instanceof InvalidArgumentError && /^CSR_[A-Z_]+$/.test(e.code)) return true;
    throw e;
  }
}

describe('checkCsr never throws an untyped error', () => {
  let validDer: Buffer;
  beforeAll(async () => {
    const pem = await createCsr({
      keys: await generateKeyPair('ec-p256'),
      algorithm: 'ec-p256',
      commonName: 'demo',
      sans: [{ type: 'url', value: 'spiffe://cluster.local/namespace/demo/podname/app-1' }],
    });
    validDer = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  });

  it('for random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), onlyTypedRefusals), { numRuns: 300 });
  });

  it('for random bytes in a CSR PEM envelope', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => onlyTypedRefusals(derToPem(Buffer.from(b), 'CERTIFICATE REQUEST'))), { numRuns: 300 });
  });

  it('for valid CSRs with bytes changed, cut or inserted', () => {
    const mutation = fc.record({
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
      op: fc.constantFrom('set', 'cut', 'insert'),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        let der = Buffer.from(validDer);
        for (const m of muts) {
          const i = m.at % der.length;
          if (m.op === 'set') der[i] = m.byte;
          else if (m.op === 'cut') der = Buffer.concat([der.subarray(0, i), der.subarray(i + 1)]);
          else der = Buffer.concat([der.subarray(0, i), Buffer.from([m.byte]), der.subarray(i)]);
        }
        return onlyTypedRefusals(derToPem(der, 'CERTIFICATE REQUEST'));
      }),
      { numRuns: 500 },
    );
  });
});
