import { loadConfigOrExit, readTlsFiles } from '@podid/config';
import { CertInjectorService } from '@podid/contracts';
import { service, startGrpcServer } from '@podid/grpc';
import { certWarnDaysField, loadKubeConfig, readKubeClientCert, watchCredentialExpiry } from '@podid/kube';
import { createLogger } from '@podid/logging';
import { createMetricsRegistry, runMain, startOpsServer } from '@podid/runtime';
import { CertInjector } from './cert-injector';
import { certInjectorFields } from './config';
import { ExecLimiter } from './exec-limiter';
import { injectHandler } from './inject-handler';
import { registerInjectMetrics } from './inject-metrics';
import { KubeContainerExec } from './kube-container-exec';
import { kubeReadiness } from './kube-readiness';

const cfg = loadConfigOrExit('cert-injector', { ...certInjectorFields, certWarnDays: certWarnDaysField });
const log = createLogger({ service: 'cert-injector', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    const { kc } = loadKubeConfig(cfg.kubeconfig);
    const limiter = new ExecLimiter({ concurrency: cfg.execConcurrency, queue: cfg.execQueue });
    const registry = createMetricsRegistry();
    const observer = registerInjectMetrics(registry, () => limiter.stats());
    const injector = new CertInjector({ exec: new KubeContainerExec(kc), limiter, timeoutMs: cfg.execTimeoutMs, trustDomain: cfg.trustDomain, log, observer });
    const grpc = await startGrpcServer({
      host: cfg.grpcHost,
      port: cfg.grpcPort,
      tls,
      log,
      registry,
      services: [
        service({
          name: 'authn.v1.CertInjector',
          definition: CertInjectorService,
          allow: { inject: ['gateway'] },
          handlers: { inject: injectHandler(injector) },
        }),
      ],
    });
    const expiry = watchCredentialExpiry({ read: () => readKubeClientCert(kc), log, warnDays: cfg.certWarnDays, registry });
    const ready = kubeReadiness(kc, log);
    const ops = await startOpsServer({ host: cfg.opsHost, port: cfg.opsPort, ready, registry });
    void ready();
    log.event('SERVICE_READY', { grpcPort: grpc.port, opsPort: ops.port });
    return {
      stop: async () => {
        await grpc.stop();
        await ops.close();
        expiry.stop();
      },
    };
  },
});
