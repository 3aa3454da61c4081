import { clustersFileField, clustersPollMsField, duration, loadConfigOrExit, str, trustDomainField, type ConfigOf } from '@podid/config';
import { serviceFields } from '@podid/runtime';

/** Env vars of the policy service: the shared service fields plus where the policy lives and how often to recheck it. */
export const configSchema = {
  ...serviceFields,
  /** A policy file, or a folder whose *.yaml and *.yml files together form the policy. */
  policyPath: str({ env: 'PODID_POLICY' }),
  /** Quiet time after a change before reloading, so an editor's several writes reload once. */
  reloadDebounceMs: duration({ env: 'PODID_POLICY_DEBOUNCE', default: 200, min: 0, max: 10_000, minText: '0s', maxText: '10s' }),
  /** Safety net for filesystems where watching misses events (NFS, some overlay mounts). */
  pollIntervalMs: duration({ env: 'PODID_POLICY_POLL_INTERVAL', default: 30_000, min: 1000, max: 3_600_000, minText: '1s', maxText: '1h' }),
  /** The clusters authenticators may name (docs/clusters.md); unset = one cluster `default`. */
  clustersFile: clustersFileField,
  /** How often the clusters file is read again (as pod-verifier and cert-injector do). */
  clustersPollMs: clustersPollMsField,
  /** Trust domain of a cluster that declares none. */
  trustDomain: trustDomainField,
};

export type Config = ConfigOf<typeof configSchema>;

/** The config from env; a bad variable prints one stderr line and exits 78. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfigOrExit('policy', configSchema, env);
}
