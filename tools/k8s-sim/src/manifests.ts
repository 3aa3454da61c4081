import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Kustomize's own files sit beside manifests but are not Kubernetes objects. */
const SKIPPED_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
const isYaml = (f: string) => /\.ya?ml$/i.test(f) && !SKIPPED_FILES.has(basename(f));

async function filesOf(path: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new Error(`k8s-sim: cannot read manifest path ${path}: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) return [path];
  const names = (await readdir(path)).filter(isYaml).sort();
  return names.map((n) => join(path, n));
}

/**
 * Reads multi-document YAML files, or folders of `*.yaml`/`*.yml` files (sorted by name, not recursive;
 * kustomization.yaml skipped), into objects in order. `kind: List` documents are expanded into their items.
 * Throws naming the file on unreadable or invalid YAML and on documents that are not objects with apiVersion and kind.
 */
export async function loadManifests(paths: string[]): Promise<object[]> {
  const out: object[] = [];
  for (const p of paths)
    for (const file of await filesOf(p)) {
      const text = await readFile(file, 'utf8');
      const docs = parseAllDocuments(text);
      for (const [i, doc] of docs.entries()) {
        if (doc.errors.length) throw new Error(`k8s-sim: invalid YAML in ${file} (document ${i + 1}): ${doc.errors[0]?.message ?? ''}`);
        const v: unknown = doc.toJS();
        if (v === null || v === undefined) continue;
        if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`k8s-sim: document ${i + 1} of ${file} is not an object`);
        const o = v as { apiVersion?: unknown; kind?: unknown; items?: unknown };
        if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') throw new Error(`k8s-sim: document ${i + 1} of ${file} has no apiVersion or kind`);
        if (o.kind === 'List' && Array.isArray(o.items)) out.push(...(o.items as object[]));
        else out.push(o);
      }
    }
  return out;
}
