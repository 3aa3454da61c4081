/**
 * Go's url.QueryEscape: keeps A-Z a-z 0-9 - _ . ~, turns space into `+` and
 * escapes everything else as %XX. The login goes into the authenticate path
 * this way (`host/a` -> `host%2Fa`), exactly as the Conjur client sends it.
 */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
