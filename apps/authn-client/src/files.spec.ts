import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '@podid/testkit';
import { createCa, issueServiceCert } from '@podid/x509';
import { CertWaitTimeoutError, TokenFileError } from './client-errors';
import { waitForCert } from './wait-for-cert';
import { writeTokenFile } from './write-token-file';

describe('writeTokenFile', () => {
  it('creates the directory and writes 0644 via a temp file that does not remain', async () => {
    const dir = join(tmpDir(), 'run', 'conjur');
    await writeTokenFile(join(dir, 'access-token'), Buffer.from('{"a":1}'));
    await writeTokenFile(join(dir, 'access-token'), Buffer.from('{"a":2}'));
    expect(readdirSync(dir)).toEqual(['access-token']);
    expect(readFileSync(join(dir, 'access-token'), 'utf8')).toBe('{"a":2}');
    expect(statSync(join(dir, 'access-token')).mode & 0o777).toBe(0o644);
  });

  it('fails with TokenFileError when the path is not writable', async () => {
    const file = join(tmpDir(), 'f');
    writeFileSync(file, 'x');
    await expect(writeTokenFile(join(file, 'token'), Buffer.from('t'))).rejects.toBeInstanceOf(TokenFileError);
  });
});

describe('waitForCert', () => {
  it('accepts only a certificate for our key, deletes it, and times out otherwise', async () => {
    const ca = await createCa({ commonName: 't', now: new Date(), ttlMs: 3_600_000 });
    const { certPem } = await issueServiceCert({ ca, service: 'x', now: new Date(), ttlMs: 3_600_000 });
    const dir = tmpDir();
    const path = join(dir, 'client.pem');
    writeFileSync(path, certPem);
    const rejected: string[] = [];
    await expect(waitForCert({ path, timeoutMs: 300, matches: () => false, onRejected: (r) => rejected.push(r) })).rejects.toMatchObject({
      constructor: CertWaitTimeoutError,
      lastSeen: 'key_mismatch',
    });
    expect(rejected).toEqual(['key_mismatch']);
    const got = await waitForCert({ path, timeoutMs: 1000, matches: () => true });
    expect(got.leaf.subject).toContain('CN=x');
    expect(readdirSync(dir)).toEqual([]);
  });
});
