import { join } from 'node:path';
import { freePort, makeTestPki, tmpDir, writeTlsEnv, type TestPki } from '@podid/testkit';

export const MAIN = join(__dirname, '../dist/main.js');

/** Env for a spawned token-issuer: mTLS files, free ports, a file key store, and the given Redis. */
export async function appEnv(redisUrl: string, pki?: TestPki): Promise<{ env: Record<string, string>; pki: TestPki; grpcPort: number; opsPort: number }> {
  const p = pki ?? (await makeTestPki('token-issuer'));
  const dir = tmpDir('podid-ti-');
  const [grpcPort, opsPort] = [await freePort(), await freePort()];
  const env = {
    ...writeTlsEnv(dir, 'token-issuer', await p.tls('token-issuer')),
    PODID_GRPC_HOST: '127.0.0.1',
    PODID_GRPC_PORT: String(grpcPort),
    PODID_OPS_HOST: '127.0.0.1',
    PODID_OPS_PORT: String(opsPort),
    REDIS_URL: redisUrl,
    PODID_REDIS_PREFIX: `t${grpcPort}:`,
    PODID_ISSUER: 'https://127.0.0.1:8443',
    PODID_TOKEN_KEYS_DIR: join(dir, 'keys'),
  };
  return { env, pki: p, grpcPort, opsPort };
}
