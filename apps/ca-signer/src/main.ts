import { CaSignerService, PolicyService } from '@podid/contracts';
import { readTlsFiles } from '@podid/config';
import { createServiceClient, service, startGrpcServer } from '@podid/grpc';
import { createLogger } from '@podid/logging';
import { createMetricsRegistry, runMain, startOpsServer } from '@podid/runtime';
import { caExpiryGauge } from './ca-metrics';
import { CaRegistry } from './ca-registry';
import { caSignerHandlers } from './ca-signer-handlers';
import { loadCaSignerConfigOrExit } from './ca-signer-config';
import { caStoreFromConfig } from './ca-store-from-config';
import { PolicyAuthenticators } from './policy-authenticators';

const cfg = loadCaSignerConfigOrExit();
const log = createLogger({ service: 'ca-signer', level: cfg.logLevel });
const now = () => new Date();

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    const store = caStoreFromConfig(cfg, log, now);
    const metrics = createMetricsRegistry();
    const policy = createServiceClient(PolicyService, { address: cfg.policyAddr, tls, expectService: 'policy', deadlineMs: 2000 });
    const authenticators = new PolicyAuthenticators({ listAuthenticators: () => policy.listAuthenticators({}), log });
    const registry = new CaRegistry({ store, cacheTtlMs: cfg.caCacheTtlMs, now, log, admit: (id) => authenticators.require(id), onLoaded: caExpiryGauge(metrics) });
    const grpc = await startGrpcServer({
      host: cfg.grpcHost,
      port: cfg.grpcPort,
      tls,
      log,
      registry: metrics,
      services: [
        service({
          name: 'authn.v1.CaSigner',
          definition: CaSignerService,
          allow: { sign: ['gateway'], getBundle: ['gateway', 'cert-injector'] },
          handlers: caSignerHandlers({ registry, trustDomain: cfg.trustDomain, now }),
        }),
      ],
    });
    const ops = await startOpsServer({ host: cfg.opsHost, port: cfg.opsPort, ready: () => true, registry: metrics });
    log.event('SERVICE_READY', { grpcPort: grpc.port, opsPort: ops.port });
    return {
      stop: async () => {
        await grpc.stop();
        await ops.close();
        policy.close();
      },
    };
  },
});
