import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, LogCapture } from '@podid/logging';
import { tmpDir, waitFor } from '@podid/testkit';
import { watchPolicy, type PolicyWatch } from './watch-policy';

describe('watchPolicy', () => {
  let watch: PolicyWatch | undefined;
  afterEach(() => watch?.close());

  function start(path: string, pollMs = 3_600_000) {
    let calls = 0;
    const capture = new LogCapture();
    watch = watchPolicy({ path, debounceMs: 20, pollMs, log: createLogger({ service: 'policy', destination: capture }), onChange: () => calls++ });
    return { calls: () => calls, capture };
  }

  it('fires after an in-place write to the watched file', async () => {
    const dir = tmpDir();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'a: 1\n');
    const w = start(file);
    writeFileSync(file, 'a: 2\n');
    await waitFor(() => w.calls() >= 1, { timeoutMs: 5000, message: 'onChange after a write' });
  });

  it('fires when an editor renames a new file over the old one, and keeps firing afterwards', async () => {
    const dir = tmpDir();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'a: 1\n');
    const w = start(file);
    writeFileSync(join(dir, '.policy.yaml.swp'), 'a: 2\n');
    renameSync(join(dir, '.policy.yaml.swp'), file);
    await waitFor(() => w.calls() >= 1, { timeoutMs: 5000, message: 'onChange after a rename' });
    const after = w.calls();
    writeFileSync(file, 'a: 3\n');
    await waitFor(() => w.calls() > after, { timeoutMs: 5000, message: 'onChange after a second write to the new inode' });
  });

  it('fires when a ConfigMap swaps its ..data symlink', async () => {
    const dir = tmpDir();
    mkdirSync(join(dir, '..v1'));
    mkdirSync(join(dir, '..v2'));
    symlinkSync(join(dir, '..v1'), join(dir, '..data'));
    const w = start(dir);
    symlinkSync(join(dir, '..v2'), join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await waitFor(() => w.calls() >= 1, { timeoutMs: 5000, message: 'onChange after a ..data swap' });
  });

  it('polls when the path cannot be watched, and says so', async () => {
    const w = start(join(tmpDir(), 'missing', 'policy.yaml'), 1000);
    expect(w.capture.withEvent('POLICY_WATCH_FAILED')).toHaveLength(1);
    await waitFor(() => w.calls() >= 1, { timeoutMs: 5000, message: 'onChange from the poll' });
  });
});
