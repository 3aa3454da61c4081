import { int } from '@podid/config';

// PODID_CLUSTERS_FILE and PODID_CLUSTERS_POLL_MS are shared with policy: libs/config/src/shared-fields.ts.

/**
 * PODID_CLUSTER_SYNC_GRACE_MS: how long after start readiness waits for every cluster; after it, one synced cluster
 * is enough, so that one unreachable cluster cannot keep the service out of rotation.
 */
export const clusterSyncGraceMsField = int({ env: 'PODID_CLUSTER_SYNC_GRACE_MS', default: 30_000, min: 0, max: 600_000 });
