import { measureRate } from './measure-rate';

describe('measureRate', () => {
  it('counts operations and reports a positive rate', async () => {
    let n = 0;
    const r = await measureRate(() => n++, 20);
    expect(r.count).toBeGreaterThan(0);
    expect(n).toBe(r.count + 3); // plus the warm-up
    expect(r.perSecond).toBeGreaterThan(0);
  });
});
