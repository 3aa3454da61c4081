import { createHash } from 'node:crypto';
import { parsePolicy, PolicyInvalidError, sharedPrivilegedHosts, tokenTtlsBelowConjurTimeout, type Policy, type PolicyProblem } from '@podid/policy-model';
import type { Logger } from '@podid/logging';
import { readClusters } from './read-clusters';
import { readPolicySources } from './read-policy-sources';

/** Where the policy and the clusters its authenticators name are read from. */
export interface PolicyLocation {
  /** PODID_POLICY: a file or a folder. */
  readonly policyPath: string;
  /** PODID_CLUSTERS_FILE; unset = one cluster, `default`. */
  readonly clustersFile?: string;
  /** PODID_TRUST_DOMAIN: the trust domain of a cluster that declares none. */
  readonly defaultTrustDomain: string;
}

/** What a reload did: nothing (same bytes), replaced the policy, or kept the old one. */
export type ReloadResult = 'unchanged' | 'reloaded' | 'failed';

type Loaded = { ok: true; policy: Policy; digest: string } | { ok: false; problems: readonly PolicyProblem[]; digest: string };

/**
 * Holds the policy in force. It loads once at start (throwing when invalid)
 * and swaps in a new policy on reload only when that policy is valid in full.
 */
export class PolicyStore {
  private constructor(
    private readonly where: PolicyLocation,
    private readonly log: Logger,
    private policy: Policy,
    private digest: string,
  ) {}

  /**
   * Loads the policy and the clusters file, or logs POLICY_INVALID per problem (of either) and throws
   * PolicyInvalidError.
   */
  static load(where: PolicyLocation, log: Logger): PolicyStore {
    const loaded = loadFrom(where);
    if (!loaded.ok) {
      for (const p of loaded.problems) log.event('POLICY_INVALID', { file: p.file, line: p.line, problem: p.message });
      throw new PolicyInvalidError(loaded.problems);
    }
    log.event('POLICY_LOADED', counts(loaded.policy));
    warnShared(log, loaded.policy);
    return new PolicyStore(where, log, loaded.policy, loaded.digest);
  }

  current(): Policy {
    return this.policy;
  }

  /**
   * Re-reads and re-validates everything (policy and clusters file: a change of either reloads); a failure keeps
   * the policy in force and logs each problem once per change.
   */
  reload(): ReloadResult {
    const loaded = loadFrom(this.where);
    if (loaded.digest === this.digest) return 'unchanged';
    this.digest = loaded.digest;
    if (!loaded.ok) {
      for (const p of loaded.problems) this.log.event('POLICY_RELOAD_FAILED', { file: p.file, line: p.line, problem: p.message });
      return 'failed';
    }
    this.policy = loaded.policy;
    this.log.event('POLICY_RELOADED', counts(loaded.policy));
    warnShared(this.log, loaded.policy);
    return 'reloaded';
  }
}

function loadFrom(where: PolicyLocation): Loaded {
  const { sources, problems } = readPolicySources(where.policyPath);
  const clusters = readClusters(where.clustersFile, where.defaultTrustDomain);
  const hash = createHash('sha256');
  for (const s of sources) hash.update(s.name).update('\0').update(s.text).update('\0');
  hash.update(where.clustersFile ?? '').update('\0').update(clusters.text).update('\0');
  for (const p of [...problems, ...clusters.problems]) hash.update(p.file).update(p.message);
  const digest = hash.digest('hex');
  // A bad clusters file would make every authenticator's cluster a problem too: its own problems say it better.
  if (clusters.problems.length > 0) return { ok: false, problems: [...problems, ...clusters.problems], digest };
  if (problems.length > 0) return { ok: false, problems, digest };
  try {
    return { ok: true, policy: parsePolicy(sources, clusters.clusters), digest };
  } catch (e) {
    if (e instanceof PolicyInvalidError) return { ok: false, problems: e.problems, digest };
    throw e;
  }
}

/** Loud, not fatal: Conjur accepts such policies, and an operator may mean it. */
function warnShared(log: Logger, policy: Policy): void {
  for (const p of sharedPrivilegedHosts(policy)) log.event('POLICY_PRIVILEGED_HOST_SHARED', { file: p.file, line: p.line, problem: p.message });
  for (const p of tokenTtlsBelowConjurTimeout(policy)) log.event('POLICY_TOKEN_TTL_BELOW_CONJUR_TIMEOUT', { file: p.file, line: p.line, problem: p.message });
}

function counts(p: Policy): Record<string, unknown> {
  const clusters = [...new Set([...p.authenticators.values()].map((a) => a.cluster))].sort();
  return { files: p.files, authenticators: p.authenticators.size, hosts: p.hosts.size, account: p.account, clusters };
}
