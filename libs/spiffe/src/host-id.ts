import { InvalidArgumentError } from '@podid/errors';

/**
 * Conjur's host id rules (docs/conjur-compatibility.md section 2). The leaf CN is the
 * full dotted host id `<prefix>.<csr CN>`; the host id is that CN with every
 * `.` turned into `/` and the leading `host/` removed. A dot inside a host id
 * segment therefore cannot be expressed, exactly as in Conjur.
 */

/** Longest CN or login accepted; Conjur has no limit, this bounds work and logs. */
export const MAX_HOST_ID_LENGTH = 1024;

/** Prefix used when the `Host-Id-Prefix` header is missing or empty. */
export function defaultHostIdPrefix(serviceId: string): string {
  return `host.conjur.authn-k8s.${serviceId}.apps`;
}

/** The leaf CN: `<prefix>.<cn>`, dotted. Throws InvalidArgumentError when cn is empty or too long. */
export function commonNameFromCsrCn(prefixHeader: string | undefined, cn: string, serviceId: string): string {
  if (cn.length === 0) throw new InvalidArgumentError('CSR_CN_MISSING', 'CSR subject: exp=CN=<host id suffix> got=no CN');
  const prefix = prefixHeader && prefixHeader.length > 0 ? prefixHeader : defaultHostIdPrefix(serviceId);
  const full = `${prefix}.${cn}`;
  if (full.length > MAX_HOST_ID_LENGTH) throw new InvalidArgumentError('HOST_ID_TOO_LONG', `host id: exp<=${MAX_HOST_ID_LENGTH} chars got=${full.length}`);
  return full;
}

/** Slashed host id of a full dotted CN: `host.a.b` -> `a/b`. */
export function hostIdFromCommonName(commonName: string): string {
  const slashed = commonName.split('.').join('/');
  return slashed.startsWith('host/') ? slashed.slice('host/'.length) : slashed;
}

/** Slashed host id from the CSR CN and the `Host-Id-Prefix` header, as Conjur derives it. */
export function hostIdFromCsrCn(prefixHeader: string | undefined, cn: string, serviceId: string): string {
  return hostIdFromCommonName(commonNameFromCsrCn(prefixHeader, cn, serviceId));
}

/** The CN a client certificate must carry for a login: `host/a/b` -> `host.a.b`. */
export function loginToCn(login: string): string {
  return login.split('/').join('.');
}

/** The host id of a login `host/<id>`, or undefined for a login that is not a host. */
export function hostIdFromLogin(login: string): string | undefined {
  return login.startsWith('host/') && login.length > 'host/'.length ? login.slice('host/'.length) : undefined;
}

/**
 * Decodes the `{login}` path segment. The Go client uses url.QueryEscape, so
 * `+` means space and `%2F` means `/`. Throws InvalidArgumentError(LOGIN_MALFORMED)
 * for a bad escape or a control character.
 */
export function decodeLogin(raw: string): string {
  if (raw.length > MAX_HOST_ID_LENGTH * 3) throw new InvalidArgumentError('LOGIN_MALFORMED', `login: exp<=${MAX_HOST_ID_LENGTH} chars got=${raw.length} encoded`);
  let login: string;
  try {
    login = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new InvalidArgumentError('LOGIN_MALFORMED', `login: exp=URL-encoded text got=${JSON.stringify(raw.slice(0, 120))}`);
  }
  if (login.length === 0 || /[\u0000-\u001f\u007f]/.test(login)) {
    throw new InvalidArgumentError('LOGIN_MALFORMED', `login: exp=non-empty text without control characters got=${JSON.stringify(login.slice(0, 120))}`);
  }
  return login;
}
