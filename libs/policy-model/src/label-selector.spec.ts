import { parseLabelSelector } from './label-selector';

describe('parseLabelSelector', () => {
  it('reads k=v and k==v pairs joined by commas', () => {
    expect(parseLabelSelector('app=web, tier==front,example.com/team=a,empty=')).toEqual({
      ok: true,
      requirements: [
        { key: 'app', value: 'web' },
        { key: 'tier', value: 'front' },
        { key: 'example.com/team', value: 'a' },
        { key: 'empty', value: '' },
      ],
    });
  });

  it.each([
    ['app!=web', 'negation is not supported'],
    ['!app', 'negation is not supported'],
    ['app', 'expected key=value or key==value'],
    ['app in (a,b)', 'expected key=value or key==value'],
    ['a=b,', 'expected key=value or key==value'],
    ['a===b', 'expected key=value or key==value'],
    ['bad key=v', 'expected a label key'],
    ['k=-v', 'expected a label value'],
  ])('rejects %j (%s)', (selector, reason) => {
    const r = parseLabelSelector(selector);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });
});
