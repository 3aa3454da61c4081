import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteClass } from './http-status';

/** What a route handler gets. `params` are raw (still URL-encoded) path segments. */
export interface RouteRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly requestId: string;
  /** TCP peer address (never a forwarded header). */
  readonly clientIp: string;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** Path segments; `:name` captures one segment. */
  readonly path: readonly string[];
  /** Metric label, e.g. `authn-k8s/authenticate`. */
  readonly name: string;
  readonly class: RouteClass;
  handle(r: RouteRequest): Promise<void>;
}

export type RouteMatch = { kind: 'found'; route: Route; params: Record<string, string> } | { kind: 'method'; allow: string[] } | { kind: 'none' };

/** Longest path accepted; Conjur logins are far shorter. */
export const MAX_PATH_LENGTH = 8192;

/** Matches a raw path (no query) against the routes; segments are compared before decoding. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const segments = path.split('/').slice(1);
  const allow = new Set<string>();
  for (const route of routes) {
    if (route.path.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = route.path.every((p, i) => {
      const s = segments[i]!;
      if (p.startsWith(':')) {
        params[p.slice(1)] = s;
        return s.length > 0;
      }
      return p === s;
    });
    if (!ok) continue;
    if (route.method === method) return { kind: 'found', route, params };
    allow.add(route.method);
  }
  return allow.size > 0 ? { kind: 'method', allow: [...allow] } : { kind: 'none' };
}
