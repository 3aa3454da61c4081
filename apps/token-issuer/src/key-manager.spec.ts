import { createLogger, LogCapture } from '@podid/logging';
import { FileKeyStore } from '@podid/redis-stores';
import { tmpDir } from '@podid/testkit';
import { defaultRotationPolicy, signToken, verifyToken } from '@podid/tokens';
import { KeyManager } from './key-manager';

const H = 3_600_000;
const k8s = { namespace: 'n', pod: 'p', pod_uid: 'u', service_account: 's', authenticator: 'authn-k8s/dev', cluster: 'default' };

describe('KeyManager with a file store and a fake clock', () => {
  it('publishes the next key before it signs, keeps the old one for its tokens, and survives a restart', async () => {
    const dir = tmpDir();
    let now = Date.UTC(2026, 0, 1);
    const t0 = now;
    const logs = new LogCapture();
    const open = async () => {
      const m = new KeyManager({ store: new FileKeyStore(dir), policy: defaultRotationPolicy(24 * H, H), log: createLogger({ service: 't', destination: logs }), now: () => now });
      await m.open();
      return m;
    };
    const keys = await open();
    const first = keys.signer().kid;

    now = t0 + 23 * H;
    await keys.tick();
    const kids = keys.jwks().keys.map((k) => k.kid);
    expect(kids).toHaveLength(2);
    const second = kids.find((k) => k !== first)!;
    expect(keys.signer().kid).toBe(first);

    // The last token of the first key, just before the switch.
    now = t0 + 24 * H - 1000;
    const token = await signToken({ signer: keys.signer(), issuer: 'i', audience: 'a', hostId: 'h', k8s, ttlSeconds: 3600, now });
    now = t0 + 24 * H;
    await keys.tick();
    expect(keys.signer().kid).toBe(second);

    // A restart reads the same ring back and the old token still verifies.
    const again = await open();
    expect(again.signer().kid).toBe(second);
    now = t0 + 24 * H + 30 * 60_000;
    expect(verifyToken(token.compact, { keyFor: (kid) => again.keyFor(kid), now }).sub).toBe('host/h');

    now = t0 + 25 * H + 61_000;
    await again.tick();
    expect(again.jwks().keys.map((k) => k.kid)).toEqual([second]);
    expect(logs.withEvent('TOKEN_KEY_RETIRED')).toEqual([expect.objectContaining({ kid: first })]);
    expect(logs.text).not.toContain('PRIVATE KEY');
  });
});
