import { findResource, type ResourceDef } from './resources';

/** A request for a resource, parsed from its URL path. */
export interface ResourceRoute {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const NAMESPACE_SUBRESOURCES = ['status', 'finalize'];

function segments(path: string): string[] | undefined {
  try {
    return path
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/**
 * Parses `/api/v1/...` and `/apis/<group>/<version>/...` paths, namespaced (`namespaces/<ns>/<resource>[/<name>[/<sub>]]`)
 * or not (`<resource>[/<name>[/<sub>]]`). Undefined when the path names nothing the simulator serves.
 */
export function parseResourcePath(path: string): ResourceRoute | undefined {
  const seg = segments(path);
  if (!seg) return undefined;
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api' && seg[1] === 'v1') [group, version, rest] = ['', 'v1', seg.slice(2)];
  else if (seg[0] === 'apis' && seg[1] !== undefined && seg[2] !== undefined) [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
  else return undefined;

  let namespace: string | undefined;
  let resource: string | undefined;
  let name: string | undefined;
  let sub: string | undefined;
  const namespacedForm = rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && NAMESPACE_SUBRESOURCES.includes(rest[2] ?? ''));
  if (namespacedForm) {
    if (rest.length > 5) return undefined;
    [, namespace, resource, name, sub] = rest;
  } else {
    if (rest.length > 3 || rest.length === 0) return undefined;
    [resource, name, sub] = rest;
  }
  const def = resource ? findResource(group, version, resource) : undefined;
  if (!def) return undefined;
  if (namespace !== undefined && !def.namespaced) return undefined;
  if (sub !== undefined && !def.subresources.includes(sub)) return undefined;
  const route: ResourceRoute = { def };
  if (namespace !== undefined) route.namespace = namespace;
  if (name !== undefined) route.name = name;
  if (sub !== undefined) route.subresource = sub;
  return route;
}

/** The RBAC verb of an HTTP request on a route, or undefined when the method does not apply (405). */
export function verbOf(method: string, route: ResourceRoute, watch: boolean): string | undefined {
  const named = route.name !== undefined;
  switch (method) {
    case 'GET':
      return named ? (watch ? 'watch' : 'get') : watch ? 'watch' : 'list';
    case 'POST':
      return named === (route.subresource !== undefined) ? 'create' : undefined;
    case 'PUT':
      return named ? 'update' : undefined;
    case 'PATCH':
      return named ? 'patch' : undefined;
    case 'DELETE':
      return named ? (route.subresource ? undefined : 'delete') : 'deletecollection';
    default:
      return undefined;
  }
}
