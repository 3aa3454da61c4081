import { TokenIssuerService } from '@podid/contracts';
import { loadConfigOrExit, readTlsFiles } from '@podid/config';
import { createServiceClient, startGrpcServer } from '@podid/grpc';
import { createKubeApiTimer, InformerPodDirectory, KubeStatusProbe, KubeTokenReviewer, loadKubeConfig, OidcTokenReviewer, readKubeClientCert, watchCredentialExpiry } from '@podid/kube';
import { createLogger } from '@podid/logging';
import { createMetricsRegistry, runMain, startOpsServer } from '@podid/runtime';
import { podVerifierFields } from './config';
import { podVerifierService } from './pod-verifier-service';
import { reconcileRevocations } from './reconcile-revocations';
import { revokeOnPodDeleted } from './revoke-on-pod-deleted';

const cfg = loadConfigOrExit('pod-verifier', podVerifierFields);
const log = createLogger({ service: 'pod-verifier', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    const { kc, source } = loadKubeConfig(cfg.kubeconfig);
    const registry = createMetricsRegistry();
    const apiTimer = createKubeApiTimer(registry);
    const pods = new InformerPodDirectory({ kc, log, namespaces: cfg.watchNamespaces, apiTimer });
    pods.start();
    const reviewer = cfg.saTokenIssuer ? new OidcTokenReviewer({ kc, issuer: cfg.saTokenIssuer, log }) : new KubeTokenReviewer(kc, log, Date.now, apiTimer);
    const issuer = cfg.tokenIssuerAddr
      ? createServiceClient(TokenIssuerService, { address: cfg.tokenIssuerAddr, tls, expectService: 'token-issuer', deadlineMs: 5000 })
      : undefined;
    const tokens = issuer && {
      revoke: async (podUid: string) => void (await issuer.revoke({ target: { $case: 'podUid', value: podUid }, expiresAt: 0 })),
      listLive: async () => (await issuer.listLivePods({})).pods,
    };
    const stopRevoking = tokens ? revokeOnPodDeleted({ pods, log, revoke: tokens.revoke }) : () => undefined;
    const stopReconciling = tokens ? reconcileRevocations({ cache: pods, log, ...tokens }) : () => undefined;
    const probe = new KubeStatusProbe({ kc, source });
    const status = { status: () => probe.status(), synced: () => pods.synced };
    const grpc = await startGrpcServer({ host: cfg.grpcHost, port: cfg.grpcPort, tls, log, registry, services: [podVerifierService({ pods, cache: pods, reviewer, status })] });
    const ops = await startOpsServer({ host: cfg.opsHost, port: cfg.opsPort, ready: () => pods.synced, registry });
    const expiry = watchCredentialExpiry({ read: () => readKubeClientCert(kc), log, warnDays: cfg.certWarnDays, registry: ops.registry });
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
        expiry.stop();
        stopRevoking();
        stopReconciling();
        issuer?.close();
        await pods.stop();
      },
    };
  },
});
