import type { PodFs } from './pod-fs';
import { podSpec, type ServiceAccountTokenProjection } from './pod-spec';
import { writeProjectedFile } from './pod-volumes';
import type { ServiceAccountTokens } from './token-request';
import { API_AUDIENCES } from './tokens';
import type { K8sObject, LogFn } from './types';

const DEFAULT_TTL_S = 3600;
/** The kubelet refreshes a projected token at 80% of its life. */
const REFRESH_AT = 0.8;
const RETRY_MS = 1000;

/**
 * Projected service-account token volumes: a token bound to the pod is written at `path` in the volume before the
 * containers start, and rewritten at 80% of its life.
 */
export class ProjectedTokens {
  constructor(
    private readonly podFs: PodFs,
    private readonly tokens: ServiceAccountTokens,
    private readonly pod: K8sObject,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly stopped: () => boolean,
    private readonly log: LogFn,
  ) {}

  /** Resolves once every token has been written once (or the runner stopped); refreshes go on in the background. */
  async start(): Promise<void> {
    const jobs: Array<{ dir: string; p: ServiceAccountTokenProjection }> = [];
    for (const v of podSpec(this.pod).volumes ?? [])
      for (const s of v.projected?.sources ?? [])
        if (v.name && s.serviceAccountToken) jobs.push({ dir: this.podFs.volumeDir(this.pod.metadata.namespace ?? 'default', this.pod.metadata.name ?? '', v.name), p: s.serviceAccountToken });
    await Promise.all(
      jobs.map(
        (j) =>
          new Promise<void>((firstWritten) => {
            void this.keepFresh(j.dir, j.p, firstWritten);
          }),
      ),
    );
  }

  private async keepFresh(dir: string, p: ServiceAccountTokenProjection, firstWritten: () => void): Promise<void> {
    const ttl = p.expirationSeconds ?? DEFAULT_TTL_S;
    let reported = false;
    while (!this.stopped()) {
      try {
        const spec = podSpec(this.pod);
        const issued = this.tokens.issue({
          namespace: this.pod.metadata.namespace ?? 'default',
          serviceAccount: spec.serviceAccountName ?? 'default',
          audiences: p.audience ? [p.audience] : API_AUDIENCES,
          expirationSeconds: ttl,
          pod: { name: this.pod.metadata.name ?? '', ...(this.pod.metadata.uid ? { uid: this.pod.metadata.uid } : {}) },
        });
        writeProjectedFile(dir, p.path ?? 'token', issued.token);
        firstWritten();
        await this.sleep(ttl * 1000 * REFRESH_AT);
      } catch (e) {
        if (!reported) this.log('SIM_CONTAINER_CONFIG_ERROR', `pod ${this.pod.metadata.namespace}/${this.pod.metadata.name}: cannot project a service-account token: ${(e as Error).message}; retrying`);
        reported = true;
        await this.sleep(RETRY_MS);
      }
    }
    firstWritten();
  }
}
