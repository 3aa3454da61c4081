import { parseClientConfig, type ClientConfig } from './config';
import { loadTrustedCas, type TrustedCas } from './trusted-cas';

/** Everything main needs from the environment. */
export interface LoadedClientConfig {
  readonly config: ClientConfig;
  readonly cas: TrustedCas;
  readonly warnings: Array<{ env: string; value: string }>;
}

/**
 * Parses the env and the CA. On any problem it prints one line per bad
 * variable to stderr and exits 1, as the Conjur client does (CAKC018).
 */
export function loadClientConfigOrExit(env: NodeJS.ProcessEnv = process.env): LoadedClientConfig {
  const parsed = parseClientConfig(env);
  const problems = parsed.ok ? [] : parsed.problems;
  let cas: TrustedCas | undefined;
  if (parsed.ok) {
    const loaded = loadTrustedCas(parsed.config);
    if (loaded.ok) cas = loaded.cas;
    else problems.push(loaded.problem);
  }
  if (!parsed.ok || cas === undefined) {
    for (const p of problems) process.stderr.write(`authn-client: config error: ${p}\n`);
    process.exit(1);
  }
  return { config: parsed.config, cas, warnings: parsed.warnings };
}
