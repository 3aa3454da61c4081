import { AuthenticatorType, type ResolveResponse } from '@podid/contracts';
import type { platformV1 } from '@podid/contracts';
import { PodidError } from '@podid/errors';
import type { RevocationStore } from '@podid/redis-stores';
import { scopeOf, type AuthenticatorScope } from '../auth/authenticator-scope';
import type { GatewayDeps } from '../gateway-deps';
import { InvalidFieldError, requiredString } from './invalid-field';

type Check = platformV1.ExplainCheck;

/** How to fix a failed check, by stable code; the fallback names the check. */
const HINTS: Record<string, string> = {
  AUTHENTICATOR_NOT_FOUND: 'Add an authn-k8s authenticator with this id to policy (docs/policy.md).',
  AUTHENTICATOR_DISABLED: 'Set enabled: true on the authenticator in policy.',
  HOST_NOT_FOUND: 'Add the host to policy, or fix the host id the pod logs in as (its Host-Id-Prefix and CN).',
  HOST_NOT_PERMITTED: "List the authenticator in the host's authenticators in policy.",
  CONTAINER_MISMATCH: "Run the authenticator sidecar in the container policy names (authn-k8s/authentication-container-name), or change the host's annotation.",
  CONTAINER_NOT_FOUND: 'The pod has no container of the name policy gives; add the sidecar or fix the annotation.',
  POD_NOT_FOUND: 'The pod does not exist in pod-verifier\'s cache: check namespace and name (kubectl get pod -n <ns> <pod>).',
  POD_TERMINATING: 'The pod is being deleted; its replacement logs in on its own.',
  NAMESPACE_MISMATCH: "The pod's namespace is not the host's authn-k8s/namespace.",
  NAMESPACE_LABELS_MISMATCH: "The namespace's labels do not meet the host's namespace label selector.",
  SERVICE_ACCOUNT_MISMATCH: "The pod's service account is not the host's authn-k8s/service-account.",
  POD_NAME_MISMATCH: "The pod's name is not the host's authn-k8s/pod.",
  OWNER_MISMATCH: "The pod's owner (Deployment, StatefulSet, ...) is not the one the host names.",
  POD_LABELS_MISMATCH: "The pod's labels do not meet the host's label selector.",
  REVOKED: 'The host or this pod uid was revoked; the revocation lapses when the tokens it covers expire, or restart the pod (new uid) after fixing the cause.',
  CA_EXPIRED: 'Rotate the authenticator CA in ca-signer (docs/operator-guide.md).',
};

const hintOf = (code: string, check: string) => HINTS[code] ?? `The ${check} check failed with ${code}; see docs/troubleshooting.md.`;
const pass = (name: string, detail: string): Check => ({ name, outcome: 'pass', code: '', detail, hint: '' });
const fail = (name: string, code: string, detail: string): Check => ({ name, outcome: 'fail', code, detail, hint: hintOf(code, name) });
const skipped = (name: string): Check => ({ name, outcome: 'skipped', code: '', detail: 'an earlier check failed', hint: '' });

const ORDER = ['authenticator', 'host', 'container', 'pod', 'revocation', 'ca'] as const;

/**
 * Runs the checks of a certificate login (inject_client_cert, then
 * authenticate) for a named pod, in login order, without signing or
 * injecting: policy (authenticator, host, container), every pod check of
 * VerifyPod (`pod/<check>`, through PodVerifier.ExplainPod: existence, not
 * terminating, each restriction, the container), revocation of host and pod
 * uid, and the authenticator CA. A refused check is a `fail` with its stable
 * code and a hint; later stages are `skipped`. A dependency that does not
 * answer fails the RPC with UNAVAILABLE instead, so an outage never reads as
 * a policy answer.
 */
export async function explainLogin(deps: GatewayDeps, revocations: RevocationStore, req: platformV1.ExplainLoginRequest): Promise<platformV1.ExplainLoginResponse> {
  const serviceId = requiredString(req.authenticator, 'authenticator', 128);
  const hostId = requiredString(req.host, 'host', 1024).replace(/^host\//, '');
  if (!hostId) throw new InvalidFieldError('host', 'host/<id>', 'host/');
  const namespace = requiredString(req.namespace, 'namespace', 253);
  const podName = requiredString(req.pod, 'pod', 253);
  if (req.container.length > 253) throw new InvalidFieldError('container', '<=253 chars', String(req.container.length));
  const checks: Check[] = [];
  const done = (allowed: boolean, podUid = '') => {
    const ran = new Set(checks.map((c) => c.name.split('/')[0]));
    for (const name of ORDER) if (!ran.has(name)) checks.push(skipped(name));
    return { allowed, checks, podUid };
  };
  const refused = (e: unknown): e is PodidError => e instanceof PodidError && e.kind !== 'unavailable' && e.kind !== 'deadline_exceeded';

  let resolved: ResolveResponse;
  try {
    resolved = await deps.upstreams.policy.resolve({ serviceId, type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId });
  } catch (e) {
    if (!refused(e)) throw e;
    if (e.code.startsWith('AUTHENTICATOR_')) checks.push(fail('authenticator', e.code, e.message));
    else checks.push(pass('authenticator', `authn-k8s/${serviceId} is in policy`), fail('host', e.code, e.message));
    return done(false);
  }
  let scope: AuthenticatorScope;
  try {
    scope = scopeOf(resolved.authenticator, deps.trustDomain);
  } catch (e) {
    if (!refused(e)) throw e;
    checks.push(fail('authenticator', e.code, e.message));
    return done(false);
  }
  checks.push(pass('authenticator', `authn-k8s/${serviceId} is in policy and enabled, for cluster ${scope.cluster}`), pass('host', `host/${resolved.hostId || hostId} may log in with authn-k8s/${serviceId}`));
  if (req.container && req.container !== resolved.containerName) {
    checks.push(fail('container', 'CONTAINER_MISMATCH', `container: exp=${resolved.containerName} (from policy) got=${req.container}`));
    return done(false);
  }
  checks.push(pass('container', `the certificate goes into container ${resolved.containerName}`));
  // Every pod check, not only the first refusal: one answer shows all a pod must change.
  const pod = await deps.upstreams.podVerifier.explainPod({ namespace, pod: podName, restrictions: resolved.restrictions, containerName: resolved.containerName, cluster: scope.cluster });
  for (const c of pod.checks) checks.push(c.ok ? pass(`pod/${c.name}`, c.detail) : fail(`pod/${c.name}`, c.code, c.detail));
  if (!pod.uid || pod.checks.some((c) => !c.ok)) return done(false, pod.uid);
  const podUid = pod.uid;
  if (await revocations.isRevoked({ hostId: resolved.hostId || hostId, podUid, iat: Math.floor(deps.now().getTime() / 1000) })) {
    checks.push(fail('revocation', 'REVOKED', `host "${resolved.hostId || hostId}" or pod uid "${podUid}" is revoked`));
    return done(false, podUid);
  }
  checks.push(pass('revocation', 'neither the host nor the pod uid is revoked'));
  try {
    const b = await deps.upstreams.caSigner.getBundle({ serviceId });
    if (Number(b.notAfter) * 1000 <= deps.now().getTime()) {
      checks.push(fail('ca', 'CA_EXPIRED', `CA notAfter ${new Date(Number(b.notAfter) * 1000).toISOString()} is past`));
      return done(false, podUid);
    }
  } catch (e) {
    if (!refused(e)) throw e;
    checks.push(fail('ca', e.code, e.message));
    return done(false, podUid);
  }
  checks.push(pass('ca', `authn-k8s/${serviceId} has a valid CA`));
  return done(true, podUid);
}
