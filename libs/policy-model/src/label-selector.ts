import { checkLabelKey, checkLabelValue } from './k8s-names';

/** One `key=value` requirement of a selector. */
export interface LabelRequirement {
  readonly key: string;
  readonly value: string;
}

/**
 * Parses Conjur's label selector syntax: `k=v` or `k==v` pairs joined by
 * commas, all of which must hold. Negation (`!=`, `!k`) and set syntax are
 * refused, as Conjur does (CONJ00094E). Returns the pairs or what is wrong.
 */
export function parseLabelSelector(selector: string): { ok: true; requirements: LabelRequirement[] } | { ok: false; reason: string } {
  const requirements: LabelRequirement[] = [];
  for (const raw of selector.split(',')) {
    const part = raw.trim();
    if (part.includes('!')) return { ok: false, reason: `"${part}": negation is not supported` };
    const m = /^([^=]+?)\s*==?\s*([^=]*)$/.exec(part);
    if (!m) return { ok: false, reason: `"${part}": expected key=value or key==value` };
    const [key, value] = [m[1]!.trim(), m[2]!.trim()];
    const bad = checkLabelKey(key) ?? checkLabelValue(value);
    if (bad) return { ok: false, reason: `"${part}": expected ${bad}` };
    requirements.push({ key, value });
  }
  return { ok: true, requirements };
}
