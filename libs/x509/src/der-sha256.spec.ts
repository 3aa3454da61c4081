import { createHash } from 'node:crypto';
import { derSha256 } from './der-sha256';
import { generateKeyPair } from './keys';
import { createCsr } from './create-csr';
import { checkCsr } from './csr-checks';

describe('derSha256', () => {
  it('is the full sha256 of the DER under the PEM, and what a parsed CSR carries as its fingerprint', async () => {
    const sans = [{ type: 'url', value: 'spiffe://cluster.local/namespace/demo/podname/web' }] as const;
    const pem = await createCsr({ keys: await generateKeyPair('ec-p256'), algorithm: 'ec-p256', commonName: 'dev.apps.web', sans });
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const expected = createHash('sha256').update(der).digest('hex');
    expect(derSha256(der)).toBe(expected);
    expect(checkCsr(pem, {}).fingerprint).toBe(expected);
    // Not the hash of the PEM text, which differs with line endings and wrapping.
    expect(expected).not.toBe(createHash('sha256').update(pem).digest('hex'));
  });
});
