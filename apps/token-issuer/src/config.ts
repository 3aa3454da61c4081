import { duration, loadConfigOrExit, optionalStr, redisPrefixField, str, url, type ConfigOf } from '@podid/config';
import { serviceFields } from '@podid/runtime';

/** Env vars of token-issuer (docs/configuration.md). */
export const configSchema = {
  ...serviceFields,
  // Secret: a URL may carry the Redis password.
  redisUrl: str({ env: 'REDIS_URL', secret: true, pattern: /^(rediss?|redis-sentinels?|redis-clusters?):\/\/\S+$/ }),
  redisPrefix: redisPrefixField,
  issuer: url({ env: 'PODID_ISSUER', protocols: ['https', 'http'] }),
  audience: str({ env: 'PODID_TOKEN_AUDIENCE', default: 'podid' }),
  maxTtlMs: duration({ env: 'PODID_TOKEN_MAX_TTL', default: 3_600_000, min: 60_000, max: 18_000_000, minText: '1m', maxText: '5h' }),
  rotationMs: duration({ env: 'PODID_TOKEN_KEY_ROTATION', default: 86_400_000, min: 10_000, max: 90 * 86_400_000, minText: '10s', maxText: '90d' }),
  keysDir: optionalStr({ env: 'PODID_TOKEN_KEYS_DIR' }),
  keysSecretNamespace: optionalStr({ env: 'PODID_TOKEN_KEYS_SECRET_NAMESPACE' }),
  keysSecretName: str({ env: 'PODID_TOKEN_KEYS_SECRET_NAME', default: 'podid-token-keys', pattern: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/ }),
  kubeconfig: optionalStr({ env: 'KUBECONFIG' }),
};

export type Config = ConfigOf<typeof configSchema>;

/** Cross-field rule: exactly one key store. */
export function configProblems(cfg: Pick<Config, 'keysDir' | 'keysSecretNamespace'>): string[] {
  if (!cfg.keysDir === !cfg.keysSecretNamespace) {
    return ['PODID_TOKEN_KEYS_DIR / PODID_TOKEN_KEYS_SECRET_NAMESPACE: expected exactly one of them (file store or Kubernetes Secret)'];
  }
  return [];
}

/** The config from env; a bad variable or a broken rule prints one stderr line each and exits 78. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfigOrExit('token-issuer', configSchema, env, configProblems);
}
