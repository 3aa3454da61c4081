import { applyApproval, validateCsrObject } from './csr';
import { applyDefaults } from './defaults';
import { applyPatch } from './patch';
import type { Ca } from './pki';
import type { PodFs } from './pod-fs';
import { RESOURCES, apiVersionOf, hasStatusSubresource, resourceByName, type ResourceDef } from './resources';
import type { ObjectStore } from './store';
import { badRequest, notFound } from './status';
import type { K8sObject, UserInfo } from './types';
import { asObject, containerNames, resolveName, validateObject } from './validate';

const NAMESPACES = resourceByName('namespaces');
const SERVICE_ACCOUNTS = resourceByName('serviceaccounts');
/** Fields the server owns: dropped from REST create bodies. */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation'] as const;

export interface ObjectApiDeps {
  store: ObjectStore;
  podFs: PodFs;
  ca: Ca;
}

/**
 * The API server's object semantics over the store: kind and namespace checks, generateName, validation,
 * defaulting, status subresources, namespace lifecycle, garbage collection of dependents and pod root folders.
 * Used by the REST handlers and by {@link Simulator.apply}.
 */
export class ObjectApi {
  constructor(private readonly d: ObjectApiDeps) {}

  get(def: ResourceDef, ns: string | undefined, name: string): K8sObject {
    const o = this.d.store.get(def, ns, name);
    if (!o) throw notFound(def.resource, def.group, name);
    return o;
  }

  private checkType(def: ResourceDef, obj: K8sObject, urlNs: string | undefined): void {
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(def))
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(def)})`);
    if (obj.kind !== undefined && obj.kind !== def.kind) throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${def.kind})`);
    if (!def.namespaced) delete obj.metadata.namespace;
    else if (urlNs !== undefined) {
      if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== urlNs)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      obj.metadata.namespace = urlNs;
    } else obj.metadata.namespace ??= 'default';
  }

  private ensureNamespace(ns: string, autoCreate: boolean): void {
    if (this.d.store.get(NAMESPACES, undefined, ns)) return;
    if (!autoCreate) throw notFound('namespaces', '', ns);
    this.create(NAMESPACES, { metadata: { name: ns } }, undefined, { trusted: true });
  }

  /**
   * Creates an object. `trusted` (apply/manifests) keeps uid, timestamps and status as given and creates a missing
   * namespace; REST creates drop server-owned fields and get 404 for a missing namespace.
   */
  create(def: ResourceDef, body: unknown, urlNs: string | undefined, opts: { user?: UserInfo; trusted?: boolean } = {}): K8sObject {
    const obj = asObject(body, def);
    this.checkType(def, obj, urlNs);
    if (!opts.trusted) for (const f of SERVER_FIELDS) delete obj.metadata[f];
    else delete obj.metadata.resourceVersion;
    resolveName(obj);
    validateObject(def, obj);
    if (def.namespaced) this.ensureNamespace(obj.metadata.namespace ?? '', !!opts.trusted);
    if (def.resource === 'certificatesigningrequests') {
      validateCsrObject(obj);
      if (opts.user && !opts.trusted) {
        const spec = obj['spec'] as Record<string, unknown>;
        Object.assign(spec, { username: opts.user.username, groups: opts.user.groups, uid: opts.user.uid ?? '' });
        if (opts.user.extra) spec['extra'] = opts.user.extra;
        obj['status'] = {};
      }
    }
    applyDefaults(def, obj);
    const stored = this.d.store.create(def, obj);
    this.afterWrite(def, stored);
    return stored;
  }

  private afterWrite(def: ResourceDef, obj: K8sObject): void {
    const name = obj.metadata.name ?? '';
    if (def.resource === 'namespaces' && !this.d.store.get(SERVICE_ACCOUNTS, name, 'default'))
      this.d.store.create(SERVICE_ACCOUNTS, { metadata: { name: 'default', namespace: name } });
    if (def.resource === 'pods') for (const c of containerNames(obj)) this.d.podFs.ensure(obj.metadata.namespace ?? '', name, c);
  }

  /** PUT on the main resource. Status is kept from the stored object where a status subresource exists. */
  update(def: ResourceDef, urlNs: string | undefined, name: string, body: unknown): K8sObject {
    const obj = asObject(body, def);
    this.checkType(def, obj, urlNs);
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`);
    return this.replaceChecked(def, obj, this.get(def, obj.metadata.namespace, name));
  }

  private replaceChecked(def: ResourceDef, obj: K8sObject, current: K8sObject): K8sObject {
    validateObject(def, obj);
    if (hasStatusSubresource(def)) {
      if (current['status'] === undefined) delete obj['status'];
      else obj['status'] = current['status'];
    }
    if (def.resource === 'certificatesigningrequests') obj['spec'] = current['spec'];
    applyDefaults(def, obj);
    const stored = this.d.store.replace(def, obj);
    this.afterWrite(def, stored);
    return stored;
  }

  /** PUT .../status: only status changes. */
  updateStatus(def: ResourceDef, urlNs: string | undefined, name: string, body: unknown): K8sObject {
    const obj = asObject(body, def);
    const current = this.get(def, def.namespaced ? urlNs : undefined, name);
    const next: K8sObject = { ...current, status: obj['status'], metadata: { ...current.metadata, resourceVersion: obj.metadata.resourceVersion ?? current.metadata.resourceVersion } };
    return this.d.store.replace(def, next);
  }

  /** PUT .../certificatesigningrequests/{name}/approval. */
  approve(def: ResourceDef, name: string, body: unknown): K8sObject {
    const obj = asObject(body, def);
    const current = this.get(def, undefined, name);
    if (obj.metadata.resourceVersion) current.metadata.resourceVersion = obj.metadata.resourceVersion;
    return this.d.store.replace(def, applyApproval(current, obj, this.d.ca));
  }

  patch(def: ResourceDef, urlNs: string | undefined, name: string, subresource: string | undefined, contentType: string, body: unknown): K8sObject {
    const current = this.get(def, def.namespaced ? urlNs : undefined, name);
    const patched = asObject(applyPatch(current, contentType, body), def);
    if (subresource === 'status') return this.updateStatus(def, urlNs, name, patched);
    if (subresource === 'approval') return this.approve(def, name, patched);
    this.checkType(def, patched, urlNs);
    if (patched.metadata.name !== name) throw badRequest('metadata.name may not be changed by a patch');
    return this.replaceChecked(def, patched, current);
  }

  /** Deletes an object; dependents (ownerReferences) go too unless propagationPolicy is Orphan; a namespace takes its contents. */
  delete(def: ResourceDef, ns: string | undefined, name: string, propagation = 'Background'): K8sObject {
    const gone = this.d.store.delete(def, ns, name);
    if (def.resource === 'namespaces')
      for (const r of RESOURCES.filter((x) => x.namespaced && !x.virtual))
        for (const o of this.d.store.list(r, name)) this.d.store.delete(r, name, o.metadata.name ?? '');
    if (propagation !== 'Orphan') this.collectDependents(gone.metadata.uid ?? '', new Set());
    return gone;
  }

  private collectDependents(uid: string, seen: Set<string>): void {
    if (!uid || seen.has(uid)) return;
    seen.add(uid);
    for (const { def, obj } of this.d.store.dependentsOf(uid)) {
      if (!this.d.store.get(def, obj.metadata.namespace, obj.metadata.name ?? '')) continue;
      this.d.store.delete(def, obj.metadata.namespace, obj.metadata.name ?? '');
      this.collectDependents(obj.metadata.uid ?? '', seen);
    }
  }

  /** Create-or-replace with everything as given (uid, status, ownerReferences); a missing namespace is created. */
  apply(def: ResourceDef, body: unknown): K8sObject {
    const obj = asObject(structuredClone(body), def);
    this.checkType(def, obj, undefined);
    resolveName(obj);
    const current = obj.metadata.name ? this.d.store.get(def, obj.metadata.namespace, obj.metadata.name) : undefined;
    if (current && obj.metadata.uid && obj.metadata.uid !== current.metadata.uid) {
      // A different uid is a different object: replace it the way delete + create would.
      this.d.store.delete(def, current.metadata.namespace, current.metadata.name ?? '');
      return this.create(def, obj, undefined, { trusted: true });
    }
    if (!current) return this.create(def, obj, undefined, { trusted: true });
    validateObject(def, obj);
    delete obj.metadata.resourceVersion;
    if (def.resource === 'certificatesigningrequests') validateCsrObject(obj);
    applyDefaults(def, obj);
    const stored = this.d.store.replace(def, obj);
    this.afterWrite(def, stored);
    return stored;
  }
}
