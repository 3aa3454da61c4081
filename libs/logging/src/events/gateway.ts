import type { EventSpec } from './event';

/** Events of gateway. */
export const gatewayEvents = {} as const satisfies Record<string, EventSpec>;
