import type { ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceDef } from './resources';
import type { Selector } from './selectors';
import type { ObjectStore, StoreEvent } from './store';
import { badRequest } from './status';
import type { K8sObject } from './types';

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  labels: Selector;
  fields: Selector;
  /** '' or '0' = start with ADDED events for the current objects; a number = replay history after it. */
  resourceVersion: string;
  bookmarks: boolean;
  /** Watch-list (sendInitialEvents=true, or defaulted for "" and "0"): ADDED for the current objects, then, with bookmarks, a BOOKMARK marked initial-events-end. */
  initialEvents?: boolean;
  timeoutSeconds?: number;
}

/** How watches behave beyond the request: bookmark period, and cutting streams to exercise clients' reconnects. */
export interface WatchSettings {
  bookmarkIntervalMs: number;
  /** Each stream is cut (connection closed, no final event) after a random time between half of this and all of it. */
  dropAfterMs?: number;
}

/** How long a watch-list from a future resourceVersion waits for it before failing, as the watch cache does. */
const FUTURE_RV_WAIT_MS = 3000;

/** Open watch streams, so that stop() can end them. */
export type WatchRegistry = Set<() => void>;

/** Longest watch the simulator keeps open when the client does not set timeoutSeconds (like --min-request-timeout). */
const DEFAULT_TIMEOUT_S = 1800;

/**
 * Streams newline-delimited `{type, object}` events. A resourceVersion older than the kept history gets an
 * ERROR event with a 410 Expired Status and the stream ends, as the API server's watch cache does. A plain watch from a
 * version newer than the store stays open and streams only what comes after it; a watch-list from one gets a 504
 * ResourceVersionTooLarge after a short wait.
 */
export function serveWatch(res: ServerResponse, store: ObjectStore, w: WatchRequest, settings: WatchSettings, registry: WatchRegistry): void {
  let fromRv: number | undefined;
  if (w.resourceVersion !== '' && w.resourceVersion !== '0') {
    if (!/^\d+$/.test(w.resourceVersion)) throw badRequest(`invalid resource version: ${w.resourceVersion}`);
    fromRv = Number(w.resourceVersion);
  }
  const inScope = (o: K8sObject) => (w.namespace === undefined || o.metadata.namespace === w.namespace) && w.labels(o) && w.fields(o);
  const send = (type: string, object: unknown) => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const forward = (ev: StoreEvent) => {
    if (ev.def !== w.def) return;
    const now = inScope(ev.object);
    const before = ev.prev ? inScope(ev.prev) : false;
    if (ev.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', ev.object);
      else if (now) send('ADDED', ev.object);
      else if (before) send('DELETED', ev.object);
    } else if (now) send(ev.type, ev.object);
  };
  const bookmark = (initial = false) => {
    const metadata = { resourceVersion: store.resourceVersion, ...(initial ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) };
    send('BOOKMARK', { kind: w.def.kind, apiVersion: apiVersionOf(w.def), metadata });
  };
  const fail = (status: Record<string, unknown>) => {
    send('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status });
    res.end();
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => undefined;
  const end = () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    registry.delete(end);
    if (!res.writableEnded) res.end();
  };
  registry.add(end);
  res.on('close', end);

  const stream = () => {
    if (res.writableEnded) return;
    if (fromRv === undefined || w.initialEvents) {
      for (const o of store.list(w.def, w.namespace)) if (inScope(o)) send('ADDED', o);
      if (w.initialEvents && w.bookmarks) bookmark(true);
    } else {
      const events = store.since(fromRv);
      if (!events) return fail({ message: `too old resource version: ${fromRv} (${store.oldestResourceVersion})`, reason: 'Expired', code: 410 });
      for (const ev of events) forward(ev);
    }
    const after = fromRv !== undefined && !w.initialEvents ? fromRv : 0;
    unsubscribe = store.subscribe((ev) => ev.rv > after && forward(ev));
    if (w.bookmarks) timers.push(setInterval(() => bookmark(), settings.bookmarkIntervalMs));
    timers.push(setTimeout(() => end(), (w.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000));
    if (settings.dropAfterMs) timers.push(setTimeout(() => res.destroy(), settings.dropAfterMs * (0.5 + Math.random() / 2)));
  };

  if (fromRv !== undefined && fromRv > Number(store.resourceVersion) && w.initialEvents) {
    // A watch-list at a resourceVersion the store has not reached: wait a little for it, then fail as the watch cache does.
    const target = fromRv;
    const stopWaiting = store.subscribe(() => {
      if (Number(store.resourceVersion) < target) return;
      stopWaiting();
      clearTimeout(giveUp);
      stream();
    });
    const giveUp = setTimeout(() => {
      stopWaiting();
      fail({
        message: `Timeout: Too large resource version: ${target}, current: ${store.resourceVersion}`,
        reason: 'Timeout',
        details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
        code: 504,
      });
    }, FUTURE_RV_WAIT_MS);
    timers.push(giveUp);
    unsubscribe = stopWaiting;
    return;
  }
  stream();
}
