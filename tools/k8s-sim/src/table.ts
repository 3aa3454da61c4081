import type { ResourceDef } from './resources';
import type { K8sObject } from './types';

type Dict = Record<string, unknown>;

interface Column {
  name: string;
  type: string;
  format?: string;
  priority: number;
  cell: (o: K8sObject) => unknown;
}

/** Like the API server's duration.HumanDuration: 45s, 3m20s, 5h3m, 4d. */
export function humanAge(since: string | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const status = (o: K8sObject) => (o['status'] ?? {}) as Dict;
const spec = (o: K8sObject) => (o['spec'] ?? {}) as Dict;
const containerStatuses = (o: K8sObject) => (status(o)['containerStatuses'] as Array<{ ready?: boolean; restartCount?: number; state?: Dict }> | undefined) ?? [];

function podStatus(o: K8sObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  const waiting = containerStatuses(o).map((c) => (c.state?.['waiting'] as { reason?: string } | undefined)?.reason).find(Boolean);
  if (waiting) return waiting;
  const terminated = containerStatuses(o).map((c) => (c.state?.['terminated'] as { reason?: string } | undefined)?.reason).find(Boolean);
  const phase = String(status(o)['phase'] ?? 'Pending');
  return phase === 'Running' || !terminated ? phase : terminated;
}

const name: Column = { name: 'Name', type: 'string', format: 'name', priority: 0, cell: (o) => o.metadata.name ?? '' };
const age: Column = { name: 'Age', type: 'string', priority: 0, cell: (o) => humanAge(o.metadata.creationTimestamp) };

/** Columns of the resources whose printers kubectl users see most; other resources get no Table (kubectl prints NAME/AGE itself). */
const COLUMNS: Record<string, Column[]> = {
  pods: [
    name,
    { name: 'Ready', type: 'string', priority: 0, cell: (o) => `${containerStatuses(o).filter((c) => c.ready).length}/${((spec(o)['containers'] as unknown[] | undefined) ?? []).length}` },
    { name: 'Status', type: 'string', priority: 0, cell: podStatus },
    { name: 'Restarts', type: 'string', priority: 0, cell: (o) => containerStatuses(o).reduce((n, c) => n + (c.restartCount ?? 0), 0) },
    age,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => status(o)['podIP'] ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => spec(o)['nodeName'] ?? '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, cell: (o) => status(o)['nominatedNodeName'] ?? '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, cell: () => '<none>' },
  ],
  certificatesigningrequests: [
    name,
    age,
    { name: 'SignerName', type: 'string', priority: 0, cell: (o) => spec(o)['signerName'] ?? '' },
    { name: 'Requestor', type: 'string', priority: 0, cell: (o) => spec(o)['username'] ?? '' },
    { name: 'RequestedDuration', type: 'string', priority: 0, cell: (o) => (typeof spec(o)['expirationSeconds'] === 'number' ? humanAge(new Date(Date.now() - Number(spec(o)['expirationSeconds']) * 1000).toISOString()) : '<none>') },
    {
      name: 'Condition',
      type: 'string',
      priority: 0,
      cell: (o) => {
        const conds = ((status(o)['conditions'] as Array<{ type?: string }> | undefined) ?? []).map((c) => c.type);
        const parts = [...conds, ...(status(o)['certificate'] ? ['Issued'] : [])];
        return parts.length ? parts.join(',') : 'Pending';
      },
    },
  ],
};

/** Whether the client asked for a Table (`kubectl get` does) and the simulator prints this resource. */
export function wantsTable(accept: string | undefined, def: ResourceDef): boolean {
  return !!accept && /as=Table/.test(accept) && def.resource in COLUMNS;
}

/** A meta.k8s.io/v1 Table of `items`, each row with its PartialObjectMetadata. */
export function toTable(def: ResourceDef, items: K8sObject[], resourceVersion: string): object {
  const cols = COLUMNS[def.resource] ?? [];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: c.priority })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
