import type { EventSpec } from './event';

/**
 * Events of authn-client, the sidecar / init container. Where the meaning
 * matches, the code is the one conjur-authn-k8s-client uses (CAKCnnn), so
 * that operators' existing greps keep working.
 */
export const authnClientEvents = {
  CAKC034: {
    level: 'warn',
    meaning: 'LOG_LEVEL has an unknown value; the client logs at info.',
    fix: 'Set LOG_LEVEL to debug, info, warn or error.',
  },
  CAKC048: { level: 'info', meaning: 'authn-client is starting: flow, mode, URL and login.' },
  CAKC040: { level: 'debug', meaning: 'Authenticating as the configured login.' },
  CLIENT_TRUST_SYSTEM_CAS: {
    level: 'info',
    meaning: 'Server certificates are checked against the system CA store (PODID_TRUST_SYSTEM_CAS, or no CONJUR_SSL_CERTIFICATE/CONJUR_CERT_FILE).',
  },
  CLIENT_CERT_STALE_REMOVED: {
    level: 'info',
    meaning: 'A client.pem left over from an earlier process was deleted before logging in (it cannot match this process key; conjur-authn-k8s-client issue #529).',
  },
  CERT_WAITING: {
    level: 'info',
    meaning: 'Logged in; waiting for the server to inject the client certificate into CONJUR_CLIENT_CERT_PATH (`elapsed_ms` so far).',
  },
  CAKC017: {
    level: 'warn',
    meaning: 'A certificate appeared at CONJUR_CLIENT_CERT_PATH but its public key is not this process key (or it does not parse); it is ignored and the client keeps waiting.',
    fix: 'Another process (an earlier container run, or a second client sharing the volume) wrote it. Give each client its own emptyDir for /etc/conjur/ssl.',
  },
  CAKC036: { level: 'info', meaning: 'Logged in: the client certificate was injected, matches this key and is held in memory (`cert_serial`, `not_after`).' },
  CAKC050: { level: 'debug', meaning: 'The injected certificate file was deleted after it was read; the certificate stays in memory only.' },
  CAKC038: { level: 'info', meaning: 'The client certificate reached 2/3 of its lifetime; logging in again for a new one.' },
  CAKC035: { level: 'info', meaning: 'Successfully authenticated; the access token was written to CONJUR_AUTHN_TOKEN_FILE (`expires_in_ms`).' },
  CAKC047: { level: 'info', meaning: 'Waiting before the next token refresh or certificate renewal (`delay_ms`).' },
  CAKC015: {
    level: 'error',
    meaning: 'Login failed: the CSR was refused, the server could not be reached, or the certificate was not injected in time. `cause` names which; `status`, `error_code` and `request_id` come from the server.',
    fix: 'cause=http_status: grep the gateway logs for request_id. dns: check the host in CONJUR_AUTHN_URL. tls: check CONJUR_SSL_CERTIFICATE/CONJUR_CERT_FILE. cert_wait_timeout: check cert-injector logs and that this container is the one policy names (authentication-container-name).',
  },
  CAKC016: {
    level: 'error',
    meaning: 'Failed to authenticate or to store the token. `cause` names the reason (http_status, dns, tls, connection_refused, timeout, token_file, jwt_file).',
    fix: 'cause=http_status: grep the gateway logs for request_id (401 = identity check failed, 403 = missing privilege). token_file: make CONJUR_AUTHN_TOKEN_FILE writable. jwt_file: check JWT_TOKEN_PATH and the projected token volume.',
  },
  CAKC033: {
    level: 'warn',
    meaning: 'Timed out waiting for the client certificate to be injected (PODID_CERT_WAIT).',
    fix: 'Check cert-injector logs for the pod; check that CONJUR_CLIENT_CERT_PATH is /etc/conjur/ssl/client.pem (or the path the server writes) and the volume is writable.',
  },
  CAKC031: {
    level: 'error',
    meaning: 'Init mode gave up: no token within PODID_INIT_TIMEOUT; the container exits 1.',
    fix: 'Read the CAKC015/CAKC016 lines before it: each names the cause of a failed attempt.',
  },
  CLIENT_INIT_DONE: { level: 'info', meaning: 'Init mode: the first token is written; the container exits 0.' },
} as const satisfies Record<string, EventSpec>;
