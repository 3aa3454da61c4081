import { bool, duration, loadConfigOrExit, oneOf, optionalStr, str, trustDomainField, type ConfigOf } from '@podid/config';
import { peerAddressFields, serviceFields } from '@podid/runtime';

/** ca-signer's env vars (besides the common service ones). */
export const configSchema = {
  ...serviceFields,
  /** Policy, asked which authenticators may have a CA. */
  policyAddr: peerAddressFields.policyAddr,
  /** Directory source: <dir>/<serviceId>/ca.pem + ca-key.pem. */
  caDir: optionalStr({ env: 'PODID_CA_DIR' }),
  /** Local mode: create a missing CA in PODID_CA_DIR on first use. */
  caCreate: bool({ env: 'PODID_CA_CREATE', default: false }),
  caCreateAlgorithm: oneOf({ env: 'PODID_CA_CREATE_ALGORITHM', values: ['ec-p256', 'ec-p384', 'rsa-2048'] as const, default: 'ec-p256' }),
  /** Secret source: Secrets podid-ca-<serviceId> in this namespace. */
  caSecretNamespace: str({ env: 'PODID_CA_SECRET_NAMESPACE', default: '-', pattern: /^(-|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$/ }),
  kubeconfig: optionalStr({ env: 'KUBECONFIG' }),
  caCacheTtlMs: duration({ env: 'PODID_CA_CACHE_TTL', default: 300_000, min: 1_000, max: 86_400_000, minText: '1s', maxText: '24h' }),
  trustDomain: trustDomainField,
};

export type Config = ConfigOf<typeof configSchema>;

/** Cross-field rules: exactly one CA source; PODID_CA_CREATE only with a directory. */
export function configProblems(cfg: Pick<Config, 'caDir' | 'caSecretNamespace' | 'caCreate'>): string[] {
  const secret = cfg.caSecretNamespace !== '-';
  if (cfg.caDir && secret) return [`PODID_CA_SECRET_NAMESPACE=${JSON.stringify(cfg.caSecretNamespace)}: expected unset when PODID_CA_DIR is set (one CA source)`];
  if (!cfg.caDir && !secret) return ['PODID_CA_DIR=unset: expected a directory, or PODID_CA_SECRET_NAMESPACE for Secret-backed CAs'];
  if (cfg.caCreate && !cfg.caDir) return ['PODID_CA_CREATE="true": expected only with PODID_CA_DIR (local mode)'];
  return [];
}

/** The config from env; a bad variable or a broken rule prints one stderr line each and exits 78. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfigOrExit('ca-signer', configSchema, env, configProblems);
}
