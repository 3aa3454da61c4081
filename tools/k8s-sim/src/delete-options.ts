import type { ResourceDef } from './resources';
import { StatusError, badRequest } from './status';
import type { K8sObject } from './types';

/** What a DELETE asks for, from its query and its DeleteOptions body. */
export interface DeleteRequest {
  propagation: string;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

type Dict = Record<string, unknown>;

export function parseDeleteRequest(q: URLSearchParams, body: unknown): DeleteRequest {
  const opts = (body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Dict;
  const orphan = q.get('orphanDependents') === 'true' || opts['orphanDependents'] === true;
  const propagation = orphan ? 'Orphan' : String(q.get('propagationPolicy') ?? opts['propagationPolicy'] ?? 'Background');
  if (!['Orphan', 'Background', 'Foreground'].includes(propagation)) throw badRequest(`propagationPolicy: Unsupported value: "${propagation}": supported values: "Foreground", "Background", "Orphan"`);
  const rawGrace = q.get('gracePeriodSeconds') ?? opts['gracePeriodSeconds'];
  const out: DeleteRequest = { propagation };
  if (rawGrace !== undefined && rawGrace !== null) {
    const g = Number(rawGrace);
    if (!Number.isInteger(g)) throw badRequest(`gracePeriodSeconds: Invalid value: "${String(rawGrace)}": must be an integer`);
    out.gracePeriodSeconds = Math.max(0, g);
  }
  const pre = opts['preconditions'];
  if (pre !== undefined && pre !== null) {
    const p = pre as Dict;
    out.preconditions = {
      ...(typeof p['uid'] === 'string' ? { uid: p['uid'] } : {}),
      ...(typeof p['resourceVersion'] === 'string' ? { resourceVersion: p['resourceVersion'] } : {}),
    };
  }
  return out;
}

/** 409 Conflict when a precondition does not hold, in the API server's words (it names the kind, not the resource). */
export function checkPreconditions(def: ResourceDef, obj: K8sObject, pre: DeleteRequest['preconditions']): void {
  const name = obj.metadata.name ?? '';
  const fail = (why: string) =>
    new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${def.group ? `${def.kind}.${def.group}` : def.kind} "${name}": ${why}`, {
      name,
      ...(def.group ? { group: def.group } : {}),
      kind: def.kind,
    });
  if (pre?.uid !== undefined && pre.uid !== obj.metadata.uid)
    throw fail(`the UID in the precondition (${pre.uid}) does not match the UID in record (${obj.metadata.uid ?? ''}). The object might have been deleted and then recreated`);
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== obj.metadata.resourceVersion)
    throw fail(`the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${obj.metadata.resourceVersion ?? ''}). The object might have been modified`);
}

/** The grace period a pod deletion gets: the request's, else the pod's terminationGracePeriodSeconds, else 30. */
export function podGraceSeconds(pod: K8sObject, req: DeleteRequest): number {
  const spec = (pod['spec'] ?? {}) as Dict;
  const phase = ((pod['status'] ?? {}) as Dict)['phase'];
  // As the pod strategy does: an unscheduled or finished pod has nothing to stop.
  if (!spec['nodeName'] || phase === 'Succeeded' || phase === 'Failed') return 0;
  if (req.gracePeriodSeconds !== undefined) return req.gracePeriodSeconds;
  const t = spec['terminationGracePeriodSeconds'];
  return typeof t === 'number' && t >= 0 ? t : 30;
}
