// A process that uses runMain, for the lifecycle test. FIXTURE_STOP_MS makes stop() slow.
import { createLogger } from '@podid/logging';
import { runMain } from '../run-main';

const log = createLogger({ service: 'fixture' });
runMain({
  log,
  stopTimeoutMs: Number(process.env['FIXTURE_STOP_TIMEOUT_MS'] ?? 15_000),
  start: async () => {
    if (process.env['FIXTURE_FAIL_START']) throw new Error('cannot start');
    const timer = setInterval(() => undefined, 1000);
    log.event('SERVICE_READY');
    return {
      stop: async () => {
        await new Promise((r) => setTimeout(r, Number(process.env['FIXTURE_STOP_MS'] ?? 0)));
        clearInterval(timer);
      },
    };
  },
});
