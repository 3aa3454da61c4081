import type { Authenticator } from './authn';
import type { ObjectApi } from './objects';
import type { PodFs } from './pod-fs';
import type { RbacAuthorizer, RequestAttributes } from './rbac';
import type { Reviews } from './reviews';
import type { ObjectStore } from './store';
import type { ServiceAccountTokens } from './token-request';
import type { TokenSigner } from './tokens';
import type { AccessLogEntry, LogFn, UserInfo } from './types';
import type { WatchRegistry, WatchSettings } from './watch';

/** What the request handlers share; built once by startSimulator. */
export interface SimContext {
  store: ObjectStore;
  objects: ObjectApi;
  authn: Authenticator;
  rbac: RbacAuthorizer;
  reviews: Reviews;
  tokens: ServiceAccountTokens;
  signer: TokenSigner;
  podFs: PodFs;
  accessLog: AccessLogEntry[];
  log: LogFn;
  watches: WatchRegistry;
  watchSettings: WatchSettings;
  /** https://host:port, known once the server listens. */
  url: () => string;
}

/** Longest access log kept; older entries are dropped first. */
const MAX_ACCESS_LOG = 10_000;

/** Authorizes with RBAC and records the decision in the access log. */
export function authorizeAndRecord(ctx: SimContext, user: UserInfo, a: RequestAttributes, allowed = ctx.rbac.authorize(user, a)): boolean {
  const entry: AccessLogEntry = { user: user.username, groups: [...user.groups], verb: a.verb, apiGroup: a.apiGroup, resource: a.resource, allowed };
  if (a.subresource !== undefined) entry.subresource = a.subresource;
  if (a.namespace !== undefined) entry.namespace = a.namespace;
  if (a.name !== undefined) entry.name = a.name;
  ctx.accessLog.push(entry);
  if (ctx.accessLog.length > MAX_ACCESS_LOG) ctx.accessLog.splice(0, ctx.accessLog.length - MAX_ACCESS_LOG);
  return allowed;
}
