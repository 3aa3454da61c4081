import { loadConfigOrExit, readTlsFiles } from '@podid/config';
import { createLogger } from '@podid/logging';
import { startGrpcServer } from '@podid/grpc';
import { loadKubeConfig } from '@podid/kube';
import { countRedisErrors, createRedis, FileKeyStore, RedisLivePodStore, RedisRevocationStore, SecretKeyStore } from '@podid/redis-stores';
import { createMetricsRegistry, runMain, startOpsServer } from '@podid/runtime';
import { defaultRotationPolicy } from '@podid/tokens';
import { keyStoreProblem, tokenIssuerFields } from './config';
import { KeyManager } from './key-manager';
import { tokenIssuerService } from './token-issuer-handlers';
import { TokenService } from './token-service';

const cfg = loadConfigOrExit('token-issuer', tokenIssuerFields);
const problem = keyStoreProblem(cfg);
if (problem) {
  process.stderr.write(`token-issuer: config error: ${problem}\n`);
  process.exit(78);
}
const log = createLogger({ service: 'token-issuer', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    const redis = createRedis(cfg.redisUrl);
    // Once per outage, not once per reconnect attempt.
    let redisDown = false;
    redis.on('ready', () => (redisDown = false));
    redis.on('error', (err: Error) => !redisDown && ((redisDown = true), log.event('REDIS_UNAVAILABLE', { err: err.message })));
    const store = cfg.keysDir ? new FileKeyStore(cfg.keysDir) : new SecretKeyStore({ kc: loadKubeConfig(cfg.kubeconfig).kc, namespace: cfg.keysSecretNamespace!, name: cfg.keysSecretName });
    const policy = defaultRotationPolicy(cfg.rotationMs, cfg.maxTtlMs);
    const keys = new KeyManager({ store, policy, log });
    await keys.open();
    keys.start(Math.min(60_000, Math.max(1000, Math.floor(policy.propagationMs / 5))));
    const revocations = new RedisRevocationStore({ redis, prefix: cfg.redisPrefix });
    const livePods = new RedisLivePodStore({ redis, prefix: cfg.redisPrefix });
    const tokens = new TokenService({ keys, revocations, livePods, issuer: cfg.issuer, audience: cfg.audience, maxTtlSeconds: Math.floor(cfg.maxTtlMs / 1000), log });
    const registry = createMetricsRegistry();
    countRedisErrors(redis, registry);
    const grpc = await startGrpcServer({ host: cfg.grpcHost, port: cfg.grpcPort, tls, log, registry, services: [tokenIssuerService({ tokens, keys, issuer: cfg.issuer })] });
    const ops = await startOpsServer({ host: cfg.opsHost, port: cfg.opsPort, ready: () => keys.ring.keys.some((k) => k.state === 'active'), registry });
    log.event('SERVICE_READY', { grpcPort: grpc.port, opsPort: ops.port, keyStore: store.description });
    return {
      stop: async () => {
        keys.stop();
        await grpc.stop();
        await ops.close();
        redis.disconnect();
      },
    };
  },
});
