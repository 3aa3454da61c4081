import { renderToken, tokenRepresentation } from './token-representation';

describe('token representation (Conjur Accept / Accept-Encoding rules)', () => {
  it('defaults to flattened JSON; Go clients send gzip, which does not count', () => {
    expect(tokenRepresentation(undefined, undefined)).toEqual({ form: 'json', base64: false });
    expect(tokenRepresentation('*/*', 'gzip')).toEqual({ form: 'json', base64: false });
  });
  it('finds base64 in a comma list, case-insensitively, with q-values', () => {
    expect(tokenRepresentation(undefined, 'gzip, BASE64')).toEqual({ form: 'json', base64: true });
    expect(tokenRepresentation(undefined, 'base64;q=0.5')).toEqual({ form: 'json', base64: true });
    expect(tokenRepresentation(undefined, 'notbase64')).toEqual({ form: 'json', base64: false });
  });
  it('answers application/jwt with the compact form', () => {
    expect(tokenRepresentation('application/json, Application/JWT;q=0.9', undefined)).toEqual({ form: 'compact', base64: false });
  });
  it('renders bodies and headers', () => {
    const t = { flattenedJson: '{"protected":"p","payload":"q","signature":"s"}', compact: 'p.q.s' };
    expect(renderToken(t, { form: 'json', base64: false })).toEqual({ body: t.flattenedJson, headers: { 'content-type': 'application/json' } });
    expect(renderToken(t, { form: 'compact', base64: false })).toEqual({ body: 'p.q.s', headers: { 'content-type': 'application/jwt' } });
    const b = renderToken(t, { form: 'json', base64: true });
    expect(Buffer.from(b.body, 'base64').toString()).toBe(t.flattenedJson);
    expect(b.headers).toEqual({ 'content-type': 'text/plain', 'content-encoding': 'base64' });
  });
});
