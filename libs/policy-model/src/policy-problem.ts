import { InvalidArgumentError } from '@podid/errors';

/** One thing wrong with a policy, located at a file and line (1-based; 0 when the file itself is the problem). */
export interface PolicyProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** `policy.yaml:12: host "x": ...`, the form operators and editors jump to. */
export function formatProblem(p: PolicyProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Thrown by parsePolicy when a policy has one or more problems; it carries all of them, in file order (as given) then line order. */
export class PolicyInvalidError extends InvalidArgumentError {
  readonly problems: readonly PolicyProblem[];

  constructor(problems: readonly PolicyProblem[]) {
    const fileOrder = new Map<string, number>();
    for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
    const sorted = [...problems].sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line);
    const shown = sorted.slice(0, 20).map(formatProblem);
    const more = sorted.length > 20 ? `\n... and ${sorted.length - 20} more` : '';
    super('POLICY_INVALID', `policy has ${sorted.length} problem(s):\n${shown.join('\n')}${more}`);
    this.problems = sorted;
  }
}
