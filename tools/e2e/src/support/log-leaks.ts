import type { ServiceName, Suite } from './e2e-suite';

const SERVICES: ServiceName[] = ['policy', 'pod-verifier', 'ca-signer', 'cert-injector', 'token-issuer', 'gateway'];
/** What must never appear in any log: PEM blocks of any kind, and token bodies. */
const MATERIAL = [/-----BEGIN [A-Z ]+-----/, /"protected":"/, /eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\./];

/** Every log line of every service that holds key, CSR, certificate or token material. */
export function leakedMaterial(suite: Suite): string[] {
  return SERVICES.flatMap((s) => suite.logs(s).map((l) => JSON.stringify(l)).filter((line) => MATERIAL.some((re) => re.test(line))).map((line) => `${s}: ${line.slice(0, 200)}`));
}
