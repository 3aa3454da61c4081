/** A Kubernetes `Status` body, as the API server returns it for errors and some deletes. */
export interface K8sStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
  code: number;
}

/** Thrown by handlers; the server turns it into a `Status` response with `code` as the HTTP status. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: K8sStatus['details'],
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): K8sStatus {
    // Same key order as the API server's JSON.
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** Names an object in messages the way the API server does: `pods "x"` or `certificatesigningrequests.certificates.k8s.io "x"`. */
function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

function details(resource: string, group: string, name?: string): K8sStatus['details'] {
  return { ...(name !== undefined ? { name } : {}), ...(group ? { group } : {}), kind: resource };
}

export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, details(resource, group, name));
}

export function alreadyExists(resource: string, group: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, details(resource, group, name));
}

export function conflict(resource: string, group: string, name: string): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(resource, group, name),
  );
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

/** 422, for objects that parse but are not valid (bad names, missing containers, unparsable CSRs). */
export function invalid(kind: string, name: string, field: string, why: string): StatusError {
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${field}: ${why}`, {
    name,
    kind,
    causes: [{ reason: 'FieldValueInvalid', message: why, field }],
  });
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export interface ForbiddenAttrs {
  user: string;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The exact wording of the API server's RBAC denial. */
export function forbidden(a: ForbiddenAttrs): StatusError {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const subject = a.name !== undefined ? `${qualified(a.resource, a.apiGroup)} "${a.name}"` : qualified(a.resource, a.apiGroup);
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const msg = `${subject} is forbidden: User "${a.user}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup}" ${scope}`;
  return new StatusError(403, 'Forbidden', msg, details(a.resource, a.apiGroup, a.name));
}

export function forbiddenNonResource(user: string, verb: string, path: string): StatusError {
  return new StatusError(403, 'Forbidden', `forbidden: User "${user}" cannot ${verb} path "${path}"`);
}

export function successStatus(resource: string, group: string, name: string, uid?: string): K8sStatus {
  const d = details(resource, group, name);
  if (d && uid) d.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d, code: 200 };
}
