const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;

/**
 * Parses a Go-style duration (`500ms`, `30s`, `8m`, `1h30m`, `3d`) into
 * milliseconds. Returns undefined for anything else, including negatives.
 */
export function parseDuration(text: string): number | undefined {
  let rest = text.trim();
  if (rest === '' || rest.length > 32) return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Formats milliseconds as the shortest exact duration string (`90000` -> `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}
