import { readTlsFiles } from '@podid/config';
import { createLogger } from '@podid/logging';
import { createMetricsRegistry, runMain, serveGrpc } from '@podid/runtime';
import { readConfig } from './config';
import { PolicyStore } from './policy-store';
import { policyService } from './service';
import { watchPolicy } from './watch-policy';

const cfg = readConfig();
const log = createLogger({ service: 'policy', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    // An invalid policy throws here: runMain logs it and exits 1, so no service runs without a policy.
    const store = PolicyStore.load({ policyPath: cfg.policyPath, clustersFile: cfg.clustersFile, defaultTrustDomain: cfg.trustDomain }, log);
    const watch = watchPolicy({ path: cfg.policyPath, debounceMs: cfg.reloadDebounceMs, pollMs: cfg.pollIntervalMs, log, onChange: () => store.reload() });
    // The clusters file changes too (a cluster added or renamed); reload() reads both, so one watch each is enough.
    const clustersWatch = cfg.clustersFile ? watchPolicy({ path: cfg.clustersFile, debounceMs: cfg.reloadDebounceMs, pollMs: cfg.clustersPollMs, log, onChange: () => store.reload() }) : undefined;
    const serving = await serveGrpc({
      cfg,
      tls,
      log,
      registry: createMetricsRegistry(),
      services: [policyService({ current: () => store.current() })],
      // Ready means a valid policy is in force; load() above guarantees it once we get here.
      ready: () => store.current() !== undefined,
    });
    return {
      stop: async () => {
        watch.close();
        clustersWatch?.close();
        await serving.stop();
      },
    };
  },
});
