// Composition root of the public gateway (docs/api.md); the wiring is in start-gateway.ts.
import { loadConfigOrExit } from '@podid/config';
import { createLogger } from '@podid/logging';
import { runMain } from '@podid/runtime';
import { gatewayConfigSchema } from './gateway-config';
import { startGateway } from './start-gateway';

const cfg = loadConfigOrExit('gateway', gatewayConfigSchema);
const log = createLogger({ service: 'gateway', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    const gw = await startGateway(cfg, log);
    log.event('SERVICE_READY', { https_port: gw.port, ops_port: gw.opsPort, platform_port: gw.platformPort });
    return gw;
  },
});
