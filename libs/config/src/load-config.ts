import type { Field } from './fields';

export type Schema = Record<string, Field<unknown>>;
export type ConfigOf<S extends Schema> = { readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };
/** Rules between fields that no single field can check; one problem line each, in the form of a field's. */
export type CrossFieldRules<S extends Schema> = (cfg: ConfigOf<S>) => string[];

/** Thrown when one or more env vars are invalid; `problems` has one line per variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses every field, collects every problem, and returns a frozen typed
 * object. A secret's value is never echoed in a problem line. The
 * cross-field rules run only once every field parsed.
 */
export function loadConfig<S extends Schema>(schema: S, env: NodeJS.ProcessEnv = process.env, rules?: CrossFieldRules<S>): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, f] of Object.entries(schema)) {
    const raw = env[f.env];
    const res = f.parse(raw);
    if (res.ok) {
      out[key] = res.value;
    } else {
      const shown = raw === undefined || raw === '' ? 'unset' : f.secret ? '<redacted>' : JSON.stringify(raw);
      problems.push(`${f.env}=${shown}: expected ${res.expected}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const cfg = Object.freeze(out) as ConfigOf<S>;
  const crossField = rules?.(cfg) ?? [];
  if (crossField.length > 0) throw new ConfigError(crossField);
  return cfg;
}

/**
 * loadConfig for a process entry point: on error it prints one line per bad
 * variable to stderr and exits 78 (EX_CONFIG) before anything listens.
 */
export function loadConfigOrExit<S extends Schema>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env, rules?: CrossFieldRules<S>): ConfigOf<S> {
  try {
    return loadConfig(schema, env, rules);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`${service}: config error: ${p}\n`);
    process.exit(78);
  }
}
