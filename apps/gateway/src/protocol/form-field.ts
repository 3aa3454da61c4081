import { InvalidArgumentError } from '@podid/errors';

/**
 * Reads one field of an `application/x-www-form-urlencoded` body (`+` is
 * space). Conjur's JWT client posts `jwt=<token>` as text/plain, so the body
 * is parsed the same whatever the content type. Throws for bad encoding.
 */
export function formField(body: string, name: string): string | undefined {
  for (const pair of body.split('&')) {
    const i = pair.indexOf('=');
    const key = decodeForm(i < 0 ? pair : pair.slice(0, i));
    if (key === name) return i < 0 ? '' : decodeForm(pair.slice(i + 1)).trim();
  }
  return undefined;
}

/** Form decoding: `+` is space, then percent escapes; a bad escape is a 400. */
export function decodeForm(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new InvalidArgumentError('BAD_ENCODING', `form field: exp=URL-encoded text got=${JSON.stringify(s.slice(0, 40))}`);
  }
}
