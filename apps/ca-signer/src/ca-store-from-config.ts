import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '@podid/kube';
import type { Logger } from '@podid/logging';
import type { CaStore } from './ca-store';
import type { Config } from './config';
import { fileCaStore } from './file-ca-store';
import { secretCaStore } from './secret-ca-store';

/** Builds the one CA store the config names (the Kubernetes client is built once, here). */
export function caStoreFromConfig(cfg: Config, log: Logger, now: () => Date): CaStore {
  if (cfg.caDir) {
    log.event('CA_SOURCE_CONFIGURED', { dir: cfg.caDir, create: cfg.caCreate });
    return fileCaStore({
      dir: cfg.caDir,
      createAlgorithm: cfg.caCreate ? cfg.caCreateAlgorithm : undefined,
      now,
      onInsecureKeyMode: (path, mode) => log.event('CA_KEY_FILE_MODE', { path, mode: mode.toString(8) }),
    });
  }
  const { kc, source } = loadKubeConfig(cfg.kubeconfig);
  log.event('CA_SOURCE_CONFIGURED', { namespace: cfg.caSecretNamespace, credentials: source });
  return secretCaStore({ api: kc.makeApiClient(CoreV1Api), namespace: cfg.caSecretNamespace });
}
