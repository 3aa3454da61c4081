import { int } from '@podid/config';

/**
 * PODID_K8S_CERT_WARN_DAYS: warn (K8S_CLIENT_CERT_EXPIRING) when podid's
 * Kubernetes client certificate has fewer days left; 0 = only on expiry.
 * Shared by every service that talks to Kubernetes.
 */
export const certWarnDaysField = int({ env: 'PODID_K8S_CERT_WARN_DAYS', default: 30, min: 0, max: 365 });
