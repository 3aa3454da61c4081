/** Operations per second of `op`, run back to back for about `ms` after a short warm-up. */
export async function measureRate(op: () => unknown, ms: number): Promise<{ perSecond: number; count: number }> {
  for (let i = 0; i < 3; i++) await op();
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let t = start;
  while (t < end) {
    await op();
    count++;
    t = process.hrtime.bigint();
  }
  return { perSecond: count / (Number(t - start) / 1e9), count };
}
