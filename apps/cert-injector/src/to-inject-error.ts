import { AbortedError, DependencyUnavailableError, NotFoundError, type PodidError } from '@podid/errors';
import type { ExecStartError, ExecTarget } from './container-exec';

/** Characters of container stderr kept in an error message. */
export const MAX_STDERR_IN_MESSAGE = 300;

const where = (t: ExecTarget) => `"${t.namespace}/${t.pod}" container "${t.container}"`;

/**
 * Maps an exec that never started to a typed error. 404 is the pod; 400 is
 * what the API server answers for a container the pod does not have
 * ("container x is not valid for pod y"); 403 names the RBAC grant.
 */
export function startErrorToPodidError(e: ExecStartError, t: ExecTarget): PodidError {
  const why = sanitize(e.reason);
  switch (e.status) {
    case 404:
      return new NotFoundError('POD_NOT_FOUND', `pod "${t.namespace}/${t.pod}" not found (exec refused: ${why})`);
    case 400:
      return new NotFoundError('CONTAINER_NOT_FOUND', `cannot exec in ${where(t)}: ${why}`);
    case 403:
      return new DependencyUnavailableError(
        'K8S_FORBIDDEN',
        `Kubernetes API refused "create pods/exec" in namespace "${t.namespace}" (403): grant cert-injector create and get on pods/exec`,
      );
    case 401:
      return new DependencyUnavailableError('K8S_UNAVAILABLE', 'Kubernetes API rejected our credentials (401) on "create pods/exec"');
    default:
      return new DependencyUnavailableError('K8S_UNAVAILABLE', `Kubernetes API unavailable for exec in ${where(t)}: ${e.status !== undefined ? `HTTP ${e.status}, ` : ''}${why}`);
  }
}

/** A command that ran and failed: its exit code and the start of its stderr. */
export function exitToPodidError(exitCode: number, stderr: string, t: ExecTarget): AbortedError {
  const err = sanitize(stderr);
  return new AbortedError('EXEC_FAILED', `writing the certificate in ${where(t)} failed: exit code ${exitCode}${err ? `, stderr: ${err}` : ''}`);
}

/** One line of printable text, truncated: container output is untrusted. */
export function sanitize(text: string): string {
  const one = text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  return one.length > MAX_STDERR_IN_MESSAGE ? `${one.slice(0, MAX_STDERR_IN_MESSAGE)}...` : one;
}
