import type { Authenticator } from './authn';
import type { RbacAuthorizer } from './rbac';
import type { ResourceDef } from './resources';
import { badRequest } from './status';
import type { K8sObject, UserInfo } from './types';

type Dict = Record<string, unknown>;
const dict = (v: unknown): Dict => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Dict) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function envelope(d: ResourceDef, body: Dict, status: Dict): K8sObject {
  const apiVersion = `${d.group}/${d.version}`;
  return { kind: d.kind, apiVersion, metadata: { ...dict(body['metadata']) }, spec: dict(body['spec']), status };
}

function userInfoJson(u: UserInfo): Dict {
  return { username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}

/** Answers the create-only review resources (tokenreviews, (self)subjectaccessreviews, selfsubjectreviews). */
export class Reviews {
  constructor(
    private readonly authn: Authenticator,
    private readonly rbac: RbacAuthorizer,
  ) {}

  create(d: ResourceDef, body: unknown, requester: UserInfo): K8sObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`expected a ${d.kind} object`);
    const b = body as Dict;
    const spec = dict(b['spec']);
    switch (d.resource) {
      case 'tokenreviews': {
        const token = str(spec['token']);
        if (!token) throw badRequest('spec.token: Required value');
        const r = this.authn.reviewToken(token, strList(spec['audiences']));
        return envelope(d, b, 'user' in r ? { authenticated: true, user: userInfoJson(r.user), audiences: r.audiences } : { authenticated: false, user: {}, error: r.error });
      }
      case 'selfsubjectreviews':
        return envelope(d, b, { userInfo: userInfoJson(requester) });
      case 'selfsubjectaccessreviews':
        return envelope(d, b, this.access(requester, spec));
      case 'subjectaccessreviews': {
        const user: UserInfo = { username: str(spec['user']), groups: strList(spec['groups']) };
        if (!user.username && !user.groups.length) throw badRequest('spec.user or spec.groups: at least one is required');
        return envelope(d, b, this.access(user, spec));
      }
      default:
        throw badRequest(`unsupported review ${d.resource}`);
    }
  }

  private access(user: UserInfo, spec: Dict): Dict {
    const ra = spec['resourceAttributes'];
    const nra = spec['nonResourceAttributes'];
    if (ra !== undefined) {
      const a = dict(ra);
      const allowed = this.rbac.authorize(user, {
        verb: str(a['verb']),
        apiGroup: str(a['group']),
        resource: str(a['resource']),
        ...(str(a['subresource']) ? { subresource: str(a['subresource']) } : {}),
        ...(str(a['namespace']) ? { namespace: str(a['namespace']) } : {}),
        ...(str(a['name']) ? { name: str(a['name']) } : {}),
      });
      return allowed ? { allowed: true, reason: 'RBAC: allowed by the simulator\'s RBAC rules' } : { allowed: false };
    }
    if (nra !== undefined) {
      const a = dict(nra);
      return { allowed: this.rbac.authorizeNonResource(user, str(a['verb']), str(a['path'])) };
    }
    throw badRequest('exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
}
