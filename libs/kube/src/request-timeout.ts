import { Observable, type ConfigurationOptions, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

/**
 * Per-call options for a client-node API method (its last argument) that
 * abort the request after `timeoutMs`. The generated clients take no timeout
 * of their own; an AbortSignal on the request context is what their fetch
 * honours.
 */
export function requestTimeout(timeoutMs: number): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return new Observable(Promise.resolve(ctx));
        },
        post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}
