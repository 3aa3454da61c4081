import type { CoreV1Api } from '@kubernetes/client-node';
import { DependencyUnavailableError, FailedPreconditionError } from '@podid/errors';
import type { CaStore } from './ca-store';

/** Name of the Secret that holds the CA of an authenticator. */
export function caSecretName(serviceId: string): string {
  return `podid-ca-${serviceId}`;
}

/**
 * CAs in Kubernetes Secrets `podid-ca-<serviceId>` of type kubernetes.io/tls
 * (tls.crt, tls.key) in one namespace. Caching is the registry's job.
 */
export function secretCaStore(opts: { api: Pick<CoreV1Api, 'readNamespacedSecret'>; namespace: string }): CaStore {
  const where = (id: string) => `Secret ${opts.namespace}/${caSecretName(id)}`;
  return {
    locationOf: where,
    async load(id) {
      let secret;
      try {
        secret = await opts.api.readNamespacedSecret({ name: caSecretName(id), namespace: opts.namespace });
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code === 404) return undefined;
        if (code === 403) throw new FailedPreconditionError('CA_SECRET_FORBIDDEN', `${where(id)}: exp=get allowed got=403 (check ca-signer RBAC)`);
        throw new DependencyUnavailableError('CA_SOURCE_UNAVAILABLE', `${where(id)}: Kubernetes API ${code ?? (e as Error).message?.slice(0, 120)}`);
      }
      if (secret.type !== 'kubernetes.io/tls') {
        throw new FailedPreconditionError('CA_CORRUPT', `${where(id)}: exp=type kubernetes.io/tls got=${JSON.stringify(secret.type ?? 'Opaque')}`);
      }
      const field = (name: string) => {
        const b64 = secret.data?.[name];
        if (!b64) throw new FailedPreconditionError('CA_CORRUPT', `${where(id)}: exp=data ${name} got=missing`);
        return Buffer.from(b64, 'base64').toString('utf8');
      };
      return { certPem: field('tls.crt'), keyPem: field('tls.key'), source: where(id) };
    },
  };
}
