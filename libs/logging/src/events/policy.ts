import type { EventSpec } from './event';

/** Events of policy. */
export const policyEvents = {} as const satisfies Record<string, EventSpec>;
