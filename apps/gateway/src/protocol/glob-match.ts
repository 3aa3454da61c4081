/**
 * Matches Kubernetes names against binding patterns where `*` is any run of
 * characters and `?` one character. An empty pattern list matches anything.
 */
export function matchesAny(value: string, patterns: readonly string[]): boolean {
  return patterns.length === 0 || patterns.some((p) => globToRegExp(p).test(value));
}

export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
