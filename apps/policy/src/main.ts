import { PolicyService } from '@podid/contracts';
import { readTlsFiles } from '@podid/config';
import { service, startGrpcServer } from '@podid/grpc';
import { createLogger } from '@podid/logging';
import { createMetricsRegistry, runMain, startOpsServer } from '@podid/runtime';
import { loadPolicyConfigOrExit } from './policy-config';
import { policyHandlers } from './policy-handlers';
import { PolicyStore } from './policy-store';
import { watchPolicy } from './watch-policy';

const cfg = loadPolicyConfigOrExit();
const log = createLogger({ service: 'policy', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    // An invalid policy throws here: runMain logs it and exits 1, so no service runs without a policy.
    const store = PolicyStore.load(cfg.policyPath, log);
    const watch = watchPolicy({ path: cfg.policyPath, debounceMs: cfg.reloadDebounceMs, pollMs: cfg.pollIntervalMs, log, onChange: () => store.reload() });
    const registry = createMetricsRegistry();
    const grpc = await startGrpcServer({
      host: cfg.grpcHost,
      port: cfg.grpcPort,
      tls,
      log,
      registry,
      services: [
        service({
          name: 'authn.v1.Policy',
          definition: PolicyService,
          allow: { resolve: ['gateway'], listAuthenticators: ['gateway', 'ca-signer'], authorize: ['gateway'] },
          handlers: policyHandlers({ current: () => store.current() }),
        }),
      ],
    });
    // Ready means a valid policy is in force; load() above guarantees it once we get here.
    const ops = await startOpsServer({ host: cfg.opsHost, port: cfg.opsPort, ready: () => store.current() !== undefined, registry });
    log.event('SERVICE_READY', { grpcPort: grpc.port, opsPort: ops.port });
    return {
      stop: async () => {
        watch.close();
        await grpc.stop();
        await ops.close();
      },
    };
  },
});
