import type { EventSpec } from './event';

/** Events of pod-verifier. */
export const podVerifierEvents = {} as const satisfies Record<string, EventSpec>;
