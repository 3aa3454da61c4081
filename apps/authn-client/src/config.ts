import { bool, duration, oneOf, port, str, type Field } from '@podid/config';

export type Flow = 'k8s' | 'jwt';
export type ContainerMode = 'init' | 'sidecar';
export type ClientLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type ClientKeyType = 'ec-p256' | 'rsa-4096';

/** The client's configuration, read from the same env vars as conjur-authn-k8s-client plus PODID_* extras. */
export interface ClientConfig {
  readonly flow: Flow;
  /** CONJUR_AUTHN_URL without a trailing slash. */
  readonly authnUrl: string;
  readonly account: string;
  /** `host/...`; required for k8s, optional for JWT. */
  readonly login: string | undefined;
  readonly podName: string | undefined;
  readonly podNamespace: string | undefined;
  readonly sslCertificate: string | undefined;
  readonly certFile: string | undefined;
  readonly trustSystemCas: boolean;
  readonly tokenFile: string;
  readonly clientCertPath: string;
  readonly jwtTokenPath: string;
  readonly tokenTimeoutMs: number;
  readonly mode: ContainerMode;
  readonly logLevel: ClientLogLevel;
  readonly keyType: ClientKeyType;
  readonly certWaitMs: number;
  readonly healthHost: string;
  /** 0 disables the health server. */
  readonly healthPort: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly initTimeoutMs: number;
}

/** The outcome of reading the env: the config and warnings to log, or one problem line per bad variable. */
export type ConfigResult = { ok: true; config: ClientConfig; warnings: Array<{ env: string; value: string }> } | { ok: false; problems: string[] };

const S = 1000;
const M = 60 * S;
const H = 60 * M;

const fields = {
  authnUrl: str({ env: 'CONJUR_AUTHN_URL', pattern: /^https:\/\/[^\s/]+(\/\S*)?$/ }),
  account: str({ env: 'CONJUR_ACCOUNT' }),
  tokenFile: str({ env: 'CONJUR_AUTHN_TOKEN_FILE', default: '/run/conjur/access-token' }),
  clientCertPath: str({ env: 'CONJUR_CLIENT_CERT_PATH', default: '/etc/conjur/ssl/client.pem' }),
  jwtTokenPath: str({ env: 'JWT_TOKEN_PATH', default: '/var/run/secrets/kubernetes.io/serviceaccount/token' }),
  tokenTimeoutMs: duration({ env: 'CONJUR_TOKEN_TIMEOUT', default: 6 * M, min: S, max: 24 * H, minText: '1s', maxText: '24h' }),
  trustSystemCas: bool({ env: 'PODID_TRUST_SYSTEM_CAS', default: false }),
  keyType: oneOf<ClientKeyType>({ env: 'PODID_KEY_TYPE', default: 'ec-p256', values: ['ec-p256', 'rsa-4096'] }),
  certWaitMs: duration({ env: 'PODID_CERT_WAIT', default: 2 * M, min: S, max: H, minText: '1s', maxText: '1h' }),
  healthHost: str({ env: 'PODID_HEALTH_HOST', default: '0.0.0.0' }),
  healthPort: port({ env: 'PODID_HEALTH_PORT', default: 8080 }),
  backoffInitialMs: duration({ env: 'PODID_BACKOFF_INITIAL', default: S, min: 10, max: M, minText: '10ms', maxText: '1m' }),
  backoffMaxMs: duration({ env: 'PODID_BACKOFF_MAX', default: 30 * S, min: 10, max: H, minText: '10ms', maxText: '1h' }),
  initTimeoutMs: duration({ env: 'PODID_INIT_TIMEOUT', default: 5 * M, min: S, max: 24 * H, minText: '1s', maxText: '24h' }),
};

const LEVELS: readonly ClientLogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Empty values fall back to defaults, as in the Conjur client. */
function val(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v;
}

/**
 * Reads and validates the environment. Every bad variable gives one line
 * naming it, its value and what was expected; nothing is defaulted silently
 * except LOG_LEVEL, which the Conjur client also only warns about.
 */
export function parseClientConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const take = <T>(key: string, f: Field<T>) => {
    const raw = val(env, f.env);
    const res = f.parse(raw);
    if (res.ok) out[key] = res.value;
    else problems.push(`${f.env}=${raw === undefined ? 'unset' : JSON.stringify(raw)}: expected ${res.expected}`);
  };
  for (const [key, f] of Object.entries(fields)) take(key, f as Field<unknown>);

  const url = val(env, 'CONJUR_AUTHN_URL');
  const flow: Flow | undefined = url?.includes('authn-k8s') ? 'k8s' : url?.includes('authn-jwt') ? 'jwt' : undefined;
  if (url !== undefined && flow === undefined) problems.push(`CONJUR_AUTHN_URL=${JSON.stringify(url)}: expected a URL containing authn-k8s or authn-jwt (CAKC063)`);

  const login = val(env, 'CONJUR_AUTHN_LOGIN');
  if (login !== undefined && !/^host\/[^/]+(\/[^/]+)*$/.test(login)) {
    problems.push(`CONJUR_AUTHN_LOGIN=${JSON.stringify(login)}: expected host/<id> with no empty segments (CAKC032)`);
  }
  const podName = val(env, 'MY_POD_NAME');
  const podNamespace = val(env, 'MY_POD_NAMESPACE');
  if (flow === 'k8s') {
    if (login === undefined) problems.push('CONJUR_AUTHN_LOGIN=unset: expected host/<id> (required for authn-k8s)');
    if (podName === undefined) problems.push('MY_POD_NAME=unset: expected the pod name from the downward API (required for authn-k8s, CAKC008)');
    if (podNamespace === undefined) problems.push('MY_POD_NAMESPACE=unset: expected the pod namespace from the downward API (required for authn-k8s, CAKC008)');
  }

  const rawMode = val(env, 'CONTAINER_MODE');
  const mode = rawMode === undefined ? 'sidecar' : rawMode.toLowerCase();
  if (mode !== 'init' && mode !== 'sidecar') problems.push(`CONTAINER_MODE=${JSON.stringify(rawMode)}: expected init or sidecar`);

  const warnings: Array<{ env: string; value: string }> = [];
  const rawLevel = val(env, 'LOG_LEVEL');
  let logLevel: ClientLogLevel = val(env, 'DEBUG') === 'true' ? 'debug' : 'info';
  if (rawLevel !== undefined) {
    if ((LEVELS as readonly string[]).includes(rawLevel.toLowerCase())) logLevel = rawLevel.toLowerCase() as ClientLogLevel;
    else warnings.push({ env: 'LOG_LEVEL', value: rawLevel });
  }
  if (out['backoffInitialMs'] !== undefined && out['backoffMaxMs'] !== undefined && (out['backoffMaxMs'] as number) < (out['backoffInitialMs'] as number)) {
    problems.push(`PODID_BACKOFF_MAX=${JSON.stringify(env['PODID_BACKOFF_MAX'])}: expected at least PODID_BACKOFF_INITIAL`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const config: ClientConfig = {
    ...(out as Omit<ClientConfig, 'flow' | 'login' | 'podName' | 'podNamespace' | 'sslCertificate' | 'certFile' | 'mode' | 'logLevel'>),
    authnUrl: (out['authnUrl'] as string).replace(/\/+$/, ''),
    flow: flow as Flow,
    login,
    podName,
    podNamespace,
    sslCertificate: val(env, 'CONJUR_SSL_CERTIFICATE'),
    certFile: val(env, 'CONJUR_CERT_FILE'),
    mode: mode as ContainerMode,
    logLevel,
  };
  return { ok: true, config: Object.freeze(config), warnings };
}
