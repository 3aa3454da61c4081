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
  timeoutSeconds?: number;
}

/** Open watch streams, so that stop() can end them. */
export type WatchRegistry = Set<() => void>;

/** Longest watch the simulator keeps open when the client does not set timeoutSeconds (like --min-request-timeout). */
const DEFAULT_TIMEOUT_S = 1800;

/**
 * Streams newline-delimited `{type, object}` events. A resourceVersion older than the kept history gets an
 * ERROR event with a 410 Expired Status and the stream ends, as the API server's watch cache does.
 */
export function serveWatch(res: ServerResponse, store: ObjectStore, w: WatchRequest, bookmarkIntervalMs: number, registry: WatchRegistry): void {
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

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  if (fromRv === undefined) {
    for (const o of store.list(w.def, w.namespace)) if (inScope(o)) send('ADDED', o);
  } else {
    const events = store.since(fromRv);
    if (!events) {
      send('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${fromRv} (${store.oldestResourceVersion})`,
        reason: 'Expired',
        code: 410,
      });
      res.end();
      return;
    }
    for (const ev of events) forward(ev);
  }
  if (w.bookmarks) bookmark(true);

  const unsubscribe = store.subscribe(forward);
  const timers: NodeJS.Timeout[] = [];
  if (w.bookmarks) timers.push(setInterval(() => bookmark(), bookmarkIntervalMs));
  timers.push(setTimeout(() => end(), (w.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000));
  const end = () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    registry.delete(end);
    if (!res.writableEnded) res.end();
  };
  registry.add(end);
  res.on('close', end);
}
