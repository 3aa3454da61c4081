import { applyApproval, validateCsrObject } from './csr';
import { applyDefaults } from './defaults';
import { checkImmutable } from './immutable-fields';
import { ROOT_CA_CONFIGMAP, admitServiceAccountVolume } from './service-account-volume';
import { checkPreconditions, podGraceSeconds, type DeleteRequest } from './delete-options';
import { applyPatch } from './patch';
import type { PodFs } from './pod-fs';
import { RESOURCES, apiVersionOf, hasStatusSubresource, resourceByName, type ResourceDef } from './resources';
import type { ObjectStore } from './store';
import { badRequest, conflict, invalid, notFound } from './status';
import { nowTimestamp } from './store';
import type { K8sObject, UserInfo } from './types';
import { asObject, containerNames, resolveName, validateObject } from './validate';

const NAMESPACES = resourceByName('namespaces');
const SERVICE_ACCOUNTS = resourceByName('serviceaccounts');
const CONFIG_MAPS = resourceByName('configmaps');
/** Fields the server owns: dropped from REST create bodies. */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation'] as const;

/** A REST write, for admission checks (RBAC escalation, CSR restrictions) that need the requester. */
export interface AdmissionRequest {
  def: ResourceDef;
  obj: K8sObject;
  old?: K8sObject;
  user: UserInfo;
  subresource?: string;
}

export interface ObjectApiDeps {
  store: ObjectStore;
  podFs: PodFs;
  admit?: (a: AdmissionRequest) => void;
  /** Published in every namespace as ConfigMap kube-root-ca.crt (key ca.crt), as the root-ca-cert-publisher does. */
  rootCaPem?: string;
}

/**
 * Stops a deleted pod's containers; resolves when they have exited. Undefined when nothing of the pod runs here
 * (then the pod goes after {@link UNRUN_POD_EXIT_MS}, as a container that exits at once on SIGTERM would).
 */
export type PodTerminator = (pod: K8sObject) => Promise<void> | undefined;

const UNRUN_POD_EXIT_MS = 200;
/** Marks a terminating pod whose containers have stopped but whose finalizers still hold it. */
const TERMINATED = 'k8s-sim.podid.io/terminated';
const BINDINGS = new Set(['rolebindings', 'clusterrolebindings']);

/**
 * The API server's object semantics over the store: kind and namespace checks, generateName, validation,
 * defaulting, status subresources, namespace lifecycle, garbage collection of dependents and pod root folders.
 * Used by the REST handlers and by {@link Simulator.apply}.
 */
export class ObjectApi {
  private terminator: PodTerminator = () => undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly d: ObjectApiDeps) {}

  /** The kubelet's part of a graceful pod deletion; set once the kubelet exists. */
  setPodTerminator(t: PodTerminator): void {
    this.terminator = t;
  }

  /** Cancels pending graceful deletions (the simulator is stopping). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

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
    if (def.resource === 'pods' && !opts.trusted) admitServiceAccountVolume(this.d.store, obj);
    if (opts.user && !opts.trusted) this.d.admit?.({ def, obj, user: opts.user });
    const stored = this.d.store.create(def, obj);
    this.afterWrite(def, stored);
    return stored;
  }

  private afterWrite(def: ResourceDef, obj: K8sObject): void {
    const name = obj.metadata.name ?? '';
    if (def.resource === 'namespaces' && !this.d.store.get(SERVICE_ACCOUNTS, name, 'default'))
      this.d.store.create(SERVICE_ACCOUNTS, { metadata: { name: 'default', namespace: name } });
    if (def.resource === 'namespaces' && this.d.rootCaPem && !this.d.store.get(CONFIG_MAPS, name, ROOT_CA_CONFIGMAP))
      this.d.store.create(CONFIG_MAPS, { metadata: { name: ROOT_CA_CONFIGMAP, namespace: name }, data: { 'ca.crt': this.d.rootCaPem } });
    if (def.resource === 'pods') for (const c of containerNames(obj)) this.d.podFs.ensure(obj.metadata.namespace ?? '', name, c);
  }

  /** PUT on the main resource. Status is kept from the stored object where a status subresource exists. */
  update(def: ResourceDef, urlNs: string | undefined, name: string, body: unknown, user?: UserInfo): K8sObject {
    const obj = asObject(body, def);
    this.checkType(def, obj, urlNs);
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`);
    return this.replaceChecked(def, obj, this.get(def, obj.metadata.namespace, name), user);
  }

  private replaceChecked(def: ResourceDef, obj: K8sObject, current: K8sObject, user?: UserInfo): K8sObject {
    validateObject(def, obj);
    if (BINDINGS.has(def.resource) && JSON.stringify(obj['roleRef']) !== JSON.stringify(current['roleRef']))
      throw invalid(def.kind, obj.metadata.name ?? '', 'roleRef', `Invalid value: ${JSON.stringify(obj['roleRef'])}: cannot change roleRef`);
    // The deletion mark is the server's: a write neither sets nor clears it.
    if (current.metadata.deletionTimestamp) {
      obj.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      if (current.metadata['deletionGracePeriodSeconds'] !== undefined) obj.metadata['deletionGracePeriodSeconds'] = current.metadata['deletionGracePeriodSeconds'];
    } else {
      delete obj.metadata.deletionTimestamp;
      delete obj.metadata['deletionGracePeriodSeconds'];
    }
    if (hasStatusSubresource(def)) {
      if (current['status'] === undefined) delete obj['status'];
      else obj['status'] = current['status'];
    }
    if (def.resource === 'certificatesigningrequests') obj['spec'] = current['spec'];
    applyDefaults(def, obj);
    checkImmutable(def, obj, current);
    if (user) this.d.admit?.({ def, obj, old: current, user });
    if (this.releasable(def, obj)) {
      // The last finalizer of an object being deleted is gone: the update becomes the delete, as in the API server.
      if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(def.resource, def.group, obj.metadata.name ?? '');
      return this.remove(def, obj.metadata.namespace, obj.metadata.name ?? '', 'Background');
    }
    const stored = this.d.store.replace(def, obj);
    this.afterWrite(def, stored);
    return stored;
  }

  /** Marked for deletion, no finalizer left, and (for a pod) its containers have stopped. */
  private releasable(def: ResourceDef, obj: K8sObject): boolean {
    if (!obj.metadata.deletionTimestamp || (obj.metadata['finalizers'] as unknown[] | undefined)?.length) return false;
    return def.resource !== 'pods' || obj.metadata.annotations?.[TERMINATED] === 'true' || Date.parse(obj.metadata.deletionTimestamp) <= Date.now();
  }

  /** PUT .../status: only status changes. */
  updateStatus(def: ResourceDef, urlNs: string | undefined, name: string, body: unknown): K8sObject {
    const obj = asObject(body, def);
    const current = this.get(def, def.namespaced ? urlNs : undefined, name);
    const next: K8sObject = { ...current, status: obj['status'], metadata: { ...current.metadata, resourceVersion: obj.metadata.resourceVersion ?? current.metadata.resourceVersion } };
    return this.d.store.replace(def, next);
  }

  /** PUT .../certificatesigningrequests/{name}/approval. */
  approve(def: ResourceDef, name: string, body: unknown, user?: UserInfo): K8sObject {
    const obj = asObject(body, def);
    const current = this.get(def, undefined, name);
    const next = applyApproval(current, obj);
    if (user) this.d.admit?.({ def, obj: next, old: current, user, subresource: 'approval' });
    if (obj.metadata.resourceVersion) next.metadata.resourceVersion = obj.metadata.resourceVersion;
    return this.d.store.replace(def, next);
  }

  patch(def: ResourceDef, urlNs: string | undefined, name: string, subresource: string | undefined, contentType: string, body: unknown, user?: UserInfo): K8sObject {
    const current = this.get(def, def.namespaced ? urlNs : undefined, name);
    const patched = asObject(applyPatch(current, contentType, body), def);
    if (subresource === 'status') return this.updateStatus(def, urlNs, name, patched);
    if (subresource === 'approval') return this.approve(def, name, patched, user);
    this.checkType(def, patched, urlNs);
    if (patched.metadata.name !== name) throw badRequest('metadata.name may not be changed by a patch');
    return this.replaceChecked(def, patched, current, user);
  }

  /**
   * A REST DELETE: preconditions (409), then finalizers and pod grace periods hold the object with a
   * deletionTimestamp (MODIFIED) until they are done; otherwise it goes at once (DELETED).
   */
  deleteRequest(def: ResourceDef, ns: string | undefined, name: string, req: DeleteRequest): K8sObject {
    const current = this.get(def, def.namespaced ? ns : undefined, name);
    checkPreconditions(def, current, req.preconditions);
    const finalizers = (current.metadata['finalizers'] as unknown[] | undefined) ?? [];
    const grace = def.resource === 'pods' ? podGraceSeconds(current, req) : 0;
    if (current.metadata.deletionTimestamp) {
      // Already terminating: only a shorter grace period (such as 0, a force delete) changes anything.
      if (def.resource !== 'pods' || grace > 0 || finalizers.length) return current;
      return this.remove(def, ns, name, req.propagation);
    }
    if (!finalizers.length && grace === 0) return this.remove(def, ns, name, req.propagation);
    const marked = structuredClone(current);
    marked.metadata.deletionTimestamp = nowTimestamp(new Date(Date.now() + grace * 1000));
    marked.metadata['deletionGracePeriodSeconds'] = grace;
    const stored = this.d.store.replace(def, marked);
    if (def.resource === 'pods' && grace > 0) this.terminatePod(def, stored, grace);
    return stored;
  }

  /** The kubelet's side of a graceful delete: stop the containers (at most the grace period), then remove the pod. */
  private terminatePod(def: ResourceDef, pod: K8sObject, grace: number): void {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name ?? '';
    const uid = pod.metadata.uid;
    const finish = () => {
      const now = this.d.store.get(def, ns, name);
      if (!now || now.metadata.uid !== uid) return;
      if ((now.metadata['finalizers'] as unknown[] | undefined)?.length) {
        now.metadata.annotations = { ...now.metadata.annotations, [TERMINATED]: 'true' };
        this.d.store.replace(def, now);
        return;
      }
      this.remove(def, ns, name, 'Background');
    };
    const stopping = this.terminator(pod);
    const wait = stopping ?? new Promise<void>((r) => this.later(r, Math.min(grace * 1000, UNRUN_POD_EXIT_MS)));
    const deadline = new Promise<void>((r) => this.later(r, grace * 1000));
    void Promise.race([wait, deadline]).then(finish);
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** Deletes an object at once (no grace period, finalizers ignored): for {@link Simulator.remove} and namespace contents. */
  delete(def: ResourceDef, ns: string | undefined, name: string, propagation = 'Background'): K8sObject {
    return this.remove(def, ns, name, propagation);
  }

  /** Deletes an object; dependents (ownerReferences) go too unless propagationPolicy is Orphan; a namespace takes its contents. */
  private remove(def: ResourceDef, ns: string | undefined, name: string, propagation: string): K8sObject {
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
