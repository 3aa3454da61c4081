import type { RedisClient } from './create-redis';
import { redisCall } from './redis-call';

/** One audit record in the stream. `fields` never holds tokens or key material: the callers log the same fields. */
export interface AuditRecord {
  readonly id: string;
  readonly code: string;
  readonly result: string;
  readonly timeMs: number;
  readonly fieldsJson: string;
}

/** Stream ids as Redis makes them: `<ms>-<seq>`. */
export const AUDIT_ID_PATTERN = /^\d{1,20}-\d{1,20}$/;

const MAX_U64 = 2n ** 64n - 1n;

/** Whether Redis would take the id: the pattern, and both parts within 64 bits (20 digits reach past 2^64). */
export function isAuditId(id: string): boolean {
  return AUDIT_ID_PATTERN.test(id) && id.split('-').every((part) => BigInt(part) <= MAX_U64);
}

/**
 * The audit events (logins, denials, revocations, platform calls) as one
 * Redis Stream, capped near `maxLen` entries, which WatchAudit reads from an
 * id. A record is written after its log line; a failure here loses the
 * stream entry, never the log line.
 */
export class RedisAuditStream {
  private readonly key: string;
  private readonly maxLen: number;

  constructor(private readonly opts: { redis: RedisClient; prefix: string; maxLen?: number }) {
    this.key = `${opts.prefix}audit`;
    this.maxLen = opts.maxLen ?? 100_000;
  }

  async append(code: string, result: string, fields: Record<string, unknown>): Promise<string> {
    const id = await redisCall('XADD', () =>
      this.opts.redis.xadd(this.key, 'MAXLEN', '~', String(this.maxLen), '*', 'code', code, 'result', result, 'fields', JSON.stringify(fields)),
    );
    return String(id);
  }

  /** The id of the newest record, or `0-0` for an empty stream: where a watcher of only new events starts. */
  async lastId(): Promise<string> {
    const r = await redisCall('XREVRANGE', () => this.opts.redis.xrevrange(this.key, '+', '-', 'COUNT', 1));
    return r[0]?.[0] ?? '0-0';
  }

  /** Up to `count` records after `afterId`, oldest first; no blocking read (commands time out fast, by design). */
  async readAfter(afterId: string, count: number): Promise<AuditRecord[]> {
    const r = await redisCall('XREAD', () => this.opts.redis.xread('COUNT', count, 'STREAMS', this.key, afterId));
    const entries = r?.[0]?.[1] ?? [];
    return entries.map(([id, flat]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      return { id, code: f['code'] ?? '', result: f['result'] ?? '', timeMs: Number(id.split('-')[0]), fieldsJson: f['fields'] ?? '{}' };
    });
  }
}
