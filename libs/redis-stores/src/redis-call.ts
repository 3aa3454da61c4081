import { DependencyUnavailableError } from '@podid/errors';

/**
 * Runs one Redis operation; any failure (disconnected, timeout, cluster
 * down) becomes DependencyUnavailableError('REDIS_UNAVAILABLE'), which the
 * gRPC boundary maps to UNAVAILABLE. Callers decide whether to fail closed.
 */
export async function redisCall<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    const err = e as Error;
    throw new DependencyUnavailableError('REDIS_UNAVAILABLE', `redis ${what} failed: ${err.name}: ${err.message}`.slice(0, 300));
  }
}
