import { parseClientConfig } from './config';

const base = {
  CONJUR_AUTHN_URL: 'https://conjur.example/authn-k8s/prod/',
  CONJUR_ACCOUNT: 'default',
  CONJUR_AUTHN_LOGIN: 'host/conjur/authn-k8s/prod/apps/myapp',
  MY_POD_NAME: 'p',
  MY_POD_NAMESPACE: 'ns',
};

describe('parseClientConfig', () => {
  it('applies the Conjur defaults, treating empty values as unset', () => {
    const r = parseClientConfig({ ...base, CONJUR_AUTHN_TOKEN_FILE: '', CONTAINER_MODE: '' });
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.config).toMatchObject({
      flow: 'k8s',
      authnUrl: 'https://conjur.example/authn-k8s/prod',
      tokenFile: '/run/conjur/access-token',
      clientCertPath: '/etc/conjur/ssl/client.pem',
      tokenTimeoutMs: 360_000,
      mode: 'sidecar',
      logLevel: 'info',
      keyType: 'ec-p256',
      certWaitMs: 120_000,
      healthPort: 8080,
      backoffInitialMs: 1000,
      backoffMaxMs: 30_000,
      initTimeoutMs: 300_000,
      trustSystemCas: false,
    });
    expect(r.warnings).toEqual([]);
  });

  it('parses Go durations and the podid extras', () => {
    const r = parseClientConfig({ ...base, CONJUR_TOKEN_TIMEOUT: '1m30s', CONTAINER_MODE: 'Init', PODID_KEY_TYPE: 'rsa-4096', PODID_HEALTH_PORT: '0', LOG_LEVEL: 'DEBUG' });
    expect(r.ok && r.config).toMatchObject({ tokenTimeoutMs: 90_000, mode: 'init', keyType: 'rsa-4096', healthPort: 0, logLevel: 'debug' });
  });

  it('chooses the JWT flow by substring, where login and pod are optional', () => {
    const r = parseClientConfig({ CONJUR_AUTHN_URL: 'https://c/api/authn-jwt/k8s', CONJUR_ACCOUNT: 'acme' });
    expect(r.ok && r.config).toMatchObject({ flow: 'jwt', login: undefined, jwtTokenPath: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
  });

  it('warns about a bad LOG_LEVEL and uses info', () => {
    const r = parseClientConfig({ ...base, LOG_LEVEL: 'loud' });
    expect(r.ok && [r.config.logLevel, r.warnings]).toEqual(['info', [{ env: 'LOG_LEVEL', value: 'loud' }]]);
  });

  it('reports every bad variable on its own line, naming it and what was expected', () => {
    const r = parseClientConfig({ CONJUR_AUTHN_URL: 'https://c/authn-k8s/x', CONJUR_AUTHN_LOGIN: 'alice', CONJUR_TOKEN_TIMEOUT: '6x', CONTAINER_MODE: 'daemon', PODID_HEALTH_PORT: '70000' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      'CONJUR_ACCOUNT=unset: expected a non-empty string (required)',
      'CONJUR_TOKEN_TIMEOUT="6x": expected a duration such as 5m (1s..24h)',
      'PODID_HEALTH_PORT="70000": expected an integer in 0..65535',
      'CONJUR_AUTHN_LOGIN="alice": expected host/<id> with no empty segments (CAKC032)',
      'MY_POD_NAME=unset: expected the pod name from the downward API (required for authn-k8s, CAKC008)',
      'MY_POD_NAMESPACE=unset: expected the pod namespace from the downward API (required for authn-k8s, CAKC008)',
      'CONTAINER_MODE="daemon": expected init or sidecar',
    ]);
  });

  it('refuses a URL that names neither flow, or is not https', () => {
    const r = parseClientConfig({ ...base, CONJUR_AUTHN_URL: 'https://c/authn' });
    expect(!r.ok && r.problems).toEqual(['CONJUR_AUTHN_URL="https://c/authn": expected a URL containing authn-k8s or authn-jwt (CAKC063)']);
    const h = parseClientConfig({ ...base, CONJUR_AUTHN_URL: 'http://c/authn-k8s/x' });
    expect(!h.ok && h.problems[0]).toMatch(/^CONJUR_AUTHN_URL="http:\/\/c\/authn-k8s\/x": expected a string matching/);
  });
});
