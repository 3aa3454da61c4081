import type { RateSpec } from '../protocol/rate-spec';

/** The platform API's limits (docs/configuration.md, Platform gRPC API). */
export interface PlatformSettings {
  readonly host: string;
  readonly port: number;
  /** Per caller host, and per peer address before authentication. */
  readonly rate: RateSpec;
  /** Unary calls without a deadline, or with a longer one, end at this. */
  readonly maxDeadlineMs: number;
  /** Audit events a WatchAudit client may have unread at once (one batch). */
  readonly auditBuffer: number;
  /** How long a batch may stay unread before the client is dropped. */
  readonly auditStallMs: number;
  /** How often a WatchAudit stream checks its caller's identity and grant again. */
  readonly auditRecheckMs: number;
  /** How often WatchAudit looks for new events. */
  readonly auditPollMs: number;
}

/** Largest request message: a token is at most 16 KiB; nothing else comes close. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Concurrent WatchAudit streams per gateway replica. */
export const MAX_WATCHERS = 64;
