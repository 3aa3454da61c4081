import { AuthenticatorType, PolicyService } from '@podid/contracts';
import { NotFoundError } from '@podid/errors';
import { service, startGrpcServer } from '@podid/grpc';
import { createLogger } from '@podid/logging';
import type { TestPki } from '@podid/testkit';

/**
 * A real Policy gRPC server over mTLS (testkit PKI) that lists the given
 * authn-k8s authenticators to ca-signer, as the policy app does; `ids` can be
 * changed while it runs.
 */
export async function startPolicyPeer(
  pki: TestPki,
  ids: string[],
  /** Cluster and trust domain of each id; unlisted ids serve `default` in cluster.local. */
  scopes: Record<string, { cluster: string; trustDomain: string }> = {},
): Promise<{ address: string; ids: string[]; calls: () => number; stop(): Promise<void> }> {
  let calls = 0;
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    tls: await pki.tls('policy'),
    log: createLogger({ service: 'policy', level: 'error' }),
    services: [
      service({
        name: 'authn.v1.Policy',
        definition: PolicyService,
        allow: { resolve: [], listAuthenticators: ['ca-signer'], authorize: [] },
        handlers: {
          async resolve() {
            throw new NotFoundError('NOT_SERVED', 'only ListAuthenticators is served here');
          },
          async authorize() {
            throw new NotFoundError('NOT_SERVED', 'only ListAuthenticators is served here');
          },
          async listAuthenticators() {
            calls++;
            const authenticators = ids.map((id) => ({ type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, id, enabled: true, certTtlSeconds: 86_400, tokenTtlSeconds: 480, cluster: 'default', trustDomain: 'cluster.local', ...scopes[id], jwt: undefined }));
            return { installed: ['authn-k8s'], configured: ids.map((i) => `authn-k8s/${i}`), enabled: ids.map((i) => `authn-k8s/${i}`), authenticators };
          },
        },
      }),
    ],
  });
  return { address: `127.0.0.1:${server.port}`, ids, calls: () => calls, stop: () => server.stop(500) };
}
