import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceDef } from './resources';

/**
 * Just enough OpenAPI v3 for kubectl: per group-version, the write operations of each resource with their
 * `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter. From that kubectl learns that the
 * server validates fields itself, so `kubectl apply` (with its default --validate=strict) sends
 * fieldValidation=Strict instead of needing schemas. There are no component schemas: `kubectl explain` has nothing.
 */
const gvPath = (d: ResourceDef) => (d.group ? `apis/${d.group}/${d.version}` : `api/${d.version}`);

const WRITE_PARAMS = ['fieldValidation', 'dryRun', 'fieldManager'].map((name) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } }));

function operations(d: ResourceDef): Record<string, object> {
  const gvk = { 'x-kubernetes-group-version-kind': { group: d.group, version: d.version, kind: d.kind } };
  const base = `/${gvPath(d)}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.resource}`;
  const op = (verb: string, action: string) => ({ operationId: `${verb}${d.kind}`, 'x-kubernetes-action': action, ...gvk, parameters: WRITE_PARAMS, responses: { '200': { description: 'OK' } } });
  if (d.virtual) return { [base]: { post: op('create', 'post') } };
  return {
    [base]: { post: op('create', 'post') },
    [`${base}/{name}`]: { put: op('replace', 'put'), patch: op('patch', 'patch') },
  };
}

function documentFor(path: string): object | undefined {
  const defs = RESOURCES.filter((d) => gvPath(d) === path);
  if (!defs.length) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.31.0-podid-sim' },
    paths: Object.assign({}, ...defs.map(operations)),
    components: { schemas: {} },
  };
}

const hashOf = (doc: object) => createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();

/** The document for `/openapi/v3` (the index) or `/openapi/v3/<api|apis/...>`, or undefined. */
export function openApiV3(path: string): object | undefined {
  const p = path.replace(/\/+$/, '');
  if (p === '/openapi/v3') {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const gv of new Set(RESOURCES.map(gvPath))) {
      const doc = documentFor(gv);
      if (doc) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hashOf(doc)}` };
    }
    return { paths };
  }
  const m = /^\/openapi\/v3\/(.+)$/.exec(p);
  return m?.[1] ? documentFor(m[1]) : undefined;
}
