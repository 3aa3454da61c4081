import { InvalidArgumentError } from '@podid/errors';

/** A Conjur host login split into the Host-Id-Prefix header and the CSR common name. */
export interface SplitUsername {
  /** Dotted, sent as `Host-Id-Prefix`, e.g. `host.conjur.authn-k8s`. */
  readonly prefix: string;
  /** Dotted, the CSR CN, e.g. `prod.apps.myapp`. */
  readonly suffix: string;
}

/**
 * Splits `host/...` the way conjur-authn-k8s-client does: the suffix is the
 * last part when there are fewer than 4 parts, else the last 3. The server
 * only joins them again, so the split point does not matter to it.
 */
export function splitUsername(login: string): SplitUsername {
  if (!login.startsWith('host/')) {
    throw new InvalidArgumentError('CAKC032', `CONJUR_AUTHN_LOGIN must start with "host/": got ${JSON.stringify(login)}`);
  }
  const parts = login.split('/');
  if (parts.some((p) => p === '')) {
    throw new InvalidArgumentError('CAKC032', `CONJUR_AUTHN_LOGIN has an empty path segment: got ${JSON.stringify(login)}`);
  }
  const n = parts.length < 4 ? 1 : 3;
  return { prefix: parts.slice(0, -n).join('.'), suffix: parts.slice(-n).join('.') };
}
