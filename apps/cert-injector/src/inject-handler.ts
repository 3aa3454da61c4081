import type { InjectRequest, InjectResponse } from '@podid/contracts';
import type { CallContext } from '@podid/grpc';
import type { CertInjector } from './cert-injector';

/** Maps the Inject RPC to the injector and back; proto types stop here. */
export function injectHandler(injector: CertInjector) {
  return async (req: InjectRequest, ctx: CallContext): Promise<InjectResponse> => {
    const res = await injector.inject(
      { namespace: req.namespace, pod: req.pod, container: req.container, certificatePem: req.certificatePem, podUid: req.podUid || undefined },
      ctx.signal,
    );
    return { path: res.path, durationMs: res.durationMs };
  };
}
