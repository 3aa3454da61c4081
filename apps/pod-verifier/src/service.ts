import { PodVerifierService, type Restrictions } from '@podid/contracts';
import { DependencyUnavailableError, InvalidArgumentError, PodidError } from '@podid/errors';
import { requireRange, requireString, service } from '@podid/grpc';
import type { ClusterLookup, KubeStatus, PodCache, PodDirectory, TokenReviewer } from '@podid/kube';
import { createHash } from 'node:crypto';
import type { PodCheckRequest, PodRestrictions } from './domain/pod-restrictions';
import { explainPod, verifyPod } from './domain/verify-pod';
import { gatherPodFacts } from './gather-pod-facts';
import { reviewToken } from './review-token';

/** Kubernetes names are at most 253 characters. */
const MAX_NAME = 253;
/** Projected tokens are about 1 KiB. */
const MAX_TOKEN = 16 * 1024;
/** One year: longer ages are a policy typo. */
const MAX_AGE_SECONDS = 365 * 86_400;

function toRestrictions(r: Restrictions | undefined): PodRestrictions {
  return {
    namespace: r?.namespace ?? '',
    namespaceLabelSelector: r?.namespaceLabelSelector ?? '',
    serviceAccount: r?.serviceAccount ?? '',
    pod: r?.pod ?? '',
    deployment: r?.deployment ?? '',
    statefulSet: r?.statefulSet ?? '',
    daemonSet: r?.daemonSet ?? '',
    job: r?.job ?? '',
    cronJob: r?.cronJob ?? '',
    podLabelSelector: r?.podLabelSelector ?? '',
  };
}

/** Cluster names are DNS labels (the clusters file checks them): anything else is no cluster, and is not echoed back. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The checked fields of a VerifyPod or ExplainPod request. */
function toPodCheck(req: { namespace: string; pod: string; restrictions?: Restrictions; containerName: string }, expectedUid: string | undefined): PodCheckRequest {
  return {
    namespace: requireString(req.namespace, 'namespace', MAX_NAME),
    pod: requireString(req.pod, 'pod', MAX_NAME),
    restrictions: toRestrictions(req.restrictions),
    containerName: requireString(req.containerName, 'container_name', MAX_NAME),
    expectedUid,
  };
}

/** A fingerprint to correlate log lines about a token without logging it. */
const tokenSha256 = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);

/** What GetStatus reports: the probe's view of Kubernetes, and whether the informers have synced. */
export interface StatusSource {
  status(): Promise<KubeStatus>;
  synced(): boolean;
}

/** What one cluster's requests are served from. */
export interface ClusterDeps {
  readonly pods: PodDirectory & PodCache;
  readonly reviewer: TokenReviewer;
  readonly status: StatusSource;
}

/**
 * The cluster a request names (or the only one), or K8S_UNAVAILABLE naming it: an unknown or unconnected cluster
 * fails only its own requests.
 */
function resolveCluster(clusters: (name: string | undefined) => ClusterLookup<ClusterDeps>, requested: string): { name: string; deps: ClusterDeps } {
  if (requested && !CLUSTER_NAME.test(requested)) throw new InvalidArgumentError('BAD_REQUEST', 'cluster: exp=a DNS label (lowercase a-z, 0-9, "-", at most 63)');
  const r = clusters(requested || undefined);
  if (!r.ok) throw new DependencyUnavailableError('K8S_UNAVAILABLE', r.reason);
  return { name: r.decl.name, deps: r.value };
}

/** Runs a cluster's call; its Kubernetes errors name the cluster, so an operator sees which API server failed. */
async function inCluster<T>(cluster: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof DependencyUnavailableError && !err.message.startsWith('cluster "')) throw new DependencyUnavailableError(err.code, `cluster "${cluster}": ${err.message}`);
    throw err;
  }
}

/** The authn.v1.PodVerifier registration: proto in, the named cluster's domain calls, proto out. */
export function podVerifierService(deps: { clusters: (name: string | undefined) => ClusterLookup<ClusterDeps>; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return service({
    name: 'authn.v1.PodVerifier',
    definition: PodVerifierService,
    allow: { verifyPod: ['gateway'], reviewToken: ['gateway'], getStatus: ['gateway'], checkPodLive: ['gateway'], explainPod: ['gateway'] },
    handlers: {
      async verifyPod(req, ctx) {
        const check = toPodCheck(req, req.expectedUid || undefined);
        const c = resolveCluster(deps.clusters, req.cluster);
        try {
          const verified = verifyPod(check, await inCluster(c.name, () => gatherPodFacts(c.deps.pods, check)));
          ctx.log.event('POD_VERIFIED', { cluster: c.name, namespace: check.namespace, pod: check.pod, pod_uid: verified.uid, container: check.containerName });
          return { uid: verified.uid, serviceAccount: verified.serviceAccount, podIp: verified.podIP };
        } catch (err) {
          if (err instanceof PodidError) ctx.log.event('POD_REFUSED', { cluster: c.name, namespace: check.namespace, pod: check.pod, code: err.code, reason: err.message });
          throw err;
        }
      },
      async explainPod(req, ctx) {
        const check = toPodCheck(req, undefined);
        const c = resolveCluster(deps.clusters, req.cluster);
        const r = explainPod(check, await inCluster(c.name, () => gatherPodFacts(c.deps.pods, check)));
        ctx.log.event('POD_EXPLAINED', { cluster: c.name, namespace: check.namespace, pod: check.pod, failed: r.checks.filter((c) => !c.ok).map((c) => c.code) });
        return { checks: r.checks, uid: r.uid };
      },
      async reviewToken(req, ctx) {
        const token = requireString(req.token, 'token', MAX_TOKEN);
        const audience = requireString(req.audience, 'audience', MAX_NAME);
        const maxTokenAgeSeconds = requireRange(req.maxTokenAgeSeconds, 'max_token_age_seconds', 0, MAX_AGE_SECONDS);
        const c = resolveCluster(deps.clusters, req.cluster);
        try {
          const r = await inCluster(c.name, () => reviewToken({ reviewer: c.deps.reviewer, pods: c.deps.pods, now }, { token, audience, maxTokenAgeSeconds }));
          ctx.log.event('SA_TOKEN_REVIEWED', { cluster: c.name, token_sha256: tokenSha256(token), namespace: r.namespace, pod: r.podName, pod_uid: r.podUid });
          return r;
        } catch (err) {
          if (err instanceof PodidError) ctx.log.event('SA_TOKEN_REFUSED', { cluster: c.name, token_sha256: tokenSha256(token), code: err.code, reason: err.message });
          throw err;
        }
      },
      async checkPodLive(req) {
        const namespace = requireString(req.namespace, 'namespace', MAX_NAME);
        const pod = requireString(req.pod, 'pod', MAX_NAME);
        const uid = requireString(req.podUid, 'pod_uid', MAX_NAME);
        const c = resolveCluster(deps.clusters, req.cluster);
        // Cache only: this runs on every token use. Unsynced, the cache cannot tell a dead pod from an unseen one.
        if (!c.deps.pods.podsSynced) throw new DependencyUnavailableError('K8S_UNAVAILABLE', `cluster "${c.name}": pod cache not synced yet`);
        return { live: c.deps.pods.hasPod(namespace, pod, uid) };
      },
      async getStatus(req) {
        const c = resolveCluster(deps.clusters, req.cluster);
        const s = await c.deps.status.status();
        return {
          reachable: s.reachable,
          error: s.error ?? '',
          permissions: s.permissions.map((p) => ({ verb: p.verb, group: p.group, resource: p.resource, subresource: p.subresource ?? '', allowed: p.allowed })),
          credentialSource: s.credentialSource,
          clientCertNotAfter: s.clientCertNotAfter ? Math.floor(s.clientCertNotAfter.getTime() / 1000) : 0,
          synced: c.deps.status.synced(),
        };
      },
    },
  });
}
