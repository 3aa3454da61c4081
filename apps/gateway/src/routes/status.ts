import { AuthenticatorType } from '@podid/contracts';
import { authenticateCaller, requireGrant } from '../auth/caller';
import type { GatewayDeps } from '../gateway-deps';
import { sendJson } from '../http/respond';
import type { Route } from '../http/route';
import { decodePathParam } from '../protocol/path-param';

/** One self-check of an authenticator. A warning is ok (it does not fail status) but names a risk. */
export interface StatusCheck {
  name: string;
  ok: boolean;
  warning?: true;
  code?: string;
  hint?: string;
}

/**
 * GET /authn-k8s/{serviceId}/{account}/status: needs the `status` grant.
 * Checks the CA (present, not expiring), that policy is loaded and names the
 * authenticator, Redis (and that it persists), and the Kubernetes cluster of
 * the authenticator through pod-verifier's GetStatus (reachable, permissions
 * granted, client credential not expiring). Warnings alone answer 200 with status "warning".
 */
export function statusRoute(deps: GatewayDeps): Route {
  return {
    method: 'GET',
    path: ['authn-k8s', ':serviceId', ':account', 'status'],
    name: 'authn-k8s/status',
    class: 'api',
    async handle({ req, res, params }) {
      const serviceId = decodePathParam(params['serviceId']!, 'serviceId');
      decodePathParam(params['account']!, 'account');
      const caller = await authenticateCaller(deps, req);
      await requireGrant(deps, caller, 'status', serviceId);
      const checks = await statusChecks(deps, serviceId);
      deps.log.event('AUDIT_STATUS', { caller: caller.hostId, authenticator: `authn-k8s/${serviceId}`, ok: checks.every((c) => c.ok) });
      if (!checks.every((c) => c.ok)) return sendJson(res, 503, { status: 'error', checks });
      if (checks.some((c) => c.warning)) return sendJson(res, 200, { status: 'warning', checks });
      sendJson(res, 200, { status: 'ok' });
    },
  };
}

/** Every self-check of an authenticator, as the status endpoint and the platform API's GetStatus report them. */
export async function statusChecks(deps: GatewayDeps, serviceId: string): Promise<StatusCheck[]> {
  return (await Promise.all([checkCa(deps, serviceId), checkPolicy(deps, serviceId), checkRedis(deps), checkRedisPersistence(deps), checkKubernetes(deps, serviceId)])).flat();
}

/** A CA or client credential closer than this to its expiry fails the check, so that rotation happens in time. */
const EXPIRY_WARNING_MS = 30 * 86_400_000;

async function checkCa(deps: GatewayDeps, serviceId: string): Promise<StatusCheck> {
  try {
    const b = await deps.upstreams.caSigner.getBundle({ serviceId });
    const left = Number(b.notAfter) * 1000 - deps.now().getTime();
    if (left <= 0) return { name: 'ca', ok: false, code: 'CA_EXPIRED', hint: 'Rotate the authenticator CA in ca-signer (docs/operator-guide.md, Rotating keys).' };
    if (left < EXPIRY_WARNING_MS) {
      return { name: 'ca', ok: false, code: 'CA_EXPIRING', hint: `The authenticator CA expires in ${Math.floor(left / 86_400_000)} days; rotate it (docs/operator-guide.md).` };
    }
    return { name: 'ca', ok: true };
  } catch (e) {
    return { name: 'ca', ok: false, code: codeOf(e, 'CA_UNAVAILABLE'), hint: 'ca-signer must hold a CA for this authenticator (PODID_CA_DIR or its Secret).' };
  }
}

async function checkPolicy(deps: GatewayDeps, serviceId: string): Promise<StatusCheck> {
  try {
    const l = await deps.upstreams.policy.listAuthenticators({});
    if (l.enabled.includes(`authn-k8s/${serviceId}`)) return { name: 'policy', ok: true };
    return { name: 'policy', ok: false, code: 'AUTHENTICATOR_NOT_ENABLED', hint: `Add an enabled authn-k8s authenticator with id ${serviceId} to policy.` };
  } catch (e) {
    return { name: 'policy', ok: false, code: codeOf(e, 'POLICY_UNAVAILABLE'), hint: 'The policy service has no valid policy loaded or is down.' };
  }
}

async function checkRedis(deps: GatewayDeps): Promise<StatusCheck> {
  return (await deps.redisReady()) ? { name: 'redis', ok: true } : { name: 'redis', ok: false, code: 'REDIS_UNREACHABLE', hint: 'Check REDIS_URL and that Redis is up.' };
}

/** A Redis without AOF forgets every revocation when it restarts: revoked tokens would be valid again. */
async function checkRedisPersistence(deps: GatewayDeps): Promise<StatusCheck[]> {
  const aof = await deps.redisAofEnabled();
  // Unreachable: the redis check already fails.
  if (aof === undefined) return [];
  if (aof) return [{ name: 'redis-persistence', ok: true }];
  return [
    {
      name: 'redis-persistence',
      ok: true,
      warning: true,
      code: 'REDIS_NOT_PERSISTENT',
      hint: 'Redis runs without AOF: a restart forgets every revocation. Run it with appendonly yes on durable storage (docs/operator-guide.md, Redis).',
    },
  ];
}

/** The cluster policy gives the authn-k8s authenticator; '' (pod-verifier's only cluster) when policy does not answer or lacks it, which the policy check reports. */
async function clusterOf(deps: GatewayDeps, serviceId: string): Promise<string> {
  try {
    const l = await deps.upstreams.policy.listAuthenticators({});
    return l.authenticators.find((a) => a.type === AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S && a.id === serviceId)?.cluster ?? '';
  } catch {
    return '';
  }
}

/** The authenticator's cluster as pod-verifier sees it: reachable, every permission granted, its client credential not about to expire. */
async function checkKubernetes(deps: GatewayDeps, serviceId: string): Promise<StatusCheck[]> {
  let s;
  const cluster = await clusterOf(deps, serviceId);
  try {
    s = await deps.upstreams.podVerifier.getStatus({ cluster });
  } catch (e) {
    const code = codeOf(e, 'POD_VERIFIER_UNAVAILABLE');
    // K8S_UNAVAILABLE: pod-verifier answers, but has no working connection to this authenticator's cluster.
    const hint = code === 'K8S_UNAVAILABLE' ? `pod-verifier cannot reach cluster ${cluster || '(default)'}: check the clusters file and pod-verifier's CLUSTER_* logs.` : 'pod-verifier does not answer: check that it runs and its logs.';
    return [{ name: 'kubernetes', ok: false, code, hint }];
  }
  if (!s.reachable) {
    return [{ name: 'kubernetes', ok: false, code: 'KUBERNETES_UNREACHABLE', hint: `pod-verifier cannot reach the API server${cluster ? ` of cluster ${cluster}` : ''} (${s.error}); check its kubeconfig or in-cluster credentials.` }];
  }
  const checks: StatusCheck[] = [];
  const missing = s.permissions.filter((p) => !p.allowed).map((p) => `${p.verb} ${p.group ? `${p.group}/` : ''}${p.resource}${p.subresource ? `/${p.subresource}` : ''}`);
  checks.push(
    missing.length === 0
      ? { name: 'kubernetes-permissions', ok: true }
      : { name: 'kubernetes-permissions', ok: false, code: 'KUBERNETES_PERMISSION_MISSING', hint: `Grant pod-verifier: ${missing.join(', ')} (deploy/base/rbac.yaml).` },
  );
  const certLeft = Number(s.clientCertNotAfter) * 1000 - deps.now().getTime();
  if (Number(s.clientCertNotAfter) > 0 && certLeft < EXPIRY_WARNING_MS) {
    // Expiring still works: a warning (200), so probes do not take a working podid out; expired fails.
    checks.push({
      name: 'kubernetes-credential',
      ok: certLeft > 0,
      ...(certLeft > 0 ? { warning: true } : {}),
      code: certLeft <= 0 ? 'K8S_CLIENT_CERT_EXPIRED' : 'K8S_CLIENT_CERT_EXPIRING',
      hint: `podid's Kubernetes client certificate ${certLeft <= 0 ? 'has expired' : `expires in ${Math.floor(certLeft / 86_400_000)} days`}; renew it with: npm run podid -- k8s-credentials create`,
    });
  } else {
    checks.push({ name: 'kubernetes-credential', ok: true });
  }
  return checks;
}

function codeOf(e: unknown, fallback: string): string {
  return e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : fallback;
}
