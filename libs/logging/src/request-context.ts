import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Metadata / header key that carries the request id between services. */
export const REQUEST_ID_KEY = 'x-request-id';
const VALID_ID = /^[A-Za-z0-9._:-]{1,64}$/;

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs fn with a request id that logs and outgoing RPCs pick up. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Accepts a caller's id only if it is short and plain; otherwise makes a new one. */
export function requestIdFrom(incoming: unknown): string {
  return typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : newRequestId();
}

export function newRequestId(): string {
  return randomUUID();
}
