import { PermissionDeniedError } from '@podid/errors';

/** Label selectors from policy are short; a longer one is a mistake, not a selector. */
export const MAX_SELECTOR_LENGTH = 1024;

/**
 * Parses Conjur's selector syntax: `k=v` or `k==v` pairs joined by commas.
 * Set-based forms, `!=` and `!k` are refused (CONJ00094E), as Conjur does.
 */
export function parseLabelSelector(selector: string, what: string): Array<[string, string]> {
  const invalid = (why: string) => new PermissionDeniedError('LABEL_SELECTOR_INVALID', `${what} label selector "${selector.slice(0, 100)}" is invalid: ${why}`);
  if (selector.length > MAX_SELECTOR_LENGTH) throw invalid(`longer than ${MAX_SELECTOR_LENGTH} characters`);
  const pairs = selector.split(',').map((s) => s.trim());
  return pairs.map((pair) => {
    if (pair.includes('!')) throw invalid('negation is not supported');
    const m = /^([^=\s]+)\s*==?\s*([^=\s]*)$/.exec(pair);
    if (!m) throw invalid(`expected k=v or k==v, got "${pair}"`);
    return [m[1]!, m[2]!];
  });
}

/** The first selector pair the labels do not satisfy, or undefined when all hold. */
export function unmetLabel(labels: Readonly<Record<string, string>>, pairs: ReadonlyArray<[string, string]>): [string, string] | undefined {
  return pairs.find(([k, v]) => labels[k] !== v);
}
