import { readTlsFiles } from '@podid/config';
import { createLogger } from '@podid/logging';
import { createMetricsRegistry, runMain, serveGrpc } from '@podid/runtime';
import { startClusterServices } from './cluster-services';
import { defaultClusterDeclaration, readConfig, refuseClusterConfigConflicts } from './config';
import { podVerifierService } from './service';

const cfg = readConfig();
const log = createLogger({ service: 'pod-verifier', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    refuseClusterConfigConflicts(cfg);
    const tls = readTlsFiles(cfg);
    const registry = createMetricsRegistry();
    const { clusters, ready, readyFields } = await startClusterServices({
      file: cfg.clustersFile,
      fallback: defaultClusterDeclaration(cfg),
      defaultTrustDomain: cfg.trustDomain,
      pollMs: cfg.clustersPollMs,
      syncGraceMs: cfg.clusterSyncGraceMs,
      deps: { log, registry, tls, watchNamespaces: cfg.watchNamespaces, certWarnDays: cfg.certWarnDays, saTokenIssuer: cfg.saTokenIssuer, tokenIssuerAddr: cfg.tokenIssuerAddr },
    });
    const services = [podVerifierService({ clusters: (name) => clusters.lookup(name) })];
    const token_review = cfg.saTokenIssuer ? 'local-jwks' : 'tokenreview';
    const serving = await serveGrpc({ cfg, tls, log, registry, services, ready, readyFields: { ...readyFields, token_review, watch_namespaces: cfg.watchNamespaces } });
    return {
      stop: async () => {
        await serving.stop();
        await clusters.stop();
      },
    };
  },
});
