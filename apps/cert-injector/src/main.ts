import { readTlsFiles } from '@podid/config';
import { createLogger } from '@podid/logging';
import { createMetricsRegistry, runMain, serveGrpc } from '@podid/runtime';
import { CertInjector } from './cert-injector';
import { startClusterServices } from './cluster-services';
import { defaultClusterDeclaration, readConfig } from './config';
import { ExecLimiter } from './exec-limiter';
import { registerInjectMetrics } from './inject-metrics';
import { certInjectorService } from './service';

const cfg = readConfig();
const log = createLogger({ service: 'cert-injector', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    const limiter = new ExecLimiter({ concurrency: cfg.execConcurrency, queue: cfg.execQueue });
    const registry = createMetricsRegistry();
    const observer = registerInjectMetrics(registry, () => limiter.stats());
    const { clusters, ready, readyFields } = await startClusterServices({
      file: cfg.clustersFile,
      fallback: defaultClusterDeclaration(cfg),
      defaultTrustDomain: cfg.trustDomain,
      pollMs: cfg.clustersPollMs,
      syncGraceMs: cfg.clusterSyncGraceMs,
      deps: { log, registry, certWarnDays: cfg.certWarnDays },
    });
    const injector = new CertInjector({ clusters: (name) => clusters.lookup(name), limiter, timeoutMs: cfg.execTimeoutMs, log, observer });
    const serving = await serveGrpc({ cfg, tls, log, registry, services: [certInjectorService(injector)], ready, readyFields });
    return {
      stop: async () => {
        await serving.stop();
        await clusters.stop();
      },
    };
  },
});
