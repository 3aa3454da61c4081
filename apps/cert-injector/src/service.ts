import { CertInjectorService } from '@podid/contracts';
import { service } from '@podid/grpc';
import type { CertInjector } from './cert-injector';

/** The authn.v1.CertInjector registration: only the gateway injects; proto types stop here. */
export function certInjectorService(injector: CertInjector) {
  return service({
    name: 'authn.v1.CertInjector',
    definition: CertInjectorService,
    allow: { inject: ['gateway'] },
    handlers: {
      async inject(req, ctx) {
        const res = await injector.inject(
          { namespace: req.namespace, pod: req.pod, container: req.container, certificatePem: req.certificatePem, podUid: req.podUid || undefined, cluster: req.cluster },
          ctx.signal,
        );
        return { path: res.path, durationMs: res.durationMs };
      },
    },
  });
}
