import { randomUUID } from 'node:crypto';
import { apiVersionOf, type ResourceDef } from './resources';
import { alreadyExists, conflict, notFound } from './status';
import type { K8sObject } from './types';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as watches see it. `prev` is the object before a MODIFIED, for selector transitions. */
export interface StoreEvent {
  rv: number;
  type: EventType;
  def: ResourceDef;
  object: K8sObject;
  prev?: K8sObject;
}

/** RFC 3339 without fractions, as the API server writes timestamps. */
export function nowTimestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const defKey = (d: ResourceDef) => `${d.group}/${d.resource}`;
const objKey = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

/**
 * In-memory objects with one global resourceVersion counter and a bounded event history,
 * so that watches can resume from a resourceVersion (older ones are "expired").
 * Objects are cloned in and out: callers never share references with the store.
 */
export class ObjectStore {
  private rv = 0;
  private readonly byDef = new Map<string, { def: ResourceDef; objects: Map<string, K8sObject> }>();
  private readonly history: StoreEvent[] = [];
  /** Smallest resourceVersion a watch may resume from. */
  private oldestResumable = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  /** When each kept event was committed (ms), for the time window. */
  private readonly committedAt: number[] = [];

  /**
   * `historyLimit` events, none older than `historyWindowMs`, stay resumable, like the API server's watch cache
   * (which keeps about 75 s of events).
   */
  constructor(
    private readonly historyLimit: number,
    private readonly historyWindowMs = Number.POSITIVE_INFINITY,
  ) {}

  /** Forgets the history so far: a watch cache starts at the resourceVersion of its first list. */
  compact(): void {
    this.history.length = 0;
    this.committedAt.length = 0;
    this.oldestResumable = this.rv;
  }

  private trim(now = Date.now()): void {
    while (this.history.length > this.historyLimit || (this.committedAt.length && now - (this.committedAt[0] ?? now) > this.historyWindowMs)) {
      const dropped = this.history.shift();
      this.committedAt.shift();
      if (dropped) this.oldestResumable = dropped.rv;
    }
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  private table(d: ResourceDef): Map<string, K8sObject> {
    let t = this.byDef.get(defKey(d));
    if (!t) {
      t = { def: d, objects: new Map() };
      this.byDef.set(defKey(d), t);
    }
    return t.objects;
  }

  get(d: ResourceDef, ns: string | undefined, name: string): K8sObject | undefined {
    const o = this.table(d).get(objKey(d.namespaced ? ns : undefined, name));
    return o ? structuredClone(o) : undefined;
  }

  /** Sorted by namespace then name. `ns` undefined = all namespaces. */
  list(d: ResourceDef, ns?: string): K8sObject[] {
    const out: K8sObject[] = [];
    for (const o of this.table(d).values()) if (ns === undefined || o.metadata.namespace === ns) out.push(structuredClone(o));
    return out.sort((a, b) => objKey(a.metadata.namespace, a.metadata.name ?? '').localeCompare(objKey(b.metadata.namespace, b.metadata.name ?? '')));
  }

  /** Stores a new object; assigns uid (unless given), creationTimestamp, generation and resourceVersion. */
  create(d: ResourceDef, input: K8sObject): K8sObject {
    const obj = structuredClone(input);
    const name = obj.metadata.name ?? '';
    const key = objKey(d.namespaced ? obj.metadata.namespace : undefined, name);
    if (this.table(d).has(key)) throw alreadyExists(d.resource, d.group, name);
    obj.apiVersion = apiVersionOf(d);
    obj.kind = d.kind;
    obj.metadata.uid ??= randomUUID();
    obj.metadata.creationTimestamp ??= nowTimestamp();
    if ('spec' in obj) obj.metadata.generation = 1;
    return this.commit(d, key, 'ADDED', obj);
  }

  /**
   * Replaces an existing object. A resourceVersion in `input` must match the stored one (409 Conflict otherwise).
   * uid and creationTimestamp are kept; generation goes up when spec changes.
   */
  replace(d: ResourceDef, input: K8sObject): K8sObject {
    const obj = structuredClone(input);
    const name = obj.metadata.name ?? '';
    const key = objKey(d.namespaced ? obj.metadata.namespace : undefined, name);
    const old = this.table(d).get(key);
    if (!old) throw notFound(d.resource, d.group, name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) throw conflict(d.resource, d.group, name);
    obj.apiVersion = apiVersionOf(d);
    obj.kind = d.kind;
    obj.metadata.uid = old.metadata.uid;
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    if ('spec' in obj) {
      const gen = old.metadata.generation ?? 1;
      obj.metadata.generation = JSON.stringify(obj['spec']) === JSON.stringify(old['spec']) ? gen : gen + 1;
    }
    return this.commit(d, key, 'MODIFIED', obj, old);
  }

  delete(d: ResourceDef, ns: string | undefined, name: string): K8sObject {
    const key = objKey(d.namespaced ? ns : undefined, name);
    const old = this.table(d).get(key);
    if (!old) throw notFound(d.resource, d.group, name);
    this.table(d).delete(key);
    const obj = structuredClone(old);
    return this.commit(d, key, 'DELETED', obj);
  }

  /** Objects (of any resource) that list `uid` among their ownerReferences. */
  dependentsOf(uid: string): Array<{ def: ResourceDef; obj: K8sObject }> {
    const out: Array<{ def: ResourceDef; obj: K8sObject }> = [];
    for (const t of this.byDef.values())
      for (const o of t.objects.values())
        if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ def: t.def, obj: structuredClone(o) });
    return out;
  }

  private commit(d: ResourceDef, key: string, type: EventType, obj: K8sObject, prev?: K8sObject): K8sObject {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    if (type !== 'DELETED') this.table(d).set(key, obj);
    const ev: StoreEvent = { rv: this.rv, type, def: d, object: structuredClone(obj) };
    if (prev) ev.prev = structuredClone(prev);
    this.history.push(ev);
    this.committedAt.push(Date.now());
    this.trim();
    for (const l of this.listeners) l(ev);
    return structuredClone(obj);
  }

  /** Events after `rv`, or undefined when `rv` is older than the retained history (410 Expired). */
  since(rv: number): StoreEvent[] | undefined {
    this.trim();
    if (rv < this.oldestResumable) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  /** Oldest resourceVersion still resumable, for the 410 message. */
  get oldestResourceVersion(): number {
    return this.oldestResumable;
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
