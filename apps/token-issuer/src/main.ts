import { readTlsFiles } from '@podid/config';
import { loadKubeConfig } from '@podid/kube';
import { createLogger } from '@podid/logging';
import { countRedisErrors, createRedis, FileKeyStore, RedisAuditStream, RedisLivePodStore, RedisRevocationStore, SecretKeyStore } from '@podid/redis-stores';
import { createMetricsRegistry, runMain, serveGrpc } from '@podid/runtime';
import { defaultRotationPolicy } from '@podid/tokens';
import { readConfig } from './config';
import { KeyManager } from './key-manager';
import { logRedisOutages } from './redis-outage-log';
import { tokenIssuerService } from './service';
import { TokenService } from './token-service';

const cfg = readConfig();
const log = createLogger({ service: 'token-issuer', level: cfg.logLevel });

runMain({
  log,
  start: async () => {
    const tls = readTlsFiles(cfg);
    const registry = createMetricsRegistry();
    const redis = createRedis(cfg.redisUrl);
    logRedisOutages(redis, log);
    countRedisErrors(redis, registry);
    const store = cfg.keysDir ? new FileKeyStore(cfg.keysDir) : new SecretKeyStore({ kc: loadKubeConfig(cfg.kubeconfig).kc, namespace: cfg.keysSecretNamespace!, name: cfg.keysSecretName });
    const policy = defaultRotationPolicy(cfg.rotationMs, cfg.maxTtlMs);
    const keys = new KeyManager({ store, policy, log });
    await keys.open();
    keys.start(Math.min(60_000, Math.max(1000, Math.floor(policy.propagationMs / 5))));
    const [revocations, livePods, audit] = [new RedisRevocationStore({ redis, prefix: cfg.redisPrefix }), new RedisLivePodStore({ redis, prefix: cfg.redisPrefix }), new RedisAuditStream({ redis, prefix: cfg.redisPrefix })];
    const tokens = new TokenService({ keys, revocations, livePods, issuer: cfg.issuer, audience: cfg.audience, maxTtlSeconds: Math.floor(cfg.maxTtlMs / 1000), log });
    const ready = () => keys.ring.keys.some((k) => k.state === 'active');
    const serving = await serveGrpc({ cfg, tls, log, registry, services: [tokenIssuerService({ tokens, keys, issuer: cfg.issuer, audit })], ready, readyFields: { key_store: store.description } });
    return {
      stop: async () => {
        keys.stop();
        await serving.stop();
        redis.disconnect();
      },
    };
  },
});
