import type { EventSpec } from './event';

/** Events of audit. */
export const auditEvents = {} as const satisfies Record<string, EventSpec>;
