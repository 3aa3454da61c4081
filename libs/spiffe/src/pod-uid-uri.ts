import { InvalidArgumentError } from '@podid/errors';
import type { ParseResult } from './pod-spiffe-id';

/** Prefix of the second URI SAN that binds a leaf to one pod instance. */
export const POD_UID_URI_PREFIX = 'urn:podid:pod-uid:';

/** Kubernetes uids are RFC 4122 UUIDs. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when `uid` looks like a Kubernetes object uid (lowercase UUID). */
export function isPodUid(uid: string): boolean {
  return UUID.test(uid);
}

/** `urn:podid:pod-uid:<uid>`; throws InvalidArgumentError(POD_UID_INVALID) unless uid is a lowercase UUID. */
export function formatPodUidUri(uid: string): string {
  if (!isPodUid(uid)) throw new InvalidArgumentError('POD_UID_INVALID', `pod uid: exp=lowercase UUID got=${JSON.stringify(uid.slice(0, 80))}`);
  return `${POD_UID_URI_PREFIX}${uid}`;
}

/** The uid in a `urn:podid:pod-uid:<uid>` URI. */
export function parsePodUidUri(uri: string): ParseResult<string> {
  const uid = uri.startsWith(POD_UID_URI_PREFIX) ? uri.slice(POD_UID_URI_PREFIX.length) : undefined;
  if (uid === undefined || !isPodUid(uid)) {
    return { ok: false, reason: `exp="${POD_UID_URI_PREFIX}<uuid>" got=${JSON.stringify(uri.slice(0, 120))}` };
  }
  return { ok: true, value: uid };
}
