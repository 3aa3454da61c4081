import { DEFAULT_CLUSTER } from '@podid/policy-model';
import { Histogram, type Registry } from 'prom-client';

/** Times Kubernetes API calls that serve a request (cache-miss reads, TokenReviews). */
export type KubeApiTimer = <T>(operation: string, call: () => Promise<T>) => Promise<T>;

export const KUBE_API_REQUEST_METRIC = 'podid_k8s_api_request_seconds';

/** One histogram per registry, shared by the timers of every cluster. */
const histograms = new WeakMap<Registry, Histogram<'cluster' | 'operation' | 'result'>>();

function histogramOf(registry: Registry): Histogram<'cluster' | 'operation' | 'result'> {
  let h = histograms.get(registry);
  if (!h) {
    h = new Histogram({
      name: KUBE_API_REQUEST_METRIC,
      help: 'Latency of Kubernetes API calls made while serving a request, by cluster, operation and result.',
      labelNames: ['cluster', 'operation', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    histograms.set(registry, h);
  }
  return h;
}

/** Records `podid_k8s_api_request_seconds{cluster,operation,result}`; without a registry it only runs the call. */
export function createKubeApiTimer(registry?: Registry, cluster: string = DEFAULT_CLUSTER): KubeApiTimer {
  if (!registry) return (_operation, call) => call();
  const seconds = histogramOf(registry);
  return async (operation, call) => {
    const end = seconds.startTimer({ cluster, operation });
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
