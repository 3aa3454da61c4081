import type { Logger } from '@podid/logging';
import type { RedisAuditStream } from '@podid/redis-stores';
import type { Counter } from 'prom-client';

/** Where audit events go besides their log line: the Redis stream WatchAudit reads. Never throws, never waits. */
export interface AuditSink {
  append(code: string, result: string, fields: Record<string, unknown>): void;
}

export function createAuditSink(stream: RedisAuditStream, log: Logger, errors: Counter): AuditSink {
  return {
    append(code, result, fields) {
      stream.append(code, result, fields).catch((e: unknown) => {
        errors.inc();
        log.event('PLATFORM_AUDIT_WRITE_FAILED', { audit_code: code, err: e instanceof Error ? e.message : String(e) });
      });
    },
  };
}
