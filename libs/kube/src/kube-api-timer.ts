import { Histogram, type Registry } from 'prom-client';

/** Times Kubernetes API calls that serve a request (cache-miss reads, TokenReviews). */
export type KubeApiTimer = <T>(operation: string, call: () => Promise<T>) => Promise<T>;

/** Records `podid_k8s_api_request_seconds{operation,result}`; without a registry it only runs the call. */
export function createKubeApiTimer(registry?: Registry): KubeApiTimer {
  if (!registry) return (_operation, call) => call();
  const seconds = new Histogram({
    name: 'podid_k8s_api_request_seconds',
    help: 'Latency of Kubernetes API calls made while serving a request, by operation and result.',
    labelNames: ['operation', 'result'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return async (operation, call) => {
    const end = seconds.startTimer({ operation });
    try {
      const out = await call();
      end({ result: 'ok' });
      return out;
    } catch (e) {
      end({ result: 'error' });
      throw e;
    }
  };
}
