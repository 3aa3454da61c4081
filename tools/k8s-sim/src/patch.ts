import { strategicMerge } from './strategic-merge';
import { StatusError, badRequest } from './status';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObj = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function decodePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw badRequest(`invalid JSON pointer: ${p}`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, path: string[]): { parent: Record<string, unknown> | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const seg of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else cur = undefined;
    if (cur === undefined) throw new StatusError(422, 'Invalid', `json patch: path not found: /${path.join('/')}`);
  }
  if (!Array.isArray(cur) && !isObj(cur)) throw new StatusError(422, 'Invalid', `json patch: path not found: /${path.join('/')}`);
  return { parent: cur, key: path[path.length - 1] ?? '' };
}

function getAt(doc: unknown, path: string[]): unknown {
  let cur = doc;
  for (const seg of path) cur = Array.isArray(cur) ? cur[Number(seg)] : isObj(cur) ? cur[seg] : undefined;
  return cur;
}

function arrayIndex(arr: unknown[], key: string, forInsert: boolean): number {
  if (forInsert && key === '-') return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forInsert && i === arr.length)) throw new StatusError(422, 'Invalid', `json patch: index out of range: ${key}`);
  return i;
}

function remove(doc: unknown, path: string[]): unknown {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false), 1)[0];
  if (!(key in parent)) throw new StatusError(422, 'Invalid', `json patch: path not found: /${path.join('/')}`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function add(doc: unknown, path: string[], value: unknown, replace: boolean): unknown {
  if (path.length === 0) return value;
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, !replace);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !(key in parent)) throw new StatusError(422, 'Invalid', `json patch: path not found: /${path.join('/')}`);
    parent[key] = value;
  }
  return doc;
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be a list of operations');
  let doc: unknown = structuredClone(target);
  for (const op of ops as Array<Record<string, unknown>>) {
    if (!isObj(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string') throw badRequest('json patch operation needs op and path');
    const path = decodePointer(op['path']);
    switch (op['op']) {
      case 'add':
      case 'replace':
        doc = add(doc, path, structuredClone(op['value']), op['op'] === 'replace');
        break;
      case 'remove':
        remove(doc, path);
        break;
      case 'move':
      case 'copy': {
        if (typeof op['from'] !== 'string') throw badRequest('json patch move/copy needs from');
        const from = decodePointer(op['from']);
        const v = op['op'] === 'move' ? remove(doc, from) : structuredClone(getAt(doc, from));
        doc = add(doc, path, v, false);
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op['value'])) throw new StatusError(422, 'Invalid', `json patch: test failed at ${op['path']}`);
        break;
      default:
        throw badRequest(`unknown json patch op ${String(op['op'])}`);
    }
  }
  return doc;
}

/** Applies a PATCH body by content type; 415 for unsupported types (server-side apply is not modelled). */
export function applyPatch(current: unknown, contentType: string, body: unknown): unknown {
  const ct = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (ct === 'application/json-patch+json') return jsonPatch(current, body);
  if (ct === 'application/merge-patch+json') return mergePatch(current, body);
  if (ct === 'application/strategic-merge-patch+json') return strategicMerge(current, body);
  throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
}
