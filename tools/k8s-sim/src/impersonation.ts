import type { IncomingMessage } from 'node:http';
import { authorizeAndRecord, type SimContext } from './context';
import { badRequest, forbidden } from './status';
import type { UserInfo } from './types';

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

function headerList(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

/**
 * The API server's impersonation filter: `Impersonate-User`, `-Group`, `-Uid` and `-Extra-<key>` headers turn the
 * request into one by that identity, if the caller may `impersonate` each part (users, serviceaccounts, groups, uids,
 * userextras/<key>). Without the headers the caller is returned unchanged.
 */
export function impersonate(ctx: SimContext, req: IncomingMessage, caller: UserInfo): UserInfo {
  const user = headerList(req, 'impersonate-user')[0];
  const groups = headerList(req, 'impersonate-group');
  const uid = headerList(req, 'impersonate-uid')[0];
  const extraKeys = Object.keys(req.headers).filter((h) => h.startsWith(EXTRA_PREFIX));
  if (user === undefined) {
    if (groups.length || uid !== undefined || extraKeys.length) throw badRequest('Impersonate-Group, Impersonate-Uid and Impersonate-Extra-* need an Impersonate-User header');
    return caller;
  }
  const check = (attrs: { apiGroup: string; resource: string; name: string; namespace?: string; subresource?: string }) => {
    const a = { verb: 'impersonate', ...attrs };
    if (!authorizeAndRecord(ctx, caller, a)) throw forbidden({ ...a, user: caller.username });
  };
  const saParts = user.startsWith(SA_PREFIX) ? user.slice(SA_PREFIX.length).split(':') : undefined;
  if (saParts?.length === 2 && saParts[0] && saParts[1]) check({ apiGroup: '', resource: 'serviceaccounts', namespace: saParts[0], name: saParts[1] });
  else check({ apiGroup: '', resource: 'users', name: user });
  for (const g of groups) check({ apiGroup: '', resource: 'groups', name: g });
  if (uid !== undefined) check({ apiGroup: 'authentication.k8s.io', resource: 'uids', name: uid });
  const extra: Record<string, string[]> = {};
  for (const h of extraKeys) {
    const key = decodeURIComponent(h.slice(EXTRA_PREFIX.length));
    const values = headerList(req, h);
    for (const v of values) check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v });
    extra[key] = values;
  }
  const finalGroups = [...groups];
  if (saParts && !groups.length) finalGroups.push('system:serviceaccounts', `system:serviceaccounts:${saParts[0] ?? ''}`);
  if (user !== 'system:anonymous' && !finalGroups.includes('system:authenticated')) finalGroups.push('system:authenticated');
  return { username: user, groups: finalGroups, ...(uid !== undefined ? { uid } : {}), ...(extraKeys.length ? { extra } : {}) };
}
