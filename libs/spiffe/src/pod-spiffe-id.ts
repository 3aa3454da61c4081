import { InvalidArgumentError } from '@podid/errors';
import { isDnsLabel, isDnsSubdomain } from './dns-names';

/** Trust domain of pod identities unless configured otherwise (the Conjur client hard-codes it). */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/** A pod's SPIFFE identity. */
export interface PodSpiffeId {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly pod: string;
}

/** Either the parsed id or why it was refused (expected vs got). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Longest SPIFFE id accepted (the SPIFFE spec caps URIs at 2048 bytes). */
export const MAX_SPIFFE_ID_LENGTH = 2048;

const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;

/**
 * The trust domain a SPIFFE id names, if well-formed; undefined otherwise. Only for reading an id before the
 * expected trust domain is known: the id must then still pass parsePodSpiffeId with the expected one.
 */
export function spiffeTrustDomainOf(uri: string): string | undefined {
  const m = /^spiffe:\/\/([^/]{1,255})\//.exec(uri.slice(0, MAX_SPIFFE_ID_LENGTH));
  return m && TRUST_DOMAIN.test(m[1]!) ? m[1] : undefined;
}

/** The only form podid accepts, written for error messages. */
export function podSpiffeIdForm(trustDomain = DEFAULT_TRUST_DOMAIN): string {
  return `spiffe://${trustDomain}/namespace/<ns>/podname/<pod>`;
}

/**
 * Parses `spiffe://<td>/namespace/<ns>/podname/<pod>` strictly.
 *
 * Decision: Conjur reads this loosely (segment 2 and the last segment; the
 * words and the trust domain are not checked, and its tests send `/pod/`).
 * podid accepts only the form the Conjur client actually sends (`podname`),
 * in the configured trust domain, with ns and pod valid Kubernetes names, so
 * that one pod has exactly one spelling and a SAN cannot smuggle extra path.
 */
export function parsePodSpiffeId(uri: string, trustDomain = DEFAULT_TRUST_DOMAIN): ParseResult<PodSpiffeId> {
  const shown = JSON.stringify(uri.length > 120 ? `${uri.slice(0, 120)}...` : uri);
  const refuse = (why: string): ParseResult<PodSpiffeId> => ({ ok: false, reason: `${why}: exp="${podSpiffeIdForm(trustDomain)}" got=${shown}` });
  if (uri.length > MAX_SPIFFE_ID_LENGTH) return refuse(`SPIFFE id longer than ${MAX_SPIFFE_ID_LENGTH}`);
  const prefix = `spiffe://${trustDomain}/`;
  if (!uri.startsWith('spiffe://')) return refuse('not a spiffe URI');
  if (!uri.startsWith(prefix)) return refuse('wrong trust domain');
  const parts = uri.slice(prefix.length).split('/');
  if (parts.length !== 4 || parts[0] !== 'namespace' || parts[2] !== 'podname') return refuse('wrong path form');
  const [, namespace = '', , pod = ''] = parts;
  if (!isDnsLabel(namespace)) return refuse('namespace is not a valid Kubernetes name');
  if (!isDnsSubdomain(pod)) return refuse('pod is not a valid Kubernetes name');
  return { ok: true, value: { trustDomain, namespace, pod } };
}

/** Like parsePodSpiffeId, but throws InvalidArgumentError(SPIFFE_ID_INVALID). */
export function requirePodSpiffeId(uri: string, trustDomain = DEFAULT_TRUST_DOMAIN): PodSpiffeId {
  const r = parsePodSpiffeId(uri, trustDomain);
  if (!r.ok) throw new InvalidArgumentError('SPIFFE_ID_INVALID', r.reason);
  return r.value;
}

/** Formats a pod SPIFFE id; throws InvalidArgumentError when ns or pod is not a Kubernetes name. */
export function formatPodSpiffeId(id: { namespace: string; pod: string; trustDomain?: string }): string {
  const td = id.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  if (!TRUST_DOMAIN.test(td)) throw new InvalidArgumentError('SPIFFE_ID_INVALID', `trust domain: exp=lowercase DNS-like name got=${JSON.stringify(td)}`);
  const uri = `spiffe://${td}/namespace/${id.namespace}/podname/${id.pod}`;
  requirePodSpiffeId(uri, td);
  return uri;
}

/** True when `td` is usable as a trust domain (lowercase letters, digits, `.`, `-`, `_`). */
export function isTrustDomain(td: string): boolean {
  return TRUST_DOMAIN.test(td);
}
