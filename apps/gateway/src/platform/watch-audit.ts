import type { ServerWritableStream } from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { platformV1 } from '@podid/contracts';
import { ResourceExhaustedError } from '@podid/errors';
import type { Logger } from '@podid/logging';
import { isAuditId, type RedisAuditStream } from '@podid/redis-stores';
import { InvalidFieldError } from './invalid-field';
import type { PlatformCaller } from './platform-caller';
import { MAX_WATCHERS, type PlatformSettings } from './platform-settings';

let watchers = 0;

/**
 * Streams audit records after `after_id` (or only new ones) until the client
 * cancels or its deadline passes. Records go out in batches of at most
 * `auditBuffer`; the next batch is read only once the client has taken the
 * last one, and a client that leaves a batch unread for `auditStallMs` is
 * dropped with RESOURCE_EXHAUSTED (AUDIT_CLIENT_SLOW), so one slow reader
 * cannot grow the gateway's memory. The caller's identity and grant are
 * checked again every `auditRecheckMs`. Redis down ends the stream with
 * UNAVAILABLE; the client resumes from the last id it got.
 */
export async function watchAudit(opts: {
  call: ServerWritableStream<platformV1.WatchAuditRequest, platformV1.WatchAuditResponse>;
  stream: RedisAuditStream;
  settings: PlatformSettings;
  signal: AbortSignal;
  log: Logger;
  caller: PlatformCaller;
  /** Authenticates the caller and checks the grant again; throws when either no longer holds. */
  recheck: () => Promise<void>;
}): Promise<void> {
  const { call, stream, settings, signal } = opts;
  const after = call.request.afterId;
  if (after && (after.length > 45 || !isAuditId(after))) throw new InvalidFieldError('after_id', '<ms>-<seq> as received in AuditEvent.id', JSON.stringify(after.slice(0, 50)));
  if (watchers >= MAX_WATCHERS) throw new ResourceExhaustedError('AUDIT_WATCHERS_FULL', `WatchAudit: exp<=${MAX_WATCHERS} streams per gateway replica`, 5);
  watchers++;
  try {
    let cursor = after || (await stream.lastId());
    const batchSize = Math.min(100, settings.auditBuffer);
    let checkedAt = Date.now();
    while (!signal.aborted) {
      // A stream outlives its admission: a revoked token, a deleted pod or a removed grant ends it within auditRecheckMs.
      if (Date.now() - checkedAt >= settings.auditRecheckMs) {
        await opts.recheck();
        checkedAt = Date.now();
      }
      const batch = await stream.readAfter(cursor, batchSize);
      for (const r of batch) {
        call.write({ event: { id: r.id, code: r.code, timeMs: r.timeMs, result: r.result, fieldsJson: r.fieldsJson } });
        cursor = r.id;
      }
      // Nothing more is read from Redis until the client has taken the batch (HTTP/2 flow control), so at most auditBuffer events wait in memory.
      if (call.writableNeedDrain && !(await drained(call, settings.auditStallMs, signal))) {
        if (signal.aborted) break;
        opts.log.event('PLATFORM_AUDIT_CLIENT_DROPPED', { caller: opts.caller.hostId, buffered: call.writableLength, last_id: cursor });
        throw new ResourceExhaustedError('AUDIT_CLIENT_SLOW', `WatchAudit: client left ${call.writableLength} events unread for ${settings.auditStallMs} ms; resume with after_id=${cursor}`, 1);
      }
      if (batch.length < batchSize) await sleep(settings.auditPollMs, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    watchers--;
  }
}

/** True once the stream drains; false after `ms`, or when the call ends. */
function drained(call: ServerWritableStream<unknown, unknown>, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      clearTimeout(timer);
      call.off('drain', onDrain);
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onDrain = () => done(true);
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    call.on('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
