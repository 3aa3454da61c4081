import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { isLogFieldName } from './fields';

const ROOT = join(__dirname, '../../..');

/**
 * The one camelCase name still logged: `logId` is also in the text of error
 * answers (`internal error (logId=...)`), which clients may parse.
 */
const LEGACY: Record<string, string[]> = {
  logId: ['apps/gateway/', 'libs/grpc/'],
};

/** `name file:line` for every literal key of an `event(code, { ... })` or `child({ ... })` argument that breaks the rule. */
function badFieldNames(): string[] {
  const files = execFileSync('git', ['ls-files', 'apps/*.ts', 'libs/*.ts', 'tools/*.ts'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.endsWith('.spec.ts') && !f.includes('/gen/'));
  const bad: string[] = [];
  for (const file of files) {
    const src = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const method = n.expression.name.text;
        const arg = method === 'event' ? n.arguments[1] : method === 'child' ? n.arguments[0] : undefined;
        if (arg && ts.isObjectLiteralExpression(arg)) {
          for (const p of arg.properties) {
            if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
            const name = p.name.text;
            if (isLogFieldName(name) || LEGACY[name]?.some((dir) => file.startsWith(dir))) continue;
            bad.push(`${name} ${file}:${src.getLineAndCharacterOfPosition(p.getStart()).line + 1}`);
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return bad;
}

describe('log field names', () => {
  it('are snake_case words', () => {
    expect(['pod_uid', 'grpc_port', 'err', 'csr_sha256'].filter(isLogFieldName)).toHaveLength(4);
    expect(['grpcPort', 'Pod', 'pod__uid', '_x', 'x_', 'kube-credentials'].filter(isLogFieldName)).toEqual([]);
  });

  it('follow the rule in every event and child logger of the repo', () => {
    expect(badFieldNames()).toEqual([]);
  });
});
