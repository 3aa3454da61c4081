import { address, bool, duration, int, list, oneOf, port, str } from './fields';
import { ConfigError, loadConfig } from './load-config';

const schema = {
  port: port({ env: 'PODID_PORT', default: 0 }),
  ttl: duration({ env: 'PODID_TTL', default: 480_000, min: 60_000, max: 86_400_000, minText: '1m', maxText: '24h' }),
  mode: oneOf({ env: 'PODID_MODE', values: ['init', 'sidecar'] as const, default: 'sidecar' }),
  name: str({ env: 'PODID_NAME' }),
  secret: str({ env: 'PODID_SECRET', secret: true, pattern: /^[a-f0-9]{8}$/ }),
  flags: list({ env: 'PODID_LIST', default: [] }),
  debug: bool({ env: 'PODID_DEBUG', default: false }),
  target: address({ env: 'PODID_TARGET', default: '127.0.0.1:1' }),
  count: int({ env: 'PODID_COUNT', default: 4, min: 1, max: 64 }),
};

describe('loadConfig', () => {
  it('parses and freezes a typed object with defaults', () => {
    const cfg = loadConfig(schema, { PODID_NAME: 'gw', PODID_SECRET: 'deadbeef', PODID_TTL: '5m', PODID_LIST: 'a, b,,c' });
    expect(cfg).toEqual({ port: 0, ttl: 300_000, mode: 'sidecar', name: 'gw', secret: 'deadbeef', flags: ['a', 'b', 'c'], debug: false, target: '127.0.0.1:1', count: 4 });
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('reports every bad variable on its own line, naming it and what was expected', () => {
    let err: unknown;
    try {
      loadConfig(schema, { PODID_PORT: '70000', PODID_TTL: '3x', PODID_MODE: 'daemon', PODID_SECRET: 'hunter2', PODID_COUNT: '1.5' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'PODID_PORT="70000": expected an integer in 0..65535',
      'PODID_TTL="3x": expected a duration such as 5m (1m..24h)',
      'PODID_MODE="daemon": expected one of init, sidecar',
      'PODID_NAME=unset: expected a non-empty string (required)',
      'PODID_SECRET=<redacted>: expected a string matching /^[a-f0-9]{8}$/',
      'PODID_COUNT="1.5": expected an integer in 1..64',
    ]);
    expect((err as Error).message).not.toContain('hunter2');
  });
});

describe('loadConfig cross-field rules', () => {
  const pair = { a: str({ env: 'PODID_A', default: '-' }), b: str({ env: 'PODID_B', default: '-' }) };
  const exactlyOne = (cfg: { a: string; b: string }) => ((cfg.a === '-') === (cfg.b === '-') ? ['PODID_A / PODID_B: expected exactly one of them'] : []);

  it('returns the config when the rules find nothing', () => {
    expect(loadConfig(pair, { PODID_A: 'x' }, exactlyOne)).toEqual({ a: 'x', b: '-' });
  });

  it('reports the rules\' problems as a ConfigError', () => {
    expect(() => loadConfig(pair, {}, exactlyOne)).toThrow(new ConfigError(['PODID_A / PODID_B: expected exactly one of them']));
  });

  it('runs the rules only once every field parsed', () => {
    const rules = jest.fn(exactlyOne);
    expect(() => loadConfig({ ...pair, n: int({ env: 'PODID_N', default: 1, min: 1, max: 2 }) }, { PODID_N: '9' }, rules)).toThrow(ConfigError);
    expect(rules).not.toHaveBeenCalled();
  });
});
