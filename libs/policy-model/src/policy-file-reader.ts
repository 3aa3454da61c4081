import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { PolicyProblem } from './policy-problem';

/** A policy file above 1 MiB (about 5,000 annotated hosts) is a mistake or an attack; refuse it before parsing. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

/** A mapping value with the line of its key, so problems point at the field. */
export interface Field {
  readonly node: unknown;
  readonly line: number;
}

/**
 * Parses one policy file and reads typed values out of its YAML nodes,
 * collecting a located problem for everything wrong instead of throwing.
 */
export class PolicyFileReader {
  readonly problems: PolicyProblem[] = [];
  readonly root: unknown;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    text: string,
  ) {
    if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_FILE_BYTES) {
      this.problems.push({ file, line: 0, message: `file is larger than ${MAX_POLICY_FILE_BYTES} bytes` });
      return;
    }
    const doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const e of [...doc.errors, ...doc.warnings]) {
      const hint = e.message.startsWith('Unresolved tag') ? ' (Conjur policy tags such as !host are not podid policy; see docs/policy.md, "Migrating")' : '';
      this.problems.push({ file, line: this.lines.linePos(e.pos[0]).line, message: `YAML: ${e.message}${hint}` });
    }
    if (doc.errors.length === 0) this.root = doc.contents;
  }

  /** 1-based line of a node; 1 when the node has no position (for example an empty document). */
  lineOf(node: unknown): number {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? this.lines.linePos(range[0]).line : 1;
  }

  problem(line: number, message: string): void {
    this.problems.push({ file: this.file, line, message });
  }

  /** True for an absent value, `~`, `null` or an empty value. */
  isEmpty(node: unknown): boolean {
    return node === null || node === undefined || (isScalar(node) && node.value === null);
  }

  /** The fields of a mapping; unknown keys are problems. Undefined (and a problem) when node is not a mapping. */
  fields(node: unknown, what: string, allowed: readonly string[], line = this.lineOf(node)): Map<string, Field> | undefined {
    if (isAlias(node)) return void this.problem(line, `${what}: YAML aliases are not supported`);
    if (!isMap(node)) return void this.problem(line, `${what}: expected a mapping, got ${kindOf(node)}`);
    const out = new Map<string, Field>();
    for (const pair of node.items) {
      const keyLine = this.lineOf(pair.key);
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') {
        this.problem(keyLine, `${what}: keys must be strings`);
        continue;
      }
      const key = pair.key.value;
      if (!allowed.includes(key)) {
        this.problem(keyLine, `${what}: unknown field "${key}" (expected one of ${allowed.join(', ')})`);
        continue;
      }
      out.set(key, { node: pair.value, line: keyLine });
    }
    return out;
  }

  /** Every string-keyed entry of a mapping, in order (for free-form maps such as annotations). */
  entries(node: unknown, what: string, line = this.lineOf(node)): Array<{ key: string; node: unknown; line: number }> {
    if (this.isEmpty(node)) return [];
    const map = isMap(node) ? node : undefined;
    if (!map) return this.problem(line, `${what}: expected a mapping, got ${kindOf(node)}`), [];
    const out: Array<{ key: string; node: unknown; line: number }> = [];
    for (const pair of map.items) {
      const keyLine = this.lineOf(pair.key);
      if (isScalar(pair.key) && typeof pair.key.value === 'string') out.push({ key: pair.key.value, node: pair.value, line: keyLine });
      else this.problem(keyLine, `${what}: keys must be strings`);
    }
    return out;
  }

  /** Items of a sequence; an absent or empty value is an empty list. */
  items(field: Field | undefined, what: string): Field[] {
    if (!field || this.isEmpty(field.node)) return [];
    if (!isSeq(field.node)) return this.problem(field.line, `${what}: expected a list, got ${kindOf(field.node)}`), [];
    return field.node.items.map((node) => ({ node, line: this.lineOf(node) }));
  }

  /** A string scalar (numbers and booleans are taken as written). Undefined when absent; a problem when not a scalar. */
  string(field: Field | undefined, what: string): string | undefined {
    if (!field || this.isEmpty(field.node)) return undefined;
    const n = field.node;
    if (isScalar(n) && ['string', 'number', 'boolean'].includes(typeof n.value)) return typeof n.value === 'string' ? n.value : String(n.source ?? n.value);
    this.problem(field.line, `${what}: expected a string, got ${kindOf(n)}`);
    return undefined;
  }

  /** A string that must be present. */
  requiredString(field: Field | undefined, what: string, line: number): string | undefined {
    const s = this.string(field, what);
    if (s === undefined && (!field || this.isEmpty(field.node))) this.problem(field?.line ?? line, `${what} is required`);
    return s === '' ? (this.problem(field?.line ?? line, `${what} must not be empty`), undefined) : s;
  }

  /** A YAML boolean; absent gives the fallback. */
  boolean(field: Field | undefined, what: string, fallback: boolean): boolean {
    if (!field || this.isEmpty(field.node)) return fallback;
    if (isScalar(field.node) && typeof field.node.value === 'boolean') return field.node.value;
    this.problem(field.line, `${what}: expected true or false, got ${kindOf(field.node)}`);
    return fallback;
  }
}

function kindOf(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return 'an alias';
  if (isScalar(node)) return node.value === null ? 'null' : `${typeof node.value} ${JSON.stringify(node.value)?.slice(0, 60)}`;
  return 'an unsupported value';
}
