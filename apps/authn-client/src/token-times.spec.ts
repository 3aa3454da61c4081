import { readTokenTimes } from './token-times';

const b64 = (o: unknown, pad = false) => {
  const s = Buffer.from(JSON.stringify(o)).toString('base64url');
  return pad ? s + '='.repeat((4 - (s.length % 4)) % 4) : s;
};

describe('readTokenTimes', () => {
  it('reads iat/exp from the flattened JWS JSON, with or without Ruby padding', () => {
    expect(readTokenTimes(JSON.stringify({ protected: 'x', payload: b64({ iat: 10, sub: 'host/a', exp: 490 }, true), signature: 'y' }))).toEqual({ iat: 10, exp: 490 });
    expect(readTokenTimes(Buffer.from(JSON.stringify({ protected: 'x', payload: b64({ iat: 1, exp: 2 }), signature: 'y' })))).toEqual({ iat: 1, exp: 2 });
  });

  it('reads a compact JWS, and gives undefined for anything else', () => {
    expect(readTokenTimes(`${b64({ alg: 'ES256' })}.${b64({ exp: 7 })}.sig`)).toEqual({ iat: undefined, exp: 7 });
    expect(readTokenTimes('not a token')).toBeUndefined();
    expect(readTokenTimes('{"payload":"!!!"}')).toBeUndefined();
    expect(readTokenTimes('{broken')).toBeUndefined();
  });
});
