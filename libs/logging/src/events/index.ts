import { auditEvents } from './audit';
import { authnClientEvents } from './authn-client';
import { caSignerEvents } from './ca-signer';
import { certInjectorEvents } from './cert-injector';
import type { EventSpec } from './event';
import { gatewayEvents } from './gateway';
import { platformEvents } from './platform';
import { platformApiEvents } from './platform-api';
import { podVerifierEvents } from './pod-verifier';
import { policyEvents } from './policy';
import { tokenIssuerEvents } from './token-issuer';

export type { EventSpec } from './event';

/** Every event code podid logs. docs/events.md is generated from this table. */
export const events = {
  ...platformEvents,
  ...gatewayEvents,
  ...policyEvents,
  ...podVerifierEvents,
  ...caSignerEvents,
  ...certInjectorEvents,
  ...tokenIssuerEvents,
  ...authnClientEvents,
  ...auditEvents,
  ...platformApiEvents,
} as const satisfies Record<string, EventSpec>;

export type EventCode = keyof typeof events;
