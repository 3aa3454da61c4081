import { bool, duration, int, list, optionalStr, port, redisPrefixField, str, trustDomainField, type ConfigOf, type Field } from '@podid/config';
import { parseRedisUrl } from '@podid/redis-stores';
import { peerAddressFields, serviceFields } from '@podid/runtime';
import { parseRateSpec, type RateSpec } from './protocol/rate-spec';
import { isIpOrCidr } from './protocol/trusted-proxies';

/** `<n>/<duration>` such as `30/1m`. */
function rate(env: string, def: RateSpec): Field<RateSpec> {
  return {
    env,
    parse(raw) {
      if (raw === undefined || raw === '') return { ok: true, value: def };
      const v = parseRateSpec(raw);
      return v ? { ok: true, value: v } : { ok: false, expected: '<n>/<duration> such as 30/1m (n 1..1000000, window 1s..1d)' };
    },
  };
}

/** REDIS_URL: standalone, Sentinel or Cluster, as libs/redis-stores reads it. */
function redisUrl(env: string, def: string): Field<string> {
  return {
    env,
    parse(raw) {
      const v = raw === undefined || raw === '' ? def : raw;
      try {
        parseRedisUrl(v);
        return { ok: true, value: v };
      } catch (e) {
        return { ok: false, expected: e instanceof Error ? e.message : 'a Redis URL' };
      }
    },
  };
}

/** A connection timeout of the public server: 100ms..10m. */
const connectionTimeout = (env: string, def: number) => duration({ env, default: def, min: 100, max: 600_000, minText: '100ms', maxText: '10m' });

/** Every env var the gateway reads (docs/configuration.md lists them). */
export const gatewayConfigSchema = {
  ...serviceFields,
  ...peerAddressFields,
  gatewayHost: str({ env: 'PODID_GATEWAY_HOST', default: '0.0.0.0' }),
  gatewayPort: port({ env: 'PODID_GATEWAY_PORT', default: 8443 }),
  gatewayCertFile: str({ env: 'PODID_GATEWAY_TLS_CERT_FILE' }),
  gatewayKeyFile: str({ env: 'PODID_GATEWAY_TLS_KEY_FILE' }),
  account: str({ env: 'PODID_ACCOUNT', default: 'default', pattern: /^[A-Za-z0-9._-]{1,128}$/ }),
  trustedProxies: list({ env: 'PODID_TRUSTED_PROXIES', default: [], item: isIpOrCidr, itemText: 'IP addresses or CIDR blocks' }),
  issuer: optionalStr({ env: 'PODID_ISSUER' }),
  trustDomain: trustDomainField,
  redisUrl: redisUrl('REDIS_URL', 'redis://127.0.0.1:6379'),
  redisPrefix: redisPrefixField,
  rateIp: rate('PODID_RATE_LIMIT_IP', { limit: 60, windowMs: 60_000 }),
  // Every replica of a Deployment logs in as the same host: sized for rollouts of hundreds of pods, not for one.
  rateHost: rate('PODID_RATE_LIMIT_HOST', { limit: 600, windowMs: 60_000 }),
  ratePod: rate('PODID_RATE_LIMIT_POD', { limit: 30, windowMs: 60_000 }),
  handshakeTimeoutMs: connectionTimeout('PODID_GATEWAY_HANDSHAKE_TIMEOUT', 10_000),
  headersTimeoutMs: connectionTimeout('PODID_GATEWAY_HEADERS_TIMEOUT', 15_000),
  requestTimeoutMs: connectionTimeout('PODID_GATEWAY_REQUEST_TIMEOUT', 30_000),
  keepAliveTimeoutMs: connectionTimeout('PODID_GATEWAY_KEEPALIVE_TIMEOUT', 5_000),
  idleTimeoutMs: connectionTimeout('PODID_GATEWAY_IDLE_TIMEOUT', 15_000),
  maxConnections: int({ env: 'PODID_GATEWAY_MAX_CONNECTIONS', default: 4096, min: 1, max: 1_000_000 }),
  maxConnectionsPerIp: int({ env: 'PODID_GATEWAY_MAX_CONNECTIONS_PER_IP', default: 64, min: 1, max: 1_000_000 }),
  // The platform gRPC API (docs/api.md, Platform gRPC API).
  platformEnabled: bool({ env: 'PODID_PLATFORM_API', default: true }),
  platformHost: str({ env: 'PODID_PLATFORM_HOST', default: '0.0.0.0' }),
  platformPort: port({ env: 'PODID_PLATFORM_PORT', default: 8444 }),
  ratePlatform: rate('PODID_RATE_LIMIT_PLATFORM', { limit: 600, windowMs: 60_000 }),
  platformMaxDeadlineMs: duration({ env: 'PODID_PLATFORM_MAX_DEADLINE', default: 30_000, min: 100, max: 300_000, minText: '100ms', maxText: '5m' }),
  platformAuditBuffer: int({ env: 'PODID_PLATFORM_AUDIT_BUFFER', default: 1000, min: 1, max: 100_000 }),
  platformAuditRecheckMs: duration({ env: 'PODID_PLATFORM_AUDIT_RECHECK', default: 30_000, min: 100, max: 3_600_000, minText: '100ms', maxText: '1h' }),
  platformAuditStallMs: duration({ env: 'PODID_PLATFORM_AUDIT_STALL', default: 5000, min: 100, max: 300_000, minText: '100ms', maxText: '5m' }),
  auditStreamMaxLen: int({ env: 'PODID_AUDIT_STREAM_MAXLEN', default: 100_000, min: 100, max: 10_000_000 }),
};

export type GatewayConfig = ConfigOf<typeof gatewayConfigSchema>;
