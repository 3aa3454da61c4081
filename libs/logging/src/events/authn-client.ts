import type { EventSpec } from './event';

/** Events of authn-client. */
export const authnClientEvents = {} as const satisfies Record<string, EventSpec>;
