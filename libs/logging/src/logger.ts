import pino from 'pino';
import { events, type EventCode } from './events';
import type { LogFields } from './fields';
import { currentRequestId } from './request-context';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Field names that may hold key material; pino replaces them before a line is written. */
const REDACT = [
  'token', 'jwt', 'key', 'keyPem', 'privateKey', 'csr', 'csrPem', 'certificatePem', 'cert', 'authorization', 'password',
  '*.token', '*.jwt', '*.key', '*.keyPem', '*.privateKey', '*.csr', '*.csrPem', '*.certificatePem', '*.authorization',
  'req.headers.authorization', 'req.headers["x-ssl-client-certificate"]',
];

export interface Logger {
  event(code: EventCode, fields?: LogFields, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  readonly raw: pino.Logger;
}

function wrap(raw: pino.Logger): Logger {
  return {
    raw,
    event(code, fields = {}, msg) {
      const spec = events[code];
      raw[spec.level]({ event: code, ...fields }, msg ?? spec.meaning);
    },
    child(bindings) {
      return wrap(raw.child(bindings));
    },
  };
}

/**
 * A JSON logger for one service. Every line carries `service`, and the
 * current request id when there is one.
 */
export function createLogger(opts: { service: string; level?: LogLevel; destination?: pino.DestinationStream }): Logger {
  const raw = pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const id = currentRequestId();
        return id ? { request_id: id } : {};
      },
    },
    opts.destination ?? pino.destination({ sync: true }),
  );
  return wrap(raw);
}
