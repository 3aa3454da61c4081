import type { EventSpec } from './event';

/** Events of ca-signer. */
export const caSignerEvents = {
  CERT_ISSUED: { level: 'info', meaning: 'A pod leaf certificate was signed (cert_serial, host_id, spiffe_id, pod_uid, csr_sha256: the sha256 of the CSR\'s DER, as in the gateway\'s AUDIT_INJECT_CLIENT_CERT of the same login).' },
  CSR_REJECTED: {
    level: 'warn',
    meaning: 'A CSR failed a check; `code` and `check` name which, `csr_text_sha256` (the sha256 of the text received, which may not decode) identifies it.',
    fix: 'The client sent a CSR podid does not accept: see the message (key type, signature, SAN form).',
  },
  CA_SOURCE_CONFIGURED: { level: 'info', meaning: 'Where CAs are read from: a directory or the Secrets of a namespace (and which credentials).' },
  CA_LOADED: { level: 'info', meaning: 'A CA for an authenticator was loaded and checked (source, ca_sha256, not_after).' },
  CA_CREATED: {
    level: 'warn',
    meaning: 'No CA existed for an authenticator and one was created (PODID_CA_CREATE=true, local mode).',
    fix: 'In production, provision the CA yourself and leave PODID_CA_CREATE unset.',
  },
  CA_NOT_FOUND: {
    level: 'warn',
    meaning: 'No CA exists for the authenticator named in a request.',
    fix: 'Create <PODID_CA_DIR>/<serviceId>/ca.pem + ca-key.pem, or the Secret podid-ca-<serviceId> (type kubernetes.io/tls).',
  },
  CA_AUTHENTICATOR_UNKNOWN: {
    level: 'warn',
    meaning: 'A request named a service id that is not an authn-k8s authenticator in policy; no CA was loaded or created (NOT_FOUND).',
    fix: 'Add the authenticator to policy, or find the caller using a wrong service id (the gateway checks policy first, so this is unusual).',
  },
  CA_CORRUPT: {
    level: 'error',
    meaning: 'A CA file or Secret exists but cannot be used; the message names it and what is wrong.',
    fix: 'Replace the named file or Secret with a CA certificate (CA:TRUE, keyCertSign) and its matching private key.',
  },
  CA_KEY_FILE_MODE: {
    level: 'warn',
    meaning: 'A CA key file can be read by group or others.',
    fix: 'chmod 600 the file named in `path`.',
  },
  CA_SOURCE_UNAVAILABLE: {
    level: 'error',
    meaning: 'The CA source (Kubernetes API) could not be reached.',
    fix: 'Check KUBECONFIG or the in-cluster service account, and that ca-signer may get its Secret.',
  },
} as const satisfies Record<string, EventSpec>;
