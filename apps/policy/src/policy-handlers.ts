import { InvalidArgumentError } from '@podid/errors';
import type { PolicyService } from '@podid/contracts';
import { requireString, type Handlers } from '@podid/grpc';
import { authorizeHost, listAuthenticators, PRIVILEGES, resolveHost, type Policy } from '@podid/policy-model';
import { authenticatorToProto, authenticatorTypeFromProto, restrictionsToProto } from './policy-to-proto';

/** Service ids are at most 128 characters in policy; host ids at most 1024. */
const MAX_SERVICE_ID = 128;
const MAX_HOST_ID = 1024;

/** authn.v1.Policy: validates each request, asks the policy in force, and maps the answer to proto. */
export function policyHandlers(deps: { current: () => Policy }): Handlers<typeof PolicyService> {
  return {
    async resolve(req) {
      const serviceId = requireString(req.serviceId, 'service_id', MAX_SERVICE_ID);
      const type = authenticatorTypeFromProto(req.type);
      if (!type) throw new InvalidArgumentError('BAD_REQUEST', `type: exp=AUTHENTICATOR_TYPE_AUTHN_K8S or AUTHENTICATOR_TYPE_AUTHN_JWT got=${req.type}`);
      const hostId = requireString(req.hostId, 'host_id', MAX_HOST_ID);
      const r = resolveHost(deps.current(), serviceId, type, hostId);
      return { hostId: r.hostId, authenticator: authenticatorToProto(r.authenticator), restrictions: restrictionsToProto(r.restrictions), containerName: r.containerName };
    },

    async listAuthenticators() {
      const l = listAuthenticators(deps.current());
      return { installed: [...l.installed], configured: [...l.configured], enabled: [...l.enabled], authenticators: l.authenticators.map(authenticatorToProto) };
    },

    async authorize(req) {
      const hostId = requireString(req.hostId, 'host_id', MAX_HOST_ID);
      const privilege = PRIVILEGES.find((p) => p === req.privilege);
      if (!privilege) throw new InvalidArgumentError('BAD_REQUEST', `privilege: exp=one of ${PRIVILEGES.join(', ')} got=${JSON.stringify(String(req.privilege).slice(0, 64))}`);
      if (req.serviceId.length > MAX_SERVICE_ID) throw new InvalidArgumentError('BAD_REQUEST', `service_id is longer than ${MAX_SERVICE_ID} characters`);
      authorizeHost(deps.current(), hostId, privilege, req.serviceId || undefined);
      return {};
    },
  };
}
