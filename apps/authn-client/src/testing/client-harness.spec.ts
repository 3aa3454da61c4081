import { existsSync, writeFileSync } from 'node:fs';
import { makePodDirs, removePodDirs } from './client-harness';

describe('client harness pod dirs', () => {
  it('removePodDirs deletes every cert and token dir it made, with their files', () => {
    const made = [makePodDirs(), makePodDirs()];
    for (const d of made) writeFileSync(d.tokenFile, 'x');
    removePodDirs();
    for (const d of made) expect([existsSync(d.certDir), existsSync(d.tokenDir)]).toEqual([false, false]);
  });
});
