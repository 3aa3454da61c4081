import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@podid/logging';
import { interpretTokenReview } from './interpret-token-review';
import { decodeSaTokenClaims } from './jwt-claims';
import { kubeStatusOf, toKubeError } from './kube-error';
import type { KubeApiTimer } from './kube-api-timer';
import type { ReviewedToken, TokenReviewer } from './token-reviewer';

/** TokenReviewer that asks the API server (TokenReview with spec.audiences). */
export class KubeTokenReviewer implements TokenReviewer {
  private readonly api: AuthenticationV1Api;

  constructor(
    kc: KubeConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly timer: KubeApiTimer = (_op, call) => call(),
  ) {
    this.api = kc.makeApiClient(AuthenticationV1Api);
  }

  async review(token: string, audience: string): Promise<ReviewedToken> {
    const claims = decodeSaTokenClaims(token);
    let status;
    try {
      const res = await this.timer('create tokenreviews', () =>
        this.api.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [audience] } } }),
      );
      status = res.status;
    } catch (err) {
      const typed = toKubeError(err, 'create', 'tokenreviews');
      this.log.event(typed.code === 'K8S_FORBIDDEN' ? 'K8S_FORBIDDEN' : 'K8S_UNAVAILABLE', { resource: 'tokenreviews', verb: 'create', status: kubeStatusOf(err) });
      throw typed;
    }
    return interpretTokenReview(status, claims, audience, Math.floor(this.now() / 1000));
  }
}
