import { InvalidArgumentError, UnauthenticatedError } from '@podid/errors';
import { callerToken } from './caller-token';
import { decodeForm, formField } from './form-field';
import { globToRegExp, matchesAny } from './glob-match';
import { decodePathParam } from './path-param';
import { parseRateSpec } from './rate-spec';

describe('rate spec', () => {
  it('parses <n>/<duration>', () => {
    expect(parseRateSpec('30/1m')).toEqual({ limit: 30, windowMs: 60_000 });
    expect(parseRateSpec('5/10s')).toEqual({ limit: 5, windowMs: 10_000 });
  });
  it.each(['', '30', '0/1m', '30/0s', '30/500ms', '30/2d', 'x/1m', '-1/1m', '30/1m/2'])('refuses %j', (s) => expect(parseRateSpec(s)).toBeUndefined());
});

describe('form fields', () => {
  it('reads jwt= as the Conjur client posts it, with + as space', () => {
    expect(formField('jwt=eyJ.a.b', 'jwt')).toBe('eyJ.a.b');
    expect(formField('a=1&token=x%2By+z', 'token')).toBe('x+y z');
    expect(formField('a=1', 'token')).toBeUndefined();
  });
  it('refuses bad escapes with a 400', () => {
    expect(() => formField('jwt=%zz', 'jwt')).toThrow(InvalidArgumentError);
    expect(() => decodeForm('%E0%A4%A')).toThrow(InvalidArgumentError);
  });
});

describe('path params', () => {
  it('decodes and bounds', () => {
    expect(decodePathParam('dev%2Dcluster', 'serviceId')).toBe('dev-cluster');
    for (const bad of ['%zz', 'a%2Fb', 'a%00', 'x'.repeat(254), '%5C']) expect(() => decodePathParam(bad, 'account')).toThrow(InvalidArgumentError);
  });
});

describe('caller token', () => {
  it('reads Conjur Token token="<base64 JSON>" and Bearer compact', () => {
    const json = '{"protected":"a","payload":"b","signature":"c"}';
    expect(callerToken(`Token token="${Buffer.from(json).toString('base64')}"`)).toBe(json);
    expect(callerToken('Bearer aa.bb.cc')).toBe('aa.bb.cc');
  });
  it.each([undefined, '', 'Basic x', 'Bearer a.b', 'Token token="bm90IGpzb24="', `Bearer ${'a'.repeat(20_000)}.b.c`])('refuses %j with 401', (h) =>
    expect(() => callerToken(h)).toThrow(UnauthenticatedError),
  );
});

describe('binding globs', () => {
  it('matches * and ? and treats the rest literally', () => {
    expect(matchesAny('demo-sa', ['demo-*'])).toBe(true);
    expect(matchesAny('demo', [])).toBe(true);
    expect(matchesAny('demoXsa', ['demo.sa'])).toBe(false);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(matchesAny('other', ['demo-*', 'x'])).toBe(false);
  });
});
