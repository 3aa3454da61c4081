import { fdCount, slope } from './proc-stats';

describe('proc-stats', () => {
  it('slope: the least-squares trend, 0 for a flat or single series', () => {
    expect(slope([[0, 1], [1, 3], [2, 5], [3, 7]])).toBeCloseTo(2);
    expect(slope([[0, 5], [1, 4], [2, 6], [3, 5]])).toBeCloseTo(0.2);
    expect(slope([[0, 5], [1, 5]])).toBe(0);
    expect(slope([[0, 5]])).toBe(0);
    expect(slope([[1, 5], [1, 9]])).toBe(0);
  });

  it('fdCount: counts this process\'s descriptors and sees one more opened', async () => {
    const { open } = await import('node:fs/promises');
    const before = fdCount(process.pid);
    const fh = await open(__filename, 'r');
    try {
      expect(fdCount(process.pid)).toBe(before + 1);
    } finally {
      await fh.close();
    }
  });
});
