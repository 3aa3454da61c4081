import { PodVerifierService, type Restrictions } from '@podid/contracts';
import { DependencyUnavailableError, PodidError } from '@podid/errors';
import { requireRange, requireString, service } from '@podid/grpc';
import type { KubeStatus, PodCache, PodDirectory, TokenReviewer } from '@podid/kube';
import { createHash } from 'node:crypto';
import type { PodRestrictions } from './domain/pod-restrictions';
import { verifyPod } from './domain/verify-pod';
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

/** A fingerprint to correlate log lines about a token without logging it. */
const tokenSha256 = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);

/** What GetStatus reports: the probe's view of Kubernetes, and whether the informers have synced. */
export interface StatusSource {
  status(): Promise<KubeStatus>;
  synced(): boolean;
}

/** The authn.v1.PodVerifier registration: proto in, domain calls, proto out. */
export function podVerifierService(deps: { pods: PodDirectory; cache: PodCache; reviewer: TokenReviewer; status: StatusSource; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return service({
    name: 'authn.v1.PodVerifier',
    definition: PodVerifierService,
    allow: { verifyPod: ['gateway'], reviewToken: ['gateway'], getStatus: ['gateway'], checkPodLive: ['gateway'] },
    handlers: {
      async verifyPod(req, ctx) {
        const check = {
          namespace: requireString(req.namespace, 'namespace', MAX_NAME),
          pod: requireString(req.pod, 'pod', MAX_NAME),
          restrictions: toRestrictions(req.restrictions),
          containerName: requireString(req.containerName, 'container_name', MAX_NAME),
          expectedUid: req.expectedUid || undefined,
        };
        try {
          const verified = verifyPod(check, await gatherPodFacts(deps.pods, check));
          ctx.log.event('POD_VERIFIED', { namespace: check.namespace, pod: check.pod, pod_uid: verified.uid, container: check.containerName });
          return { uid: verified.uid, serviceAccount: verified.serviceAccount, podIp: verified.podIP };
        } catch (err) {
          if (err instanceof PodidError) ctx.log.event('POD_REFUSED', { namespace: check.namespace, pod: check.pod, code: err.code, reason: err.message });
          throw err;
        }
      },
      async reviewToken(req, ctx) {
        const token = requireString(req.token, 'token', MAX_TOKEN);
        const audience = requireString(req.audience, 'audience', MAX_NAME);
        const maxTokenAgeSeconds = requireRange(req.maxTokenAgeSeconds, 'max_token_age_seconds', 0, MAX_AGE_SECONDS);
        try {
          const r = await reviewToken({ reviewer: deps.reviewer, pods: deps.pods, now }, { token, audience, maxTokenAgeSeconds });
          ctx.log.event('SA_TOKEN_REVIEWED', { token_sha256: tokenSha256(token), namespace: r.namespace, pod: r.podName, pod_uid: r.podUid });
          return r;
        } catch (err) {
          if (err instanceof PodidError) ctx.log.event('SA_TOKEN_REFUSED', { token_sha256: tokenSha256(token), code: err.code, reason: err.message });
          throw err;
        }
      },
      async checkPodLive(req) {
        const namespace = requireString(req.namespace, 'namespace', MAX_NAME);
        const pod = requireString(req.pod, 'pod', MAX_NAME);
        const uid = requireString(req.podUid, 'pod_uid', MAX_NAME);
        // Cache only: this runs on every token use. Unsynced, the cache cannot tell a dead pod from an unseen one.
        if (!deps.cache.podsSynced) throw new DependencyUnavailableError('K8S_UNAVAILABLE', 'pod cache not synced yet');
        return { live: deps.cache.hasPod(namespace, pod, uid) };
      },
      async getStatus() {
        const s = await deps.status.status();
        return {
          reachable: s.reachable,
          error: s.error ?? '',
          permissions: s.permissions.map((p) => ({ verb: p.verb, group: p.group, resource: p.resource, subresource: p.subresource ?? '', allowed: p.allowed })),
          credentialSource: s.credentialSource,
          clientCertNotAfter: s.clientCertNotAfter ? Math.floor(s.clientCertNotAfter.getTime() / 1000) : 0,
          synced: deps.status.synced(),
        };
      },
    },
  });
}
