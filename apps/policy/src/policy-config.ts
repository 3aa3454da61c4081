import { duration, loadConfigOrExit, str } from '@podid/config';
import { serviceFields } from '@podid/runtime';

/** Env vars of the policy service: the shared service fields plus where the policy lives and how often to recheck it. */
export const policyFields = {
  ...serviceFields,
  /** A policy file, or a folder whose *.yaml and *.yml files together form the policy. */
  policyPath: str({ env: 'PODID_POLICY' }),
  /** Quiet time after a change before reloading, so an editor's several writes reload once. */
  reloadDebounceMs: duration({ env: 'PODID_POLICY_DEBOUNCE', default: 200, min: 0, max: 10_000, minText: '0s', maxText: '10s' }),
  /** Safety net for filesystems where watching misses events (NFS, some overlay mounts). */
  pollIntervalMs: duration({ env: 'PODID_POLICY_POLL_INTERVAL', default: 30_000, min: 1000, max: 3_600_000, minText: '1s', maxText: '1h' }),
};

export function loadPolicyConfigOrExit() {
  return loadConfigOrExit('policy', policyFields);
}
