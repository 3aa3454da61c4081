import { createLogger } from '@podid/logging';
import { runMain } from '@podid/runtime';
import { loadClientConfigOrExit } from './load-client-config';
import { startClient } from './start-client';

// Composition root of the sidecar / init container; see docs/authn-client.md.
const { config, cas, warnings } = loadClientConfigOrExit(process.env);
const log = createLogger({ service: 'authn-client', level: config.logLevel });

runMain({
  log,
  start: () => startClient({ config, cas, warnings, log, onExit: (code) => process.exit(code) }),
});
