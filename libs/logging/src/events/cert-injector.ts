import type { EventSpec } from './event';

/** Events of cert-injector. */
export const certInjectorEvents = {} as const satisfies Record<string, EventSpec>;
