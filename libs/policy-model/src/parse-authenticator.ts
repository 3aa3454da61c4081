import { formatDuration, parseDuration } from '@podid/units';
import { AUTHENTICATOR_TYPES, IDENTITY_CLAIMS, type Authenticator, type AuthenticatorType, type IdentityClaim, type JwtBindings } from './policy';
import { checkNameGlob, type NameKind } from './k8s-names';
import type { Field, PolicyFileReader } from './policy-file-reader';
import { pickCluster, type ClusterDeclaration } from './clusters';

/** Service ids appear in URLs and annotation names: Conjur's webservice id characters only. */
export const SERVICE_ID = /^[A-Za-z0-9._-]{1,128}$/;

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Leaf lifetime: under a minute churns the injector; over 30 days defeats short-lived certificates. */
const CERT_TTL = { min: MINUTE, max: 30 * DAY, fallback: DAY };
/** Access tokens: Conjur's 8 minutes by default; 5 hours caps how long a stolen token lives. */
const TOKEN_TTL = { min: MINUTE, max: 5 * 3_600_000, fallback: 8 * MINUTE };
/** A token older than this is refused; a day is far beyond any projected token's normal refresh. */
const MAX_TOKEN_AGE = { min: 1000, max: DAY };

const AUTHENTICATOR_FIELDS = ['type', 'id', 'enabled', 'certTtl', 'tokenTtl', 'jwt', 'cluster'] as const;
const JWT_FIELDS = ['audience', 'namespaces', 'serviceAccounts', 'podNames', 'maxTokenAge', 'identityClaim', 'hostPrefix'] as const;

/** Reads one entry of `authenticators:`, recording problems; undefined only when its id or type is unreadable. */
export function parseAuthenticator(r: PolicyFileReader, item: Field, clusters: readonly ClusterDeclaration[]): Authenticator | undefined {
  const f = r.fields(item.node, 'authenticator', AUTHENTICATOR_FIELDS, item.line);
  if (!f) return undefined;
  const id = r.requiredString(f.get('id'), 'authenticator id', item.line);
  const what = `authenticator "${id ?? '?'}"`;
  if (id !== undefined && !SERVICE_ID.test(id)) r.problem(f.get('id')!.line, `${what}: id must match ${SERVICE_ID} (it is the service id in URLs)`);
  const typeText = r.requiredString(f.get('type'), `${what}: type`, item.line);
  const type = AUTHENTICATOR_TYPES.find((t) => t === typeText);
  if (typeText !== undefined && !type) r.problem(f.get('type')!.line, `${what}: type must be one of ${AUTHENTICATOR_TYPES.join(', ')}, got "${typeText}"`);
  const enabled = r.boolean(f.get('enabled'), `${what}: enabled`, true);
  const certTtlMs = readDuration(r, f.get('certTtl'), `${what}: certTtl`, CERT_TTL);
  const tokenTtlMs = readDuration(r, f.get('tokenTtl'), `${what}: tokenTtl`, TOKEN_TTL);
  const jwt = readJwtBlock(r, f.get('jwt'), what, type, id, item.line);
  const cluster = readCluster(r, f.get('cluster'), what, item.line, clusters);
  // Problems are recorded; a readable id and type keep hosts that name it from failing a second time.
  if (!id || !type) return undefined;
  // An undeclared cluster is its own problem; the policy is refused anyway, so a placeholder keeps hosts quiet.
  return { type, id, enabled, certTtlMs, tokenTtlMs, ...(jwt ? { jwt } : {}), cluster: cluster?.name ?? '', trustDomain: cluster?.trustDomain ?? '', source: { file: r.file, line: item.line } };
}

/** The declared cluster it names, or the only one declared when it names none; a problem otherwise. */
function readCluster(r: PolicyFileReader, field: Field | undefined, what: string, line: number, clusters: readonly ClusterDeclaration[]): ClusterDeclaration | undefined {
  const name = r.string(field, `${what}: cluster`);
  const found = pickCluster(clusters, name);
  if (found) return found;
  const declared = clusters.map((c) => c.name).join(', ') || 'none';
  if (name === undefined) r.problem(line, `${what}: name its cluster (cluster: <name>); ${clusters.length} are declared: ${declared}`);
  else r.problem(field!.line, `${what}: cluster "${name}" is not declared in the clusters file (declared: ${declared})`);
  return undefined;
}

function readJwtBlock(r: PolicyFileReader, field: Field | undefined, what: string, type: AuthenticatorType | undefined, id: string | undefined, line: number): JwtBindings | undefined {
  if (type === 'authn-k8s' && field) return void r.problem(field.line, `${what}: a jwt block is only for type authn-jwt`);
  if (type !== 'authn-jwt') return undefined;
  if (!field) return void r.problem(line, `${what}: type authn-jwt needs a jwt block with at least an audience`);
  const f = r.fields(field.node, `${what}: jwt`, JWT_FIELDS, field.line);
  if (!f) return undefined;
  const audience = r.requiredString(f.get('audience'), `${what}: jwt.audience`, field.line) ?? '';
  const claimText = r.string(f.get('identityClaim'), `${what}: jwt.identityClaim`) ?? 'service_account';
  const identityClaim = IDENTITY_CLAIMS.find((c) => c === claimText);
  if (!identityClaim) r.problem(f.get('identityClaim')!.line, `${what}: jwt.identityClaim must be one of ${IDENTITY_CLAIMS.join(', ')}, got "${claimText}"`);
  const hostPrefix = r.string(f.get('hostPrefix'), `${what}: jwt.hostPrefix`) ?? `authn-jwt/${id ?? ''}`;
  if (!/^[^/\s]+(\/[^/\s]+)*$/.test(hostPrefix) || hostPrefix.startsWith('host/')) {
    r.problem(f.get('hostPrefix')?.line ?? field.line, `${what}: jwt.hostPrefix must be a host id path without "host/" and without empty segments, got "${hostPrefix}"`);
  }
  const maxAge = f.get('maxTokenAge');
  return {
    audience,
    namespaces: readGlobs(r, f.get('namespaces'), `${what}: jwt.namespaces`, 'namespace'),
    serviceAccounts: readGlobs(r, f.get('serviceAccounts'), `${what}: jwt.serviceAccounts`, 'subdomain'),
    podNames: readGlobs(r, f.get('podNames'), `${what}: jwt.podNames`, 'subdomain'),
    maxTokenAgeMs: maxAge ? readDuration(r, maxAge, `${what}: jwt.maxTokenAge`, { ...MAX_TOKEN_AGE, fallback: 0 }) : 0,
    identityClaim: identityClaim ?? ('service_account' as IdentityClaim),
    hostPrefix,
  };
}

function readGlobs(r: PolicyFileReader, field: Field | undefined, what: string, kind: NameKind): string[] {
  const out: string[] = [];
  for (const item of r.items(field, what)) {
    const s = r.requiredString(item, `${what} item`, item.line);
    if (s === undefined) continue;
    const bad = checkNameGlob(kind, s);
    if (bad) r.problem(item.line, `${what}: "${s}" is not ${bad}`);
    else out.push(s);
  }
  return out;
}

function readDuration(r: PolicyFileReader, field: Field | undefined, what: string, range: { min: number; max: number; fallback: number }): number {
  const text = r.string(field, what);
  if (text === undefined) return range.fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < range.min || ms > range.max) {
    r.problem(field!.line, `${what}: expected a duration such as 8m or 24h (${formatDuration(range.min)}..${formatDuration(range.max)}), got "${text}"`);
    return range.fallback;
  }
  return ms;
}
