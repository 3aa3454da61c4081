import type { EventSpec } from './event';

/** Events of token-issuer. */
export const tokenIssuerEvents = {} as const satisfies Record<string, EventSpec>;
