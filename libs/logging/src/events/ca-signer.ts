import type { EventSpec } from './event';

/** Events of ca-signer. */
export const caSignerEvents = {} as const satisfies Record<string, EventSpec>;
