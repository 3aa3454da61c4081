import { address, list, optionalStr, url, type Field } from '@podid/config';
import { certWarnDaysField } from '@podid/kube';
import { serviceFields } from '@podid/runtime';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A field that may be unset; when set, it must parse. */
function optional<T>(f: Field<T>): Field<T | undefined> {
  return { env: f.env, secret: f.secret, parse: (raw) => (raw === undefined || raw === '' ? { ok: true, value: undefined } : f.parse(raw)) };
}

/** Env vars of pod-verifier. */
export const podVerifierFields = {
  ...serviceFields,
  /** Path of a kubeconfig; unset = the in-cluster service account. */
  kubeconfig: optionalStr({ env: 'KUBECONFIG' }),
  /** When set, the tokens of deleted pods are revoked there. */
  tokenIssuerAddr: optional(address({ env: 'PODID_TOKEN_ISSUER_ADDR' })),
  /** When set, ReviewToken verifies locally against this issuer's JWKS instead of TokenReview. */
  saTokenIssuer: optional(url({ env: 'PODID_SA_TOKEN_ISSUER', protocols: ['https'] })),
  /** Warn (K8S_CLIENT_CERT_EXPIRING) when the Kubernetes client certificate has fewer days left; 0 = only on expiry. */
  certWarnDays: certWarnDaysField,
  /** Watch only these namespaces; empty = all. */
  watchNamespaces: list({ env: 'PODID_WATCH_NAMESPACES', default: [], item: (s) => DNS_LABEL.test(s), itemText: 'namespace names' }),
};
