import { badRequest } from './status';
import type { K8sObject } from './types';

/** A parsed label or field selector: true when the object matches. */
export type Selector = (obj: K8sObject) => boolean;

type Op = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | '!exists';
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

/** Longest selector accepted; longer ones are refused before parsing. */
const MAX_SELECTOR_LENGTH = 4096;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t.length > 0);
}

function parseTerm(term: string, checkKey: (k: string) => boolean): Requirement {
  const fail = () => badRequest(`unable to parse requirement: found '${term}', expected: key, !key, key=value, key!=value, key in (v1,v2) or key notin (v1,v2)`);
  let m = /^!\s*(\S+)$/.exec(term);
  if (m?.[1]) {
    if (!checkKey(m[1])) throw fail();
    return { key: m[1], op: '!exists', values: [] };
  }
  m = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (m?.[1] && m[2] && m[3] !== undefined) {
    const values = m[3].split(',').map((v) => v.trim());
    if (!checkKey(m[1]) || values.some((v) => !LABEL_VALUE.test(v))) throw fail();
    return { key: m[1], op: m[2] === 'in' ? 'in' : 'notin', values };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m?.[1] && m[2] && m[3] !== undefined) {
    if (!checkKey(m[1])) throw fail();
    return { key: m[1], op: m[2] === '!=' ? 'neq' : 'eq', values: [m[3]] };
  }
  if (checkKey(term)) return { key: term, op: 'exists', values: [] };
  throw fail();
}

function matches(r: Requirement, value: string | undefined): boolean {
  switch (r.op) {
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
    case 'eq':
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'neq':
    case 'notin':
      return value === undefined || !r.values.includes(value);
  }
}

/** Parses `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-joined. Throws a 400 StatusError. */
export function parseLabelSelector(s: string | null): Selector {
  if (!s) return () => true;
  if (s.length > MAX_SELECTOR_LENGTH) throw badRequest('labelSelector too long');
  const reqs = splitTerms(s).map((t) => parseTerm(t, (k) => LABEL_KEY.test(k) && k.length <= 317));
  return (obj) => reqs.every((r) => matches(r, obj.metadata.labels?.[r.key]));
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const RESOURCE_FIELDS: Record<string, string[]> = {
  pods: ['spec.nodeName', 'spec.serviceAccountName', 'spec.restartPolicy', 'spec.schedulerName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  secrets: ['type'],
  events: ['involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type'],
  namespaces: ['status.phase'],
  certificatesigningrequests: ['spec.signerName'],
};

function fieldValue(obj: K8sObject, path: string): string | undefined {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

/** Field selectors: `=`, `==`, `!=` on metadata.name, metadata.namespace and a few per-resource fields. */
export function parseFieldSelector(s: string | null, resource: string): Selector {
  if (!s) return () => true;
  if (s.length > MAX_SELECTOR_LENGTH) throw badRequest('fieldSelector too long');
  const allowed = [...COMMON_FIELDS, ...(RESOURCE_FIELDS[resource] ?? [])];
  const reqs = splitTerms(s).map((term) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m?.[1] || !m[2] || m[3] === undefined) throw badRequest(`invalid selector: '${term}'; can't understand '${term}'`);
    if (!allowed.includes(m[1])) throw badRequest(`field label not supported: ${m[1]}`);
    return { key: m[1], neq: m[2] === '!=', value: m[3].trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.key) === r.value) !== r.neq);
}
