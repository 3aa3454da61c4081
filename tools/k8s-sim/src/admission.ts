import { CLIENT_SIGNER, validateCsrObject } from './csr';
import type { AdmissionRequest } from './objects';
import type { RbacAuthorizer } from './rbac';
import { checkEscalation } from './rbac-escalation';
import type { ObjectStore } from './store';
import { StatusError } from './status';

const CERTS = 'certificates.k8s.io';

function csrForbidden(name: string, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `certificatesigningrequests.${CERTS} "${name}" is forbidden: ${why}`, { name, group: CERTS, kind: 'certificatesigningrequests' });
}

/**
 * The default admission plugins podid meets, for REST writes: RBAC escalation prevention, CertificateApproval
 * (`approve` on signers/<signerName>) and CertificateSubjectRestriction (no system:masters from the client signer).
 */
export function makeAdmission(rbac: RbacAuthorizer, store: ObjectStore): (a: AdmissionRequest) => void {
  return ({ def, obj, user, subresource, old }) => {
    checkEscalation(rbac, store, user, def, obj);
    if (def.resource !== 'certificatesigningrequests') return;
    const name = obj.metadata.name ?? '';
    const signer = String((obj['spec'] as { signerName?: unknown } | undefined)?.signerName ?? '');
    if (!old && signer === CLIENT_SIGNER && validateCsrObject(obj).organizations.includes('system:masters'))
      throw csrForbidden(name, `use of ${CLIENT_SIGNER} signer with system:masters group is not allowed`);
    if (subresource === 'approval') {
      const attrs = { verb: 'approve', apiGroup: CERTS, resource: 'signers' };
      const allowed = rbac.authorize(user, { ...attrs, name: signer }) || rbac.authorize(user, { ...attrs, name: `${signer.split('/')[0] ?? ''}/*` });
      if (!allowed) throw csrForbidden(name, `user not permitted to approve requests with signerName "${signer}"`);
    }
  };
}
