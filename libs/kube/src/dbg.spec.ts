import { AuthorizationV1Api, VersionApi } from '@kubernetes/client-node';
import { requestTimeout } from './request-timeout';
import { startSimCluster } from './sim-cluster.fixture';
it('dbg', async () => {
  const c = await startSimCluster();
  const a = c.kc.makeApiClient(AuthorizationV1Api);
  try { console.log(await c.kc.makeApiClient(VersionApi).getCode(requestTimeout(1000))); } catch (e) { console.log('V', e); }
  try { console.log(await a.createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', group: '', resource: 'pods' } } } }, requestTimeout(1000))); } catch (e) { console.log('A', e); }
  try { console.log(await a.createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', group: '', resource: 'pods' } } } })); } catch (e) { console.log('B', e); }
  await c.stop();
});
