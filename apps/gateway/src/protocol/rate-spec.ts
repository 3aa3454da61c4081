import { parseDuration } from '@podid/units';

/** A limit: at most `limit` requests per `windowMs`. */
export interface RateSpec {
  limit: number;
  windowMs: number;
}

/** Parses `<n>/<duration>` such as `60/1m` or `5/10s`; `n` in 1..1e6, window 1s..1d. */
export function parseRateSpec(text: string): RateSpec | undefined {
  const m = /^(\d{1,7})\/(.+)$/.exec(text.trim());
  if (!m) return undefined;
  const limit = Number(m[1]);
  const windowMs = parseDuration(m[2]!);
  if (limit < 1 || limit > 1_000_000 || windowMs === undefined || windowMs < 1000 || windowMs > 86_400_000) return undefined;
  return { limit, windowMs };
}
