import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '@podid/config';
import { createLogger, LogCapture } from '@podid/logging';
import { makeTestPki, startRedis, tmpDir, writeTlsEnv, type RedisHandle } from '@podid/testkit';
import { createCa, issueServiceCert, type CertAndKey } from '@podid/x509';
import { gatewayConfigSchema } from '../gateway-config';
import { startGateway, type RunningGateway } from '../start-gateway';
import { startFakeUpstreams, type FakeUpstreams } from './fake-upstreams';

export interface TestGateway {
  readonly url: string;
  readonly gw: RunningGateway;
  /** CA of the serving certificate. */
  readonly caPem: string;
  readonly servingCa: CertAndKey;
  readonly certFile: string;
  readonly keyFile: string;
  readonly fakes: FakeUpstreams;
  readonly logs: LogCapture;
  readonly redis: RedisHandle;
  stop(): Promise<void>;
}

/** The gateway in this process, over real HTTPS, against fake upstreams (real gRPC mTLS) and a real redis-server. */
export async function startTestGateway(env: Record<string, string> = {}, redis?: RedisHandle): Promise<TestGateway> {
  const dir = tmpDir('podid-gw-');
  const pki = await makeTestPki('gw');
  const fakes = await startFakeUpstreams(pki);
  const ownRedis = !redis;
  const r = redis ?? (await startRedis());
  const servingCa = await createCa({ commonName: 'gateway test CA', now: new Date(), ttlMs: 86_400_000 });
  const serving = await issueServiceCert({ ca: servingCa, service: 'gateway', now: new Date(), ttlMs: 86_400_000 });
  const certFile = join(dir, 'serving.pem');
  const keyFile = join(dir, 'serving-key.pem');
  writeFileSync(certFile, serving.certPem);
  writeFileSync(keyFile, serving.keyPem);
  const cfg = loadConfig(gatewayConfigSchema, {
    ...writeTlsEnv(dir, 'gateway', await pki.tls('gateway')),
    PODID_GATEWAY_HOST: '127.0.0.1',
    PODID_GATEWAY_PORT: '0',
    PODID_PLATFORM_HOST: '127.0.0.1',
    PODID_PLATFORM_PORT: '0',
    PODID_OPS_HOST: '127.0.0.1',
    PODID_OPS_PORT: '0',
    PODID_GATEWAY_TLS_CERT_FILE: certFile,
    PODID_GATEWAY_TLS_KEY_FILE: keyFile,
    PODID_POLICY_ADDR: fakes.addrs.policyAddr,
    PODID_POD_VERIFIER_ADDR: fakes.addrs.podVerifierAddr,
    PODID_CA_SIGNER_ADDR: fakes.addrs.caSignerAddr,
    PODID_CERT_INJECTOR_ADDR: fakes.addrs.certInjectorAddr,
    PODID_TOKEN_ISSUER_ADDR: fakes.addrs.tokenIssuerAddr,
    REDIS_URL: r.url,
    PODID_REDIS_PREFIX: `t${Math.random().toString(36).slice(2, 10)}:`,
    ...env,
  });
  const logs = new LogCapture();
  const gw = await startGateway(cfg, createLogger({ service: 'gateway', level: 'debug', destination: logs }));
  return {
    url: `https://127.0.0.1:${gw.port}`,
    gw,
    caPem: servingCa.certPem,
    servingCa,
    certFile,
    keyFile,
    fakes,
    logs,
    redis: r,
    async stop() {
      await gw.stop();
      await fakes.stop();
      if (ownRedis) await r.stop();
    },
  };
}
