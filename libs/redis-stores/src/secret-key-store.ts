import { ApiException, CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { AbortedError } from '@podid/errors';
import { parseStoredKeys, type KeyStore, type StoredKeys } from './key-store';

/** The Secret's data key holding the JSON of StoredKeys. */
const DATA_KEY = 'keys.json';

/**
 * Signing keys in a Kubernetes Secret, shared by every replica. Writes use
 * the resourceVersion last read, so a replica that lost a race gets
 * AbortedError('KEYS_CONFLICT') and re-reads on its next rotation tick
 * instead of overwriting another replica's key.
 */
export class SecretKeyStore implements KeyStore {
  readonly description: string;
  private readonly core: CoreV1Api;
  private resourceVersion: string | undefined;

  constructor(private readonly opts: { kc: KubeConfig; namespace: string; name: string }) {
    this.core = opts.kc.makeApiClient(CoreV1Api);
    this.description = `secret:${opts.namespace}/${opts.name}`;
  }

  async load(): Promise<StoredKeys | undefined> {
    let secret: V1Secret;
    try {
      secret = await this.core.readNamespacedSecret({ namespace: this.opts.namespace, name: this.opts.name });
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) {
        this.resourceVersion = undefined;
        return undefined;
      }
      throw new Error(`${this.description}: cannot read (${e instanceof ApiException ? `HTTP ${e.code}` : (e as Error).message})`);
    }
    this.resourceVersion = secret.metadata?.resourceVersion;
    const data = secret.data?.[DATA_KEY];
    return data ? parseStoredKeys(Buffer.from(data, 'base64').toString('utf8'), this.description) : undefined;
  }

  async save(keys: StoredKeys): Promise<void> {
    const body: V1Secret = {
      metadata: { name: this.opts.name, namespace: this.opts.namespace, labels: { 'app.kubernetes.io/part-of': 'podid' }, resourceVersion: this.resourceVersion },
      type: 'Opaque',
      data: { [DATA_KEY]: Buffer.from(JSON.stringify(keys)).toString('base64') },
    };
    try {
      const saved = this.resourceVersion
        ? await this.core.replaceNamespacedSecret({ namespace: this.opts.namespace, name: this.opts.name, body })
        : await this.core.createNamespacedSecret({ namespace: this.opts.namespace, body });
      this.resourceVersion = saved.metadata?.resourceVersion;
    } catch (e) {
      if (e instanceof ApiException && e.code === 409) {
        this.resourceVersion = undefined;
        throw new AbortedError('KEYS_CONFLICT', `${this.description}: changed by another replica; re-read on the next tick`);
      }
      throw new Error(`${this.description}: cannot write (${e instanceof ApiException ? `HTTP ${e.code}` : (e as Error).message})`);
    }
  }
}
