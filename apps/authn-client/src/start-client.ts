import { existsSync } from 'node:fs';
import type { Logger } from '@podid/logging';
import { startOpsServer, type OpsServer } from '@podid/runtime';
import { Backoff } from './backoff';
import { generateClientKey } from './client-key';
import { runClientLoop, type LoopOutcome } from './client-loop';
import type { ClientConfig } from './config';
import { createConjurApi } from './conjur-http-client';
import { JwtTokenSource } from './jwt-token-source';
import { K8sTokenSource } from './k8s-token-source';
import type { TokenSource } from './token-source';
import { TokenState } from './token-state';
import type { TrustedCas } from './trusted-cas';
import { writeTokenFile } from './write-token-file';

export interface StartClientOptions {
  readonly config: ClientConfig;
  readonly cas: TrustedCas;
  readonly warnings?: ReadonlyArray<{ env: string; value: string }>;
  readonly log: Logger;
  /** Called with 0 after init mode wrote its token, 1 when init mode gave up; not called on stop(). */
  readonly onExit?: (code: number) => void;
  readonly now?: () => Date;
}

export interface RunningClient {
  /** Port of the health server; undefined when PODID_HEALTH_PORT=0. */
  readonly healthPort: number | undefined;
  readonly finished: Promise<LoopOutcome>;
  stop(): Promise<void>;
}

/**
 * Wires the client: key (k8s flow), API client, token source, health server
 * and the loop. Everything is built once here; nothing is global.
 */
export async function startClient(o: StartClientOptions): Promise<RunningClient> {
  const { config: c, log } = o;
  const now = o.now ?? (() => new Date());
  for (const w of o.warnings ?? []) log.event('CAKC034', { env: w.env, value: w.value });
  log.event('CAKC048', { flow: c.flow, mode: c.mode, url: c.authnUrl, account: c.account, login: c.login, key_type: c.flow === 'k8s' ? c.keyType : undefined });
  if (o.cas.usesSystemStore) log.event('CLIENT_TRUST_SYSTEM_CAS', { explicit_ca: o.cas.ca !== undefined });
  const api = createConjurApi({ authnUrl: c.authnUrl, account: c.account, ca: o.cas.ca });
  const source: TokenSource =
    c.flow === 'k8s'
      ? new K8sTokenSource({
          api,
          key: await generateClientKey(c.keyType),
          login: c.login as string,
          podName: c.podName as string,
          podNamespace: c.podNamespace as string,
          clientCertPath: c.clientCertPath,
          certWaitMs: c.certWaitMs,
          log,
          now,
        })
      : new JwtTokenSource({ api, jwtTokenPath: c.jwtTokenPath, login: c.login, log });
  const tokenState = new TokenState();
  const health: OpsServer | undefined =
    c.healthPort === 0
      ? undefined
      : await startOpsServer({ host: c.healthHost, port: c.healthPort, ready: () => tokenState.isFresh(now()) && existsSync(c.tokenFile) });
  const abort = new AbortController();
  const finished = runClientLoop({
    source,
    writeToken: (body) => writeTokenFile(c.tokenFile, body),
    tokenFile: c.tokenFile,
    tokenState,
    backoff: new Backoff({ initialMs: c.backoffInitialMs, maxMs: c.backoffMaxMs }),
    mode: c.mode,
    tokenTimeoutMs: c.tokenTimeoutMs,
    initTimeoutMs: c.initTimeoutMs,
    log,
    now,
    signal: abort.signal,
  });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      abort.abort();
      await finished;
      await health?.close();
    })());
  void finished.then(async (outcome) => {
    if (outcome === 'stopped') return;
    await stop();
    o.onExit?.(outcome === 'token_written' ? 0 : 1);
  });
  log.event('SERVICE_READY', { health_port: health?.port });
  return { healthPort: health?.port, finished, stop };
}
