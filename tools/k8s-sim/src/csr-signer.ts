import { CLIENT_SIGNER, clientSignerRefusal, signClientCsr } from './csr';
import type { Ca } from './pki';
import { resourceByName } from './resources';
import { nowTimestamp, type ObjectStore } from './store';
import type { K8sObject, LogFn } from './types';

const CSRS = resourceByName('certificatesigningrequests', 'certificates.k8s.io');
/** The controller-manager signs after the approval is stored, not in the approval's response. */
const SIGNING_DELAY_MS = 50;

type Condition = { type?: string; status?: string };
const conditionsOf = (o: K8sObject) => ((o['status'] as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];
const isTrue = (o: K8sObject, t: string) => conditionsOf(o).some((c) => c.type === t && c.status === 'True');

/**
 * kube-controller-manager's kube-apiserver-client signer: an Approved CSR for that signer gets `status.certificate`
 * shortly after the approval, or a Failed condition (SignerValidationFailure) when its usages are not a client's.
 * CSRs for other signers stay pending, as on a cluster with no such signer.
 */
export class CsrSigner {
  private unsubscribe: () => void = () => undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: ObjectStore,
    private readonly ca: Ca,
    private readonly log: LogFn,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((e) => {
      if (e.def === CSRS && e.type !== 'DELETED' && this.due(e.object)) this.schedule(e.object.metadata.name ?? '');
    });
  }

  stop(): void {
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
  }

  private due(o: K8sObject): boolean {
    const spec = (o['spec'] ?? {}) as { signerName?: string };
    const status = (o['status'] ?? {}) as { certificate?: string };
    return spec.signerName === CLIENT_SIGNER && isTrue(o, 'Approved') && !isTrue(o, 'Failed') && !status.certificate;
  }

  private schedule(name: string): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.sign(name);
    }, SIGNING_DELAY_MS);
    this.timers.add(t);
  }

  private sign(name: string): void {
    const csr = this.store.get(CSRS, undefined, name);
    if (!csr || !this.due(csr)) return;
    const status = { ...((csr['status'] as Record<string, unknown> | undefined) ?? {}) };
    const refusal = clientSignerRefusal(csr);
    try {
      if (refusal) {
        const now = nowTimestamp();
        status['conditions'] = [...conditionsOf(csr), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: refusal, lastUpdateTime: now, lastTransitionTime: now }];
      } else status['certificate'] = signClientCsr(csr, this.ca);
      this.store.replace(CSRS, { ...csr, status });
    } catch (e) {
      // A concurrent write (409) is retried by the event it caused; anything else is a bug to see.
      if ((e as { code?: number }).code !== 409) this.log('SIM_INTERNAL_ERROR', `signing CSR ${name} failed`, { error: (e as Error).message });
    }
  }
}
