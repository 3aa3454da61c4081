import { queryEscape } from './query-escape';

describe('queryEscape (Go url.QueryEscape)', () => {
  it('escapes slashes and reserved characters, keeps unreserved ones, turns space into +', () => {
    expect(queryEscape('host/conjur/authn-k8s/prod/apps/my_app.v1~x')).toBe('host%2Fconjur%2Fauthn-k8s%2Fprod%2Fapps%2Fmy_app.v1~x');
    expect(queryEscape("a b!'()*@:+")).toBe('a+b%21%27%28%29%2A%40%3A%2B');
    expect(queryEscape('é')).toBe('%C3%A9');
  });
});
