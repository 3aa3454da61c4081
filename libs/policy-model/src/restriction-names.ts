import type { Restrictions } from './policy';

/** Annotation restriction names (Conjur's, plus podid's owner kinds and pod label selector) and the field each fills. */
export const RESTRICTION_FIELDS = {
  namespace: 'namespace',
  'namespace-label-selector': 'namespaceLabelSelector',
  'service-account': 'serviceAccount',
  pod: 'pod',
  deployment: 'deployment',
  'stateful-set': 'statefulSet',
  'daemon-set': 'daemonSet',
  job: 'job',
  'cron-job': 'cronJob',
  'pod-label-selector': 'podLabelSelector',
} as const satisfies Record<string, keyof Restrictions>;

export type RestrictionName = keyof typeof RESTRICTION_FIELDS;

/** Kinds that own a pod: a pod has one owner chain, so at most one may be named (Conjur CONJ00055E, extended). */
export const OWNER_KINDS: readonly RestrictionName[] = ['deployment', 'stateful-set', 'daemon-set', 'job', 'cron-job'];

export const CONTAINER_NAME = 'authentication-container-name';
/** The container that receives the certificate when no annotation names one (Conjur's default). */
export const DEFAULT_CONTAINER_NAME = 'authenticator';

export function isRestrictionName(name: string): name is RestrictionName {
  return Object.hasOwn(RESTRICTION_FIELDS, name);
}
