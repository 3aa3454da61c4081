import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body';
import { parseDeleteRequest } from './delete-options';
import { authorizeAndRecord, type SimContext } from './context';
import { VERSION_INFO, discoveryDocument } from './discovery';
import { dropUnknownFields, enforceFieldValidation, parseFieldValidation } from './field-validation';
import { openApiV3 } from './openapi';
import { toTable, wantsTable } from './table';
import { apiVersionOf } from './resources';
import { parseResourcePath, verbOf, type ResourceRoute } from './router';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { StatusError, badRequest, forbidden, invalid, methodNotAllowed, successStatus, unauthorized } from './status';
import type { UserInfo } from './types';
import { serveWatch } from './watch';
import { impersonate } from './impersonation';

const LEGACY_WATCH = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/watch\/(.+)$/;
const notServed = () => new StatusError(404, 'NotFound', 'the server could not find the requested resource');
/** Deletes of these return the object, as the API server does; others return a Success Status. */
const DELETE_RETURNS_OBJECT = new Set(['pods', 'namespaces']);

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const data = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), 'Cache-Control': 'no-cache, private' });
  res.end(data);
}

/** Serves one HTTP request; never throws (errors become Status responses; unexpected ones a logged 500). */
export async function handleRequest(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await serve(ctx, req, res);
  } catch (e) {
    if (e instanceof StatusError) {
      if (e.code === 413) res.setHeader('Connection', 'close');
      sendJson(res, e.code, e.toStatus());
    } else if (req.destroyed || res.destroyed) {
      // The client went away (for example mid-body): nobody to answer, nothing to log.
    } else {
      ctx.log('SIM_INTERNAL_ERROR', 'unexpected error while serving a request', { method: req.method, path: req.url?.split('?')[0], error: (e as Error)?.message });
      sendJson(res, 500, new StatusError(500, 'InternalError', 'Internal error occurred').toStatus());
    }
  }
}

function publicDocument(ctx: SimContext, path: string): unknown {
  switch (path) {
    case '/version':
      return VERSION_INFO;
    case '/.well-known/openid-configuration':
      return {
        issuer: ctx.signer.issuer,
        jwks_uri: `${ctx.url()}/openid/v1/jwks`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
      };
    case '/openid/v1/jwks':
      return ctx.signer.jwks();
    default:
      return undefined;
  }
}

async function serve(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'https://sim.invalid');
  const path = url.pathname;
  if (method === 'GET' && ['/healthz', '/readyz', '/livez'].includes(path)) {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    return;
  }
  const pub = method === 'GET' ? publicDocument(ctx, path) : undefined;
  if (pub) return sendJson(res, 200, pub);

  const caller = ctx.authn.authenticateRequest(req);
  if (!caller) throw unauthorized();
  const user = impersonate(ctx, req, caller);
  if (method === 'GET') {
    const doc = discoveryDocument(path, new URL(ctx.url()).host) ?? openApiV3(path);
    if (doc) return sendJson(res, 200, doc);
  }
  // The deprecated /api/v1/watch/... and /apis/<g>/<v>/watch/... paths are watches of the path without `watch/`.
  const legacy = method === 'GET' ? LEGACY_WATCH.exec(path) : null;
  const route = parseResourcePath(legacy ? `${legacy[1]}/${legacy[2]}` : path);
  if (!route) throw notServed();
  if (route.subresource === 'exec') throw new StatusError(400, 'BadRequest', 'Upgrade request required');
  const q = url.searchParams;
  const watch = !!legacy || q.get('watch') === 'true' || q.get('watch') === '1';
  const verb = verbOf(method, route, watch);
  const sub = route.subresource;
  const allowed = sub === undefined ? [...route.def.verbs, ...(route.def.virtual ? [] : ['deletecollection'])] : sub === 'token' ? ['create'] : ['get', 'update', 'patch'];
  if (!verb || !allowed.includes(verb)) throw methodNotAllowed();
  if (route.def.namespaced && route.namespace === undefined && verb !== 'list' && verb !== 'watch') throw notServed();

  const attrs = { verb, apiGroup: route.def.group, resource: route.def.resource, ...pick(route), ...authorizedName(route, verb, q) };
  if (!authorizeAndRecord(ctx, user, attrs)) throw forbidden({ ...attrs, user: user.username });
  // A dry run that wrote would be worse than none: refuse it rather than ignore it.
  if (q.has('dryRun') && verb !== 'get' && verb !== 'list' && verb !== 'watch' && !route.def.virtual)
    throw badRequest(`dryRun=${q.get('dryRun')}: dry runs are not modelled by the simulator; send the request without dryRun`);
  const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? await readBody(req) : undefined;
  if ((verb === 'create' || verb === 'update' || verb === 'patch') && !route.def.virtual && sub !== 'token' && !(req.headers['content-type'] ?? '').includes('json-patch')) {
    const mode = parseFieldValidation(q.get('fieldValidation'));
    const warnings = enforceFieldValidation(route.def, mode, dropUnknownFields(route.def, body));
    if (warnings.length) res.setHeader('Warning', warnings);
  }
  await dispatch(ctx, req, res, route, verb, body, user, q);
}

/**
 * What RBAC sees beyond the path, as the API server's request-info resolver does: a list or watch with a
 * `metadata.name=` field selector is for that name (so resourceNames rules apply), and a namespace is inside itself
 * (so a RoleBinding in it may grant get on it).
 */
function authorizedName(r: ResourceRoute, verb: string, q: URLSearchParams): { name?: string; namespace?: string } {
  const out: { name?: string; namespace?: string } = {};
  if ((verb === 'list' || verb === 'watch') && r.name === undefined) {
    const byName = (q.get('fieldSelector') ?? '').split(',').map((s) => /^metadata\.name==?(.+)$/.exec(s.trim())?.[1]).find((n) => n !== undefined);
    if (byName !== undefined) out.name = byName;
  }
  if (r.def.resource === 'namespaces' && r.name !== undefined) out.namespace = r.name;
  return out;
}

function pick(r: ResourceRoute): { subresource?: string; namespace?: string; name?: string } {
  return {
    ...(r.subresource !== undefined ? { subresource: r.subresource } : {}),
    ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
    ...(r.name !== undefined ? { name: r.name } : {}),
  };
}

async function dispatch(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  r: ResourceRoute,
  verb: string,
  body: unknown,
  user: UserInfo,
  q: URLSearchParams,
): Promise<void> {
  const { def, namespace: ns, subresource: sub } = r;
  const name = r.name ?? '';
  switch (verb) {
    case 'get': {
      const obj = ctx.objects.get(def, ns, name);
      return sendJson(res, 200, wantsTable(req.headers.accept, def) ? toTable(def, [obj], obj.metadata.resourceVersion ?? '') : obj);
    }
    case 'list':
    case 'deletecollection': {
      const labels = parseLabelSelector(q.get('labelSelector'));
      const fields = parseFieldSelector(q.get('fieldSelector'), def.resource);
      const items = ctx.store.list(def, ns).filter((o) => labels(o) && fields(o));
      if (verb === 'deletecollection') for (const o of items) ctx.objects.deleteRequest(def, o.metadata.namespace, o.metadata.name ?? '', parseDeleteRequest(q, body));
      if (verb === 'list' && wantsTable(req.headers.accept, def)) return sendJson(res, 200, toTable(def, items, ctx.store.resourceVersion));
      return sendJson(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: ctx.store.resourceVersion }, items });
    }
    case 'watch': {
      const fieldSelector = [q.get('fieldSelector'), r.name !== undefined ? `metadata.name=${r.name}` : null].filter(Boolean).join(',');
      const timeout = q.get('timeoutSeconds');
      const rv = q.get('resourceVersion') ?? '';
      const explicit = q.get('sendInitialEvents') === 'true';
      if (explicit && (q.get('resourceVersionMatch') !== 'NotOlderThan' || q.get('allowWatchBookmarks') !== 'true'))
        throw invalid('ListOptions', '', 'sendInitialEvents', 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and allowWatchBookmarks to true');
      // With WatchList on (v1.34), a legacy watch ("" or "0", neither sendInitialEvents nor resourceVersionMatch) is defaulted to a watch-list.
      const legacy = !q.has('sendInitialEvents') && !q.has('resourceVersionMatch') && (rv === '' || rv === '0');
      const initialEvents = explicit || legacy;
      return serveWatch(
        res,
        ctx.store,
        {
          def,
          ...(ns !== undefined ? { namespace: ns } : {}),
          labels: parseLabelSelector(q.get('labelSelector')),
          fields: parseFieldSelector(fieldSelector || null, def.resource),
          resourceVersion: rv,
          bookmarks: q.get('allowWatchBookmarks') === 'true',
          ...(initialEvents ? { initialEvents: true } : {}),
          ...(timeout && /^\d+$/.test(timeout) ? { timeoutSeconds: Number(timeout) } : {}),
        },
        ctx.watchSettings,
        ctx.watches,
      );
    }
    case 'create':
      if (def.virtual) return sendJson(res, 201, ctx.reviews.create(def, body, user));
      if (sub === 'token') return sendJson(res, 201, ctx.tokens.handleTokenRequest(ns ?? '', name, body));
      return sendJson(res, 201, ctx.objects.create(def, body, ns, { user }));
    case 'update':
      if (sub === 'status') return sendJson(res, 200, ctx.objects.updateStatus(def, ns, name, body));
      if (sub === 'approval') return sendJson(res, 200, ctx.objects.approve(def, name, body, user));
      return sendJson(res, 200, ctx.objects.update(def, ns, name, body, user));
    case 'patch':
      return sendJson(res, 200, ctx.objects.patch(def, ns, name, sub, req.headers['content-type'] ?? '', body, user));
    case 'delete': {
      const gone = ctx.objects.deleteRequest(def, ns, name, parseDeleteRequest(q, body));
      // A graceful delete answers with the marked object; a done one as the API server does per resource.
      return sendJson(res, 200, DELETE_RETURNS_OBJECT.has(def.resource) || gone.metadata.deletionTimestamp ? gone : successStatus(def.resource, def.group, name, gone.metadata.uid));
    }
    default:
      throw methodNotAllowed();
  }
}
