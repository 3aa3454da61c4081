/** One container of one pod. */
export interface ExecTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

/** How a command ended. stdout and stderr are capped (see {@link MAX_EXEC_OUTPUT_BYTES}). */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Bytes of stdout/stderr kept per exec: enough for an error message, bounded against a chatty container. */
export const MAX_EXEC_OUTPUT_BYTES = 4096;

/**
 * Runs a command in a container (Kubernetes pods/exec). Resolves with the
 * exit code once the command ended. Rejects with {@link ExecStartError} when
 * the command never started, with a DeadlineExceededError on timeout, and
 * with a DependencyUnavailableError when the stream broke after it started.
 */
export interface ContainerExec {
  run(target: ExecTarget, command: readonly string[], stdin: string, timeoutMs: number): Promise<ExecResult>;
}

/**
 * The exec was refused or could not connect: the command did not run.
 * `status` is the API server's HTTP status, absent for a connection error.
 */
export class ExecStartError extends Error {
  constructor(
    readonly status: number | undefined,
    /** The API server's Status message, or the socket error code. */
    readonly reason: string,
  ) {
    super(status === undefined ? `exec did not connect: ${reason}` : `exec refused (HTTP ${status}): ${reason}`);
    this.name = 'ExecStartError';
  }

  /** Only a connection error or a 5xx before the command started is safe to retry. */
  get retryable(): boolean {
    return this.status === undefined || this.status >= 500;
  }
}
