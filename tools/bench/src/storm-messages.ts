/** Messages between storm-bench.ts and its load generator process (storm-loadgen.ts). */

export interface LoadPod {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
  /** The authenticator container's root on disk, where the injector writes etc/conjur/ssl/client.pem. */
  readonly root: string;
}

export type ToLoadgen =
  | { type: 'prepare'; gatewayUrl: string; caPem: string; hostId: string; pods: LoadPod[]; concurrency: number; retry: boolean }
  | { type: 'go' }
  | { type: 'open-idle'; n: number; firstAddress: number; concurrency: number }
  | { type: 'close-idle' };

export interface LoginFailure {
  readonly pod: string;
  readonly stage: 'inject' | 'cert-file' | 'authenticate' | 'transport';
  readonly status?: number;
  readonly detail: string;
}

export interface StormResult {
  /** From the first request sent to the last token received. */
  readonly wallMs: number;
  /** Per pod that got a token: its first request sent to its token received, retries included. */
  readonly loginMs: number[];
  /** Per pod that got a token: the successful inject_client_cert request alone. */
  readonly injectMs: number[];
  /** Attempts per pod that got a token. */
  readonly attempts: number[];
  /** Pods that got no token (with retries: within the sidecar's backoff budget); the last refusal of each. */
  readonly failures: LoginFailure[];
  /** Every refused or failed attempt, retried or not. */
  readonly refusals: LoginFailure[];
}

export type FromLoadgen =
  | { type: 'ready'; prepareMs: number }
  | { type: 'done'; result: StormResult }
  | { type: 'idle-open'; open: number; refused: number }
  | { type: 'error'; message: string };
