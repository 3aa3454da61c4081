import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body';
import { authorizeAndRecord, type SimContext } from './context';
import { VERSION_INFO, discoveryDocument } from './discovery';
import { apiVersionOf } from './resources';
import { parseResourcePath, verbOf, type ResourceRoute } from './router';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { StatusError, forbidden, methodNotAllowed, successStatus, unauthorized } from './status';
import type { UserInfo } from './types';
import { serveWatch } from './watch';

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

  const user = ctx.authn.authenticateRequest(req);
  if (!user) throw unauthorized();
  if (method === 'GET') {
    const doc = discoveryDocument(path, new URL(ctx.url()).host);
    if (doc) return sendJson(res, 200, doc);
  }
  const route = parseResourcePath(path);
  if (!route) throw notServed();
  if (route.subresource === 'exec') throw new StatusError(400, 'BadRequest', 'Upgrade request required');
  const q = url.searchParams;
  const watch = q.get('watch') === 'true' || q.get('watch') === '1';
  const verb = verbOf(method, route, watch);
  const sub = route.subresource;
  const allowed = sub === undefined ? [...route.def.verbs, ...(route.def.virtual ? [] : ['deletecollection'])] : sub === 'token' ? ['create'] : ['get', 'update', 'patch'];
  if (!verb || !allowed.includes(verb)) throw methodNotAllowed();
  if (route.def.namespaced && route.namespace === undefined && verb !== 'list' && verb !== 'watch') throw notServed();

  const attrs = { verb, apiGroup: route.def.group, resource: route.def.resource, ...pick(route) };
  if (!authorizeAndRecord(ctx, user, attrs)) throw forbidden({ ...attrs, user: user.username });
  const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? await readBody(req) : undefined;
  await dispatch(ctx, req, res, route, verb, body, user, q);
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
    case 'get':
      return sendJson(res, 200, ctx.objects.get(def, ns, name));
    case 'list':
    case 'deletecollection': {
      const labels = parseLabelSelector(q.get('labelSelector'));
      const fields = parseFieldSelector(q.get('fieldSelector'), def.resource);
      const items = ctx.store.list(def, ns).filter((o) => labels(o) && fields(o));
      if (verb === 'deletecollection') for (const o of items) ctx.objects.delete(def, o.metadata.namespace, o.metadata.name ?? '');
      return sendJson(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: ctx.store.resourceVersion }, items });
    }
    case 'watch': {
      const fieldSelector = [q.get('fieldSelector'), r.name !== undefined ? `metadata.name=${r.name}` : null].filter(Boolean).join(',');
      const timeout = q.get('timeoutSeconds');
      return serveWatch(
        res,
        ctx.store,
        {
          def,
          ...(ns !== undefined ? { namespace: ns } : {}),
          labels: parseLabelSelector(q.get('labelSelector')),
          fields: parseFieldSelector(fieldSelector || null, def.resource),
          resourceVersion: q.get('resourceVersion') ?? '',
          bookmarks: q.get('allowWatchBookmarks') === 'true',
          ...(timeout && /^\d+$/.test(timeout) ? { timeoutSeconds: Number(timeout) } : {}),
        },
        ctx.bookmarkIntervalMs,
        ctx.watches,
      );
    }
    case 'create':
      if (def.virtual) return sendJson(res, 201, ctx.reviews.create(def, body, user));
      if (sub === 'token') return sendJson(res, 201, ctx.tokens.handleTokenRequest(ns ?? '', name, body));
      return sendJson(res, 201, ctx.objects.create(def, body, ns, { user }));
    case 'update':
      if (sub === 'status') return sendJson(res, 200, ctx.objects.updateStatus(def, ns, name, body));
      if (sub === 'approval') return sendJson(res, 200, ctx.objects.approve(def, name, body));
      return sendJson(res, 200, ctx.objects.update(def, ns, name, body));
    case 'patch':
      return sendJson(res, 200, ctx.objects.patch(def, ns, name, sub, req.headers['content-type'] ?? '', body));
    case 'delete': {
      const opts = (body ?? {}) as { propagationPolicy?: unknown; orphanDependents?: unknown };
      const orphan = q.get('orphanDependents') === 'true' || opts.orphanDependents === true;
      const policy = orphan ? 'Orphan' : String(q.get('propagationPolicy') ?? opts.propagationPolicy ?? 'Background');
      const gone = ctx.objects.delete(def, ns, name, policy);
      return sendJson(res, 200, DELETE_RETURNS_OBJECT.has(def.resource) ? gone : successStatus(def.resource, def.group, name, gone.metadata.uid));
    }
    default:
      throw methodNotAllowed();
  }
}
