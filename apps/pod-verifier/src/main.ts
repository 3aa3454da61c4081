import { TokenIssuerService } from '@podid/contracts';
import { loadConfigOrExit, readTlsFiles } from '@podid/config';
import { createServiceClient, startGrpcServer } from '@podid/grpc';
import { InformerPodDirectory, KubeTokenReviewer, loadKubeConfig, OidcTokenReviewer } from '@podid/kube';
import { createLogger } from '@podid/logging';
import { runMain, startOpsServer } from '@podid/runtime';
import { podVerifierFields } from './config';
import { podVerifierService } from './pod-verifier-service';
import { revokeOnPodDeleted } from './revoke-on-pod-deleted';

const cfg = loadConfigOrExit('pod-verifier', podVerifierFields);
const log = createLogger({ service: 'pod-verifier', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    const { kc, source } = loadKubeConfig(cfg.kubeconfig);
    const pods = new InformerPodDirectory({ kc, log, namespaces: cfg.watchNamespaces });
    pods.start();
    const reviewer = cfg.saTokenIssuer ? new OidcTokenReviewer({ kc, issuer: cfg.saTokenIssuer, log }) : new KubeTokenReviewer(kc, log);
    const issuer = cfg.tokenIssuerAddr
      ? createServiceClient(TokenIssuerService, { address: cfg.tokenIssuerAddr, tls, expectService: 'token-issuer', deadlineMs: 5000 })
      : undefined;
    const stopRevoking = issuer
      ? revokeOnPodDeleted({ pods, log, revoke: async (podUid) => void (await issuer.revoke({ target: { $case: 'podUid', value: podUid }, expiresAt: 0 })) })
      : () => undefined;
    const grpc = await startGrpcServer({ host: cfg.grpcHost, port: cfg.grpcPort, tls, log, services: [podVerifierService({ pods, reviewer })] });
    const ops = await startOpsServer({ host: cfg.opsHost, port: cfg.opsPort, ready: () => pods.synced });
    log.event('SERVICE_READY', {
      grpcPort: grpc.port,
      opsPort: ops.port,
      kubeCredentials: source,
      tokenReview: cfg.saTokenIssuer ? 'local-jwks' : 'tokenreview',
      watchNamespaces: cfg.watchNamespaces,
    });
    return {
      stop: async () => {
        await grpc.stop();
        await ops.close();
        stopRevoking();
        issuer?.close();
        await pods.stop();
      },
    };
  },
});
