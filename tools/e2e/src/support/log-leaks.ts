import type { ServiceName, Suite } from './e2e-suite';

const SERVICES: ServiceName[] = ['policy', 'pod-verifier', 'ca-signer', 'cert-injector', 'token-issuer', 'gateway'];

/** What must never appear in a log string, by name (the name is what a failure reports). */
const MATERIAL: ReadonlyArray<readonly [string, RegExp]> = [
  ['PEM block', /-----BEGIN [A-Z0-9 ]+-----/],
  // Base64 DER SEQUENCE (MII../MIG..): a certificate, CSR or key without its PEM armour.
  ['base64 DER', /MI[GIJK][A-Za-z0-9+/]{60,}/],
  ['compact JWS', /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/],
  // Quotes may be escaped any number of times (a JSON body stringified into a message, then into the line).
  ['flattened JWS', /\\*"(protected|payload|signature)\\*"\s*:\s*\\*"[A-Za-z0-9_-]{8,}/],
  ['Conjur token header', /Token\s+token\s*=\s*"?[A-Za-z0-9+/=_-]{8,}/i],
  ['JWK private member', /"d"\s*:\s*"[A-Za-z0-9_-]{20,}"/],
];

/** Runs long enough to hide a token or a key once base64-encoded; shorter ones (fingerprints, serials) are decoded too, harmlessly. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{40,}={0,2}/g;

function materialIn(text: string, depth = 0): string | undefined {
  const hit = MATERIAL.find(([, re]) => re.test(text));
  if (hit) return hit[0];
  if (depth > 0) return undefined;
  // One level of base64: a token or PEM hidden as base64 (Conjur's Token token="..." carries exactly that).
  for (const run of text.match(BASE64_RUN) ?? []) {
    const inner = materialIn(Buffer.from(run, 'base64').toString('latin1'), depth + 1);
    if (inner) return `base64 of ${inner}`;
  }
  return undefined;
}

/** Every string (keys and values) in a log line, at any depth. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsOf(v, out);
    }
  }
  return out;
}

/** The kind of material in one log line (a parsed object or raw text), or undefined when it holds none. */
export function materialInLine(line: unknown): string | undefined {
  // The line as JSON too: a flattened JWS logged as an object is keys and values apart.
  for (const s of [JSON.stringify(line), ...stringsOf(line)]) {
    const hit = materialIn(s);
    if (hit) return hit;
  }
  return undefined;
}

/** Every log line of every service that holds key, CSR, certificate or token material. */
export function leakedMaterial(suite: Suite): string[] {
  return SERVICES.flatMap((s) =>
    suite.logs(s).flatMap((l) => {
      const what = materialInLine(l);
      // Report the kind and the event only: echoing the line would put the material in the test output.
      return what ? [`${s}: ${what} in ${String(l['event'] ?? l['msg'] ?? 'a line')}`] : [];
    }),
  );
}
