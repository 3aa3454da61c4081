import { Gauge, type Registry } from 'prom-client';
import type { SigningCa } from '@podid/x509';

/** Exposes each loaded CA's expiry, so that alerts fire well before leaves stop chaining. */
export function caExpiryGauge(registry: Registry): (serviceId: string, ca: SigningCa) => void {
  const gauge = new Gauge({
    name: 'podid_ca_not_after_seconds',
    help: 'notAfter of the CA of each authenticator, unix seconds.',
    labelNames: ['authenticator'],
    registers: [registry],
  });
  return (serviceId, ca) => gauge.set({ authenticator: serviceId }, Math.floor(ca.notAfter.getTime() / 1000));
}
