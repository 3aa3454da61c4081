import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FailedPreconditionError, NotFoundError } from '@podid/errors';
import { createLogger, LogCapture } from '@podid/logging';
import { tmpDir } from '@podid/testkit';
import { createCa } from '@podid/x509';
import { CaRegistry } from './ca-registry';
import { fileCaStore } from './file-ca-store';

const now = () => new Date();

function setup(opts: { create?: boolean; admit?: (serviceId: string) => Promise<void>; maxEntries?: number } = {}) {
  const dir = tmpDir();
  const capture = new LogCapture();
  const log = createLogger({ service: 'ca-signer', destination: capture });
  const modes: string[] = [];
  const store = fileCaStore({ dir, now, createAlgorithm: opts.create ? 'ec-p256' : undefined, onInsecureKeyMode: (p) => modes.push(p) });
  const registry = new CaRegistry({ store, cacheTtlMs: 60_000, now, log, admit: opts.admit ?? (async () => undefined), maxEntries: opts.maxEntries });
  return { dir, capture, registry, modes };
}

describe('CaRegistry with the directory store', () => {
  it('answers NOT_FOUND naming where the CA was expected', async () => {
    const { dir, registry, capture } = setup();
    await expect(registry.get('dev')).rejects.toThrow(NotFoundError);
    await expect(registry.get('dev')).rejects.toThrow(`exp=a CA at ${join(dir, 'dev')}/{ca.pem,ca-key.pem} got=none`);
    expect(capture.withEvent('CA_NOT_FOUND')).toHaveLength(2); // not found is not cached
  });

  it('loads an operator CA once, caches it, and warns about a readable key', async () => {
    const { dir, registry, capture, modes } = setup();
    const ca = await createCa({ commonName: 'op CA', now: now(), ttlMs: 86_400_000, algorithm: 'rsa-2048' });
    mkdirSync(join(dir, 'prod'));
    writeFileSync(join(dir, 'prod', 'ca.pem'), ca.certPem);
    writeFileSync(join(dir, 'prod', 'ca-key.pem'), ca.keyPem);
    chmodSync(join(dir, 'prod', 'ca-key.pem'), 0o644);
    const [a, b] = await Promise.all([registry.get('prod'), registry.get('prod')]);
    expect(a).toBe(b);
    expect(a.algorithm).toBe('rsa-2048');
    expect(await registry.get('prod')).toBe(a);
    expect(capture.withEvent('CA_LOADED')).toHaveLength(1);
    expect(modes).toEqual([join(dir, 'prod', 'ca-key.pem')]);
  });

  it('names the corrupt file, and a missing half', async () => {
    const { dir, registry, capture } = setup();
    const ca = await createCa({ commonName: 'x', now: now(), ttlMs: 86_400_000 });
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'ca.pem'), ca.certPem);
    await expect(registry.get('bad')).rejects.toThrow(`${join(dir, 'bad', 'ca-key.pem')}: exp=CA key`);
    writeFileSync(join(dir, 'bad', 'ca-key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    const err = await registry.get('bad').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect((err as Error).message).toContain(`${join(dir, 'bad')}: key: exp=a PEM private key`);
    expect(capture.withEvent('CA_CORRUPT')).toHaveLength(2);
  });

  it('creates one CA on concurrent first use in local mode', async () => {
    const { registry, capture } = setup({ create: true });
    const cas = await Promise.all([registry.get('dev'), registry.get('dev'), registry.get('dev')]);
    expect(new Set(cas.map((c) => c.fingerprint)).size).toBe(1);
    expect(capture.withEvent('CA_CREATED')).toHaveLength(1);
  });

  it('creates no CA for a service id it does not admit', async () => {
    const admit = async (id: string) => {
      if (id !== 'dev') throw new NotFoundError('AUTHENTICATOR_NOT_FOUND', `authenticator "${id}" is not in policy`);
    };
    const { dir, registry, capture } = setup({ create: true, admit });
    await expect(registry.get('random-1')).rejects.toMatchObject({ code: 'AUTHENTICATOR_NOT_FOUND' });
    expect(readdirSync(dir)).toEqual([]);
    expect(capture.withEvent('CA_CREATED')).toHaveLength(0);
    expect(registry.size).toBe(0);
    await registry.get('dev');
    expect(readdirSync(dir)).toEqual(['dev']);
  });

  it('keeps at most maxEntries CAs cached', async () => {
    const { registry } = setup({ create: true, maxEntries: 2 });
    for (const id of ['a', 'b', 'c', 'd']) await registry.get(id);
    expect(registry.size).toBe(2);
  });
});
