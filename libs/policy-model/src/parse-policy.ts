import type { Authenticator, Host, HostBinding, Policy } from './policy';
import { bindHost } from './bind-host';
import { parseAuthenticator } from './parse-authenticator';
import { DEFAULT_CLUSTER, type ClusterDeclaration } from './clusters';
import { DEFAULT_TRUST_DOMAIN } from '@podid/spiffe';
import { parseHost, type HostDraft } from './parse-host';
import { PolicyFileReader } from './policy-file-reader';
import { formatProblem, PolicyInvalidError, type PolicyProblem } from './policy-problem';

/** One policy file's name (used in every problem) and text. */
export interface PolicySource {
  readonly name: string;
  readonly text: string;
}

const ACCOUNT = /^[A-Za-z0-9._-]{1,128}$/;
const ROOT_FIELDS = ['account', 'authenticators', 'hosts'] as const;

/** A podid without a clusters file serves one cluster: its own. */
const IMPLICIT_CLUSTERS: readonly ClusterDeclaration[] = [{ name: DEFAULT_CLUSTER, trustDomain: DEFAULT_TRUST_DOMAIN, credentials: { kind: 'in-cluster' } }];

/**
 * Parses and validates a policy that may span several files, and returns it
 * only when every file and every cross-reference is valid. Otherwise throws
 * PolicyInvalidError with every problem found, each naming its file and line.
 * `clusters` are the declared clusters (clusters.ts); each authenticator must name one of them, or there is one.
 */
export function parsePolicy(sources: readonly PolicySource[], clusters: readonly ClusterDeclaration[] = IMPLICIT_CLUSTERS): Policy {
  const problems: PolicyProblem[] = [];
  let account: { value: string; file: string; line: number } | undefined;
  // A file that did not parse, or an invalid account, may hide the account: only then is "missing" not reported.
  let accountMayExist = false;
  const authenticators = new Map<string, Authenticator>();
  const drafts = new Map<string, HostDraft>();
  if (sources.length === 0) problems.push({ file: '(policy)', line: 0, message: 'no policy files (expected *.yaml or *.yml)' });

  for (const src of sources) {
    const r = new PolicyFileReader(src.name, src.text);
    const root = r.root;
    const f = r.problems.length === 0 ? (r.isEmpty(root) ? new Map() : r.fields(root, 'policy', ROOT_FIELDS)) : undefined;
    if (f) {
      const acct = r.string(f.get('account'), 'account');
      // `account:` with no value is absent, not hidden.
      if (f.has('account') && !r.isEmpty(f.get('account')!.node)) accountMayExist = true;
      if (acct !== undefined) {
        const line = f.get('account')!.line;
        if (!ACCOUNT.test(acct)) r.problem(line, `account must match ${ACCOUNT}, got "${acct}"`);
        else if (account && account.value !== acct) r.problem(line, `account "${acct}" disagrees with account "${account.value}" in ${account.file}:${account.line}`);
        else account ??= { value: acct, file: src.name, line };
      }
      for (const item of r.items(f.get('authenticators'), 'authenticators')) {
        const a = parseAuthenticator(r, item, clusters);
        if (!a) continue;
        const prev = authenticators.get(a.id);
        if (prev) r.problem(item.line, `authenticator "${a.id}" is already defined at ${prev.source.file}:${prev.source.line}`);
        else authenticators.set(a.id, a);
      }
      for (const item of r.items(f.get('hosts'), 'hosts')) {
        const h = parseHost(r, item);
        if (!h) continue;
        const prev = drafts.get(h.id);
        if (prev) r.problem(item.line, `host "${h.id}" is already defined at ${prev.file}:${prev.line}`);
        else drafts.set(h.id, h);
      }
    }
    if (!f) accountMayExist = true;
    problems.push(...r.problems);
  }
  if (!account && !accountMayExist && sources.length > 0) problems.push({ file: sources[0]!.name, line: 0, message: 'account is required in one of the policy files' });

  const hosts = new Map<string, Host>();
  for (const draft of drafts.values()) {
    const bindings = new Map<string, HostBinding>();
    for (const ref of draft.authenticators) {
      const authn = authenticators.get(ref.id);
      if (!authn) {
        problems.push({ file: draft.file, line: ref.line, message: `host "${draft.id}": authenticator "${ref.id}" is not defined in any policy file` });
        continue;
      }
      const bound = bindHost(draft, authn);
      if (bound.ok) bindings.set(ref.id, bound.binding);
      else problems.push(...bound.problems);
    }
    hosts.set(draft.id, { id: draft.id, bindings, grants: draft.grants, source: { file: draft.file, line: draft.line } });
  }

  if (problems.length > 0) throw new PolicyInvalidError(dedupe(problems));
  return { account: account!.value, authenticators, hosts, files: sources.map((s) => s.name) };
}

/** A rule broken by general annotations fails once per authenticator; report it once. */
function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = formatProblem(p);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
