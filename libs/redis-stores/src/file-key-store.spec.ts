import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '@podid/testkit';
import { FileKeyStore, type StoredKeys } from './index';

const keys: StoredKeys = {
  version: 1,
  ring: { keys: [{ kid: 'k1', publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, state: 'active', publishedAt: 1, activatedAt: 1 }] },
  privateKeys: { k1: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' },
};

describe('FileKeyStore', () => {
  it('returns undefined before the first save, then what was saved, in a 0600 file, atomically', async () => {
    const dir = join(tmpDir(), 'keys');
    const store = new FileKeyStore(dir);
    expect(await store.load()).toBeUndefined();
    await store.save(keys);
    await store.save({ ...keys, ring: { keys: [...keys.ring.keys] } });
    expect(await new FileKeyStore(dir).load()).toEqual(keys);
    expect(readdirSync(dir)).toEqual(['token-signing-keys.json']);
    expect(statSync(join(dir, 'token-signing-keys.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt or incomplete file, naming it', async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'token-signing-keys.json'), '{"version":1,"ring":{"keys":[{"kid":"k9"}]},"privateKeys":{}}');
    await expect(new FileKeyStore(dir).load()).rejects.toThrow(/token-signing-keys.json: no private key for kid k9/);
    writeFileSync(join(dir, 'token-signing-keys.json'), 'nope');
    await expect(new FileKeyStore(dir).load()).rejects.toThrow(/not JSON/);
  });
});
