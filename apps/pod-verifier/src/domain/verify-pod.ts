import { FailedPreconditionError, NotFoundError, PermissionDeniedError, PodidError } from '@podid/errors';
import type { PodFacts } from '@podid/kube';
import { checkOwnerChain } from './check-owner-chain';
import { parseLabelSelector, unmetLabel } from './label-selector';
import type { PodCheckFacts, PodCheckRequest, VerifiedPod } from './pod-restrictions';

type Check = (req: PodCheckRequest, pod: PodFacts, facts: PodCheckFacts) => void;

const checkUid: Check = (req, pod) => {
  if (req.expectedUid && pod.uid !== req.expectedUid) {
    throw new NotFoundError('POD_UID_MISMATCH', `pod ${req.namespace}/${req.pod} uid mismatch: exp="${req.expectedUid}" got="${pod.uid}"`);
  }
};

const checkNotTerminating: Check = (req, pod) => {
  if (pod.deletionTimestamp || pod.phase === 'Succeeded' || pod.phase === 'Failed') {
    const why = pod.deletionTimestamp ? `deletionTimestamp=${pod.deletionTimestamp}` : `phase=${pod.phase}`;
    throw new FailedPreconditionError('POD_TERMINATING', `pod ${req.namespace}/${req.pod} is terminating (${why})`);
  }
};

const checkNamespace: Check = (req) => {
  const want = req.restrictions.namespace;
  if (want && want !== req.namespace) throw new PermissionDeniedError('NAMESPACE_MISMATCH', `namespace mismatch: exp="${want}" got="${req.namespace}"`);
};

const checkNamespaceLabels: Check = (req, _pod, facts) => {
  const selector = req.restrictions.namespaceLabelSelector;
  if (!selector) return;
  const pairs = parseLabelSelector(selector, 'namespace');
  if (!facts.namespace) throw new PermissionDeniedError('NAMESPACE_LABELS_MISMATCH', `namespace "${req.namespace}" not found for selector "${selector}"`);
  const unmet = unmetLabel(facts.namespace.labels, pairs);
  if (unmet) {
    const got = facts.namespace.labels[unmet[0]];
    throw new PermissionDeniedError('NAMESPACE_LABELS_MISMATCH', `namespace "${req.namespace}" label ${unmet[0]}: exp="${unmet[1]}" got=${got === undefined ? 'unset' : `"${got}"`}`);
  }
};

const checkServiceAccount: Check = (req, pod, facts) => {
  const want = req.restrictions.serviceAccount;
  if (!want) return;
  if (!facts.serviceAccount) throw new PermissionDeniedError('SERVICE_ACCOUNT_MISMATCH', `service account ${req.namespace}/${want} does not exist`);
  if (pod.serviceAccountName !== want) {
    throw new PermissionDeniedError('SERVICE_ACCOUNT_MISMATCH', `service account mismatch: exp="${want}" got="${pod.serviceAccountName}"`);
  }
};

const checkPodName: Check = (req, pod) => {
  const want = req.restrictions.pod;
  if (want && want !== pod.name) throw new PermissionDeniedError('POD_NAME_MISMATCH', `pod name mismatch: exp="${want}" got="${pod.name}"`);
};

const checkOwners: Check = (req, _pod, facts) => checkOwnerChain(req.restrictions, facts.owners);

const checkPodLabels: Check = (req, pod) => {
  const selector = req.restrictions.podLabelSelector;
  if (!selector) return;
  const unmet = unmetLabel(pod.labels, parseLabelSelector(selector, 'pod'));
  if (unmet) {
    const got = pod.labels[unmet[0]];
    throw new PermissionDeniedError('POD_LABELS_MISMATCH', `pod label ${unmet[0]}: exp="${unmet[1]}" got=${got === undefined ? 'unset' : `"${got}"`}`);
  }
};

const checkContainer: Check = (req, pod) => {
  if (!pod.containers.includes(req.containerName) && !pod.initContainers.includes(req.containerName)) {
    const got = [...pod.containers, ...pod.initContainers].join(',');
    throw new PermissionDeniedError('CONTAINER_NOT_FOUND', `container not found in pod ${req.namespace}/${req.pod}: exp="${req.containerName}" got="${got}"`);
  }
};

/** The checks, in the order their refusals take precedence, with the names explainPod reports. */
export const POD_CHECKS: readonly (readonly [string, Check])[] = [
  ['uid', checkUid],
  ['not-terminating', checkNotTerminating],
  ['namespace', checkNamespace],
  ['namespace-labels', checkNamespaceLabels],
  ['service-account', checkServiceAccount],
  ['pod-name', checkPodName],
  ['owners', checkOwners],
  ['pod-labels', checkPodLabels],
  ['container', checkContainer],
];

/** One check's outcome, as explainPod reports it. */
export interface PodCheckOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly code: string;
  readonly detail: string;
}

/**
 * Checks a pod against its restrictions. Pure: the facts were fetched
 * before. Throws the first check's typed refusal; each message says
 * expected vs got.
 */
export function verifyPod(req: PodCheckRequest, facts: PodCheckFacts): VerifiedPod {
  const pod = facts.pod;
  if (!pod) throw new NotFoundError('POD_NOT_FOUND', `pod ${req.namespace}/${req.pod} not found`);
  for (const [, check] of POD_CHECKS) check(req, pod, facts);
  return { uid: pod.uid, serviceAccount: pod.serviceAccountName, podIP: pod.podIP };
}

/**
 * Runs every check of verifyPod (but the uid, which explain has none for) and
 * reports each, so one answer shows everything a pod fails. Same checks, same
 * codes and messages; verifyPod stays the only decision.
 */
export function explainPod(req: PodCheckRequest, facts: PodCheckFacts): { checks: PodCheckOutcome[]; uid: string } {
  const pod = facts.pod;
  if (!pod) return { checks: [{ name: 'exists', ok: false, code: 'POD_NOT_FOUND', detail: `pod ${req.namespace}/${req.pod} not found` }], uid: '' };
  const checks: PodCheckOutcome[] = [{ name: 'exists', ok: true, code: '', detail: `pod ${req.namespace}/${req.pod} has uid ${pod.uid}` }];
  for (const [name, check] of POD_CHECKS) {
    if (name === 'uid') continue;
    try {
      check(req, pod, facts);
      checks.push({ name, ok: true, code: '', detail: 'met' });
    } catch (e) {
      if (!(e instanceof PodidError)) throw e;
      checks.push({ name, ok: false, code: e.code, detail: e.message });
    }
  }
  return { checks, uid: pod.uid };
}
