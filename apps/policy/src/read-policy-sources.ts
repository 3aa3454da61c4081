import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyProblem, PolicySource } from '@podid/policy-model';

const POLICY_FILE = /\.ya?ml$/;

/**
 * Reads the policy at `path`: one file, or every *.yaml / *.yml file of a
 * folder in name order. Dot-entries are skipped, which leaves out a
 * ConfigMap's `..data` and timestamped folders while following its symlinks.
 * Unreadable files become problems, so they are reported like invalid ones.
 */
export function readPolicySources(path: string): { sources: PolicySource[]; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const read = (file: string): PolicySource | undefined => {
    try {
      return { name: file, text: readFileSync(file, 'utf8') };
    } catch (e) {
      problems.push({ file, line: 0, message: `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
      return undefined;
    }
  };
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    return { sources: [], problems: [{ file: path, line: 0, message: `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` }] };
  }
  if (!isDir) {
    const one = read(path);
    return { sources: one ? [one] : [], problems };
  }
  const names = readdirSync(path)
    .filter((n) => !n.startsWith('.') && POLICY_FILE.test(n))
    .sort()
    .filter((n) => {
      try {
        return statSync(join(path, n)).isFile();
      } catch {
        return false;
      }
    });
  if (names.length === 0) return { sources: [], problems: [{ file: path, line: 0, message: 'folder has no *.yaml or *.yml files' }] };
  const sources = names.map((n) => read(join(path, n))).filter((s): s is PolicySource => s !== undefined);
  return { sources, problems };
}
