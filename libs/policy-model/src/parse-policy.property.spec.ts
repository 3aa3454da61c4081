import fc from 'fast-check';
import { fcParams } from '@podid/testkit';
import { parsePolicy } from './parse-policy';
import { PolicyInvalidError } from './policy-problem';

/** Parsing must either return a policy or throw PolicyInvalidError: never a TypeError or a YAML exception. */
function parsesOrRefuses(text: string): boolean {
  try {
    parsePolicy([{ name: 'fuzz.yaml', text }]);
    return true;
  } catch (e) {
    if (e instanceof PolicyInvalidError && e.problems.length > 0 && e.problems.every((p) => p.file === 'fuzz.yaml' && p.line >= 0)) return true;
    throw e;
  }
}

const token = fc.constantFrom(
  'account', 'authenticators', 'hosts', 'id', 'type', 'authn-k8s', 'authn-jwt', 'enabled', 'certTtl', 'tokenTtl', 'jwt', 'audience',
  'annotations', 'grants', 'authn-k8s/namespace', 'authn-k8s/prod/pod', 'authn-k8s/deployment', 'status', '24h', '8m', 'true', '~', '*', '&a', '*a', '!host', '[', ']', '{', '}', '"', "'", '|', '>',
);
const line = fc.tuple(fc.nat({ max: 6 }), fc.array(fc.oneof(token, fc.constantFrom(':', ': ', '- ', ', ', '#')), { maxLength: 6 })).map(([indent, parts]) => ' '.repeat(indent) + parts.join(''));

describe('parsePolicy on arbitrary input', () => {
  it('never throws an untyped error for random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), parsesOrRefuses), fcParams(300));
  });

  it('never throws an untyped error for YAML-shaped text built from policy words', () => {
    fc.assert(fc.property(fc.array(line, { maxLength: 20 }).map((l) => l.join('\n')), parsesOrRefuses), fcParams(500));
  });
});
