import { TokenIssuerService } from '@podid/contracts';
import type { TlsMaterial } from '@podid/config';
import { createServiceClient } from '@podid/grpc';
import type { InformerPodDirectory } from '@podid/kube';
import type { Logger } from '@podid/logging';
import { reconcileRevocations } from './reconcile-revocations';
import { revokeOnPodDeleted } from './revoke-on-pod-deleted';

/**
 * Revokes, at token-issuer, the tokens of one cluster's pods that are gone: on
 * each delete event, and by reconciling the pods holding tokens in that
 * cluster with its informer's list. Returns a function that stops both and
 * closes the client.
 */
export function revokeTokensOfGonePods(opts: { address: string; tls: TlsMaterial; pods: InformerPodDirectory; log: Logger; cluster: string }): () => void {
  const issuer = createServiceClient(TokenIssuerService, { address: opts.address, tls: opts.tls, expectService: 'token-issuer', deadlineMs: 5000 });
  const revoke = async (podUid: string) => void (await issuer.revoke({ target: { $case: 'podUid', value: podUid }, expiresAt: 0 }));
  // token-issuer lists only this cluster's pods; the filter keeps another cluster's pods from ever looking absent here.
  const listLive = async () => (await issuer.listLivePods({ cluster: opts.cluster })).pods.filter((p) => p.cluster === opts.cluster);
  const stopRevoking = revokeOnPodDeleted({ pods: opts.pods, log: opts.log, revoke });
  const stopReconciling = reconcileRevocations({ cache: opts.pods, log: opts.log, revoke, listLive });
  return () => {
    stopRevoking();
    stopReconciling();
    issuer.close();
  };
}
