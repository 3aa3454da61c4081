import { PermissionDeniedError } from '@podid/errors';
import type { OwnerKind } from '@podid/kube';
import type { OwnerLink, PodRestrictions } from './pod-restrictions';

/** The controller chain a restriction expects, from the pod upwards; the last hop carries the name. */
const EXPECTED: ReadonlyArray<{ field: keyof PodRestrictions; chain: readonly OwnerKind[] }> = [
  { field: 'deployment', chain: ['ReplicaSet', 'Deployment'] },
  { field: 'statefulSet', chain: ['StatefulSet'] },
  { field: 'daemonSet', chain: ['DaemonSet'] },
  { field: 'job', chain: ['Job'] },
  { field: 'cronJob', chain: ['Job', 'CronJob'] },
];

function describe(owners: readonly OwnerLink[], hops: number): string {
  const got = owners.slice(0, hops).map((o) => `${o.ref.kind}/${o.ref.name}`);
  return got.length ? got.join(' -> ') : 'no controller';
}

/**
 * Checks each owner restriction against the controller chain. Every hop must
 * be of the expected kind, exist, and have the uid its ownerReference names,
 * so a pod cannot claim an owner by writing a reference by hand.
 */
export function checkOwnerChain(restrictions: PodRestrictions, owners: readonly OwnerLink[]): void {
  for (const { field, chain } of EXPECTED) {
    const name = restrictions[field];
    if (!name) continue;
    const mismatch = (why: string) => new PermissionDeniedError('OWNER_MISMATCH', `owner mismatch (${why}): exp="${expectedText(chain, name)}" got="${describe(owners, chain.length)}"`);
    chain.forEach((kind, i) => {
      const link = owners[i];
      if (!link || link.ref.kind !== kind) throw mismatch(`hop ${i + 1} is not a ${kind}`);
      if (!link.object) throw mismatch(`${kind}/${link.ref.name} does not exist`);
      if (link.object.uid !== link.ref.uid) {
        throw new PermissionDeniedError(
          'OWNER_MISMATCH',
          `owner uid mismatch: ownerReference ${kind}/${link.ref.name} uid exp="${link.object.uid}" got="${link.ref.uid}"`,
        );
      }
    });
    const top = owners[chain.length - 1]!;
    if (top.ref.name !== name) throw mismatch('name differs');
  }
}

function expectedText(chain: readonly OwnerKind[], name: string): string {
  return chain.length === 1 ? `${chain[0]}/${name}` : `${chain[0]}/* -> ${chain[1]}/${name}`;
}
