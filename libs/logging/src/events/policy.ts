import type { EventSpec } from './event';

/** Events of policy. */
export const policyEvents = {
  POLICY_LOADED: { level: 'info', meaning: 'The policy was read and validated at start; counts are in `authenticators` and `hosts`, the clusters its authenticators serve in `clusters`.' },
  POLICY_INVALID: {
    level: 'error',
    meaning: 'The policy or the clusters file (PODID_CLUSTERS_FILE) has a problem at start (one line per problem, at `file`:`line`); the service exits 1 rather than run without a policy.',
    fix: 'Fix the named line (docs/policy.md and docs/clusters.md describe the formats and every rule; an authenticator must name a declared cluster), or point PODID_POLICY / PODID_CLUSTERS_FILE at a valid file.',
  },
  POLICY_RELOADED: { level: 'info', meaning: 'A changed policy was validated in full and replaced the running one; counts are in `authenticators` and `hosts`.' },
  POLICY_RELOAD_FAILED: {
    level: 'error',
    meaning: 'A changed policy or clusters file has a problem at `file`:`line`; the previous policy stays in force.',
    fix: 'Fix the named line; the next save reloads it. Until then logins follow the previous policy. Removing a cluster that an authenticator names fails here: remove the authenticator first.',
  },
  POLICY_PRIVILEGED_HOST_SHARED: {
    level: 'warn',
    meaning: 'A host granted status, introspect or revoke (at `file`:`line`) has restrictions that a pod of an application host may also meet, so that pod can log in as the privileged host; the policy is in force anyway.',
    fix: 'Give the privileged host a service account or pod of its own (authn-k8s/service-account, authn-k8s/pod) that no application host shares: docs/policy.md, "Privileged hosts".',
  },
  POLICY_TOKEN_TTL_BELOW_CONJUR_TIMEOUT: {
    level: 'warn',
    meaning: "An authenticator (at `file`:`line`) issues tokens that live less than the Conjur client's default CONJUR_TOKEN_TIMEOUT (6m); Conjur sidecars re-authenticate only that often, whatever the token's expiry, so they hold expired tokens part of the time. The policy is in force anyway.",
    fix: 'Set the authenticator\'s tokenTtl to 6m or more, or set CONJUR_TOKEN_TIMEOUT below tokenTtl in every Conjur sidecar that uses it: docs/policy.md, "Token lifetime and Conjur sidecars".',
  },
  POLICY_WATCH_FAILED: {
    level: 'warn',
    meaning: 'The policy folder cannot be watched for changes; changes are still picked up by polling every PODID_POLICY_POLL_INTERVAL.',
    fix: 'Check the folder of PODID_POLICY exists and is readable, and the inotify watch limit (fs.inotify.max_user_watches).',
  },
} as const satisfies Record<string, EventSpec>;
