import { absentPods } from './absent-pods';

describe('absentPods', () => {
  const all = () => true;

  it('returns the token-holding pods missing from the cache', () => {
    const live = [
      { namespace: 'a', podUid: 'u1' },
      { namespace: 'a', podUid: 'u2' },
      { namespace: 'b', podUid: 'u3' },
    ];
    expect(absentPods(live, new Set(['u2']), all)).toEqual([live[0], live[2]]);
  });

  it('leaves pods of unwatched namespaces alone', () => {
    const live = [
      { namespace: 'watched', podUid: 'u1' },
      { namespace: 'elsewhere', podUid: 'u2' },
    ];
    expect(absentPods(live, new Set(), (ns) => ns === 'watched')).toEqual([live[0]]);
  });

  it('returns nothing when every pod is present or none holds a token', () => {
    expect(absentPods([{ namespace: 'a', podUid: 'u1' }], new Set(['u1', 'u9']), all)).toEqual([]);
    expect(absentPods([], new Set(['u1']), all)).toEqual([]);
  });
});
