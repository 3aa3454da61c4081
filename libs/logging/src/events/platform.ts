import type { EventSpec } from './event';

/** Events of the shared runtime: lifecycle, config, gRPC fabric. */
export const platformEvents = {
  SERVICE_STARTING: { level: 'info', meaning: 'The process is starting with a valid configuration.' },
  SERVICE_READY: { level: 'info', meaning: 'The process is listening and ready for work.' },
  SERVICE_STOPPING: { level: 'info', meaning: 'A shutdown signal arrived; draining in-flight work.' },
  SERVICE_STOPPED: { level: 'info', meaning: 'The process drained and closed everything.' },
  SERVICE_FAILED: { level: 'error', meaning: 'A long-running task failed and the process is exiting.', fix: 'Read the error field; the task named in `task` failed.' },
  GRPC_CALLER_DENIED: {
    level: 'warn',
    meaning: 'A caller with a valid service certificate is not on the allow-list of the method.',
    fix: 'Check which service called (`caller`) and the allow-list in the callee; a compromised or misrouted service shows up here.',
  },
  GRPC_CALLER_UNIDENTIFIED: { level: 'warn', meaning: 'A caller certificate has no podid SPIFFE id.', fix: 'Issue service certificates with a URI SAN spiffe://podid/<service>.' },
  GRPC_BAD_MESSAGE: { level: 'warn', meaning: 'A request could not be decoded or failed validation.', fix: 'The caller sends a malformed message; check its version.' },
  GRPC_CALL_FAILED: { level: 'info', meaning: 'An RPC ended with an expected, typed error.' },
  GRPC_INTERNAL_ERROR: { level: 'error', meaning: 'An RPC failed with an unexpected error; details are under logId.', fix: 'This is a bug: report it with the log line.' },
  GRPC_CLIENT_ERROR: { level: 'warn', meaning: 'An outgoing RPC failed.', fix: 'Check the target service is up and its certificate is trusted.' },
  HTTP_INTERNAL_ERROR: { level: 'error', meaning: 'An HTTP request failed with an unexpected error; details are under logId.', fix: 'This is a bug: report it with the log line.' },
  HTTP_REQUEST: { level: 'info', meaning: 'An HTTP request finished.' },
} as const satisfies Record<string, EventSpec>;
