import { InvalidArgumentError } from '@podid/errors';

/** Longest decoded path parameter (service id, account) accepted. */
export const MAX_PARAM_LENGTH = 253;

/**
 * Decodes one path segment (service id or account). A bad escape, a control
 * character, or an encoded `/` is a 400 (Conjur refuses an encoded slash in
 * the account too).
 */
export function decodePathParam(raw: string, name: string): string {
  let v: string;
  try {
    v = decodeURIComponent(raw);
  } catch {
    throw new InvalidArgumentError('BAD_ENCODING', `${name}: exp=URL-encoded path segment got=${JSON.stringify(raw.slice(0, 80))}`);
  }
  if (v.length === 0 || v.length > MAX_PARAM_LENGTH || /[\u0000-\u001f\u007f/\\]/.test(v)) {
    throw new InvalidArgumentError('BAD_PATH_PARAM', `${name}: exp=1..${MAX_PARAM_LENGTH} chars without / or control characters got=${JSON.stringify(v.slice(0, 80))}`);
  }
  return v;
}
