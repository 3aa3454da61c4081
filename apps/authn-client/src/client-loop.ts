import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@podid/logging';
import type { Backoff } from './backoff';
import { LoginError } from './client-errors';
import type { ContainerMode } from './config';
import { describeFailure } from './describe-failure';
import { tokenLifetimeMs, tokenRefreshDelayMs } from './renewal-time';
import type { TokenSource } from './token-source';
import type { TokenState } from './token-state';
import { readTokenTimes } from './token-times';

/** Token lifetime assumed when the token carries no exp: Conjur's default. */
const DEFAULT_TOKEN_LIFE_MS = 8 * 60_000;

export interface ClientLoopOptions {
  readonly source: TokenSource;
  readonly writeToken: (body: Buffer) => Promise<void>;
  readonly tokenFile: string;
  readonly tokenState: TokenState;
  readonly backoff: Backoff;
  readonly mode: ContainerMode;
  /** CONJUR_TOKEN_TIMEOUT: the longest wait between two tokens. */
  readonly tokenTimeoutMs: number;
  /** Init mode only: give up after this long without a token. */
  readonly initTimeoutMs: number;
  readonly log: Logger;
  readonly now: () => Date;
  readonly signal: AbortSignal;
}

/** How the loop ended: init mode wrote its token, init mode gave up, or a stop was asked for. */
export type LoopOutcome = 'token_written' | 'gave_up' | 'stopped';

/**
 * Fetches a token, writes it, and waits until the token or the certificate
 * needs renewing; on failure it backs off with jitter and tries again. In
 * sidecar mode it runs until `signal` aborts; in init mode it ends after the
 * first token or after initTimeoutMs.
 */
export async function runClientLoop(o: ClientLoopOptions): Promise<LoopOutcome> {
  const deadline = o.mode === 'init' ? AbortSignal.timeout(o.initTimeoutMs) : undefined;
  const signal = deadline ? AbortSignal.any([o.signal, deadline]) : o.signal;
  const ended = (): LoopOutcome | undefined => (o.signal.aborted ? 'stopped' : deadline?.aborted ? giveUp(o) : undefined);
  for (;;) {
    let delayMs: number;
    try {
      const body = await o.source.fetchToken(signal);
      await o.writeToken(body);
      const received = o.now();
      const times = readTokenTimes(body);
      const lifeMs = tokenLifetimeMs(times, received) ?? DEFAULT_TOKEN_LIFE_MS;
      o.tokenState.record(received, lifeMs);
      o.log.event('CAKC035', { token_file: o.tokenFile, expires_in_ms: lifeMs, token_bytes: body.length });
      if (o.mode === 'init') {
        o.log.event('CLIENT_INIT_DONE', { token_file: o.tokenFile });
        return 'token_written';
      }
      delayMs = nextWakeMs(o, tokenRefreshDelayMs(times, received, o.tokenTimeoutMs));
      o.log.event('CAKC047', { delay_ms: delayMs });
    } catch (err) {
      const end = ended();
      if (end) return end;
      delayMs = o.backoff.next();
      const fields = { ...describeFailure(err), retry_in_ms: delayMs };
      o.log.event(err instanceof LoginError ? 'CAKC015' : 'CAKC016', fields);
      if (fields.cause === 'cert_wait_timeout') o.log.event('CAKC033', { detail: fields.detail });
    }
    try {
      await sleep(delayMs, undefined, { signal });
    } catch {
      return ended() ?? 'stopped';
    }
  }
}

/**
 * The sooner of the token refresh and the certificate renewal. A renewal that
 * is already due (it failed; the old certificate still works) is retried with
 * backoff; otherwise the backoff starts again from its initial delay.
 */
function nextWakeMs(o: ClientLoopOptions, tokenDelayMs: number): number {
  const renewAt = o.source.renewalAt();
  const renewIn = renewAt === undefined ? Infinity : renewAt.getTime() - o.now().getTime();
  if (renewIn <= 0) return Math.min(tokenDelayMs, o.backoff.next());
  o.backoff.reset();
  return Math.min(tokenDelayMs, Math.ceil(renewIn));
}

function giveUp(o: ClientLoopOptions): LoopOutcome {
  o.log.event('CAKC031', { init_timeout_ms: o.initTimeoutMs });
  return 'gave_up';
}
