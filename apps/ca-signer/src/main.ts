import { PolicyService } from '@podid/contracts';
import { readTlsFiles } from '@podid/config';
import { createServiceClient } from '@podid/grpc';
import { createLogger } from '@podid/logging';
import { createMetricsRegistry, runMain, serveGrpc } from '@podid/runtime';
import { caExpiryGauge } from './ca-metrics';
import { CaRegistry } from './ca-registry';
import { caStoreFromConfig } from './ca-store-from-config';
import { readConfig } from './config';
import { PolicyAuthenticators } from './policy-authenticators';
import { caSignerService } from './service';

const cfg = readConfig();
const log = createLogger({ service: 'ca-signer', level: cfg.logLevel });
const now = () => new Date();

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    const store = caStoreFromConfig(cfg, log, now);
    const registry = createMetricsRegistry();
    const policy = createServiceClient(PolicyService, { address: cfg.policyAddr, tls, expectService: 'policy', deadlineMs: 2000 });
    const authenticators = new PolicyAuthenticators({ listAuthenticators: () => policy.listAuthenticators({}), log });
    const cas = new CaRegistry({ store, cacheTtlMs: cfg.caCacheTtlMs, now, log, admit: async (id) => void (await authenticators.require(id)), onLoaded: caExpiryGauge(registry) });
    const serving = await serveGrpc({ cfg, tls, log, registry, services: [caSignerService({ registry: cas, scope: (id) => authenticators.require(id), trustDomain: cfg.trustDomain, now })], ready: () => true });
    return {
      stop: async () => {
        await serving.stop();
        policy.close();
      },
    };
  },
});
