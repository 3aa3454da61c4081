import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createPlatformClient, PlatformCallError, type PlatformClient, type PlatformClientOptions } from '@podid/platform-client';

export const PLATFORM_USAGE = `platform API commands (docs/api.md, Platform gRPC API):
  podid revoke (--jti <id> | --host <host id> | --pod-uid <uid>)
  podid introspect <token | ->                  (- reads the token from stdin)
  podid explain pod/<name> -n <namespace> --host <host id> [--authenticator <id>] [--container <name>]
  podid status [--authenticator <id>]
  podid audit tail [--after <event id>] [--limit <n>]
    connection: --server <host:port> (or PODID_SERVER), --ca <gateway CA PEM file> (or PODID_CA),
      and either --token-file <file> (or PODID_TOKEN_FILE: a podid access token)
      or --cert <file> --key <file> [--login-authenticator <id>] [--login-host <host id>] (a podid client certificate;
      or PODID_CERT, PODID_KEY, PODID_LOGIN_AUTHENTICATOR, PODID_LOGIN_HOST)
  Also runs as a kubectl plugin: kubectl podid explain pod/<name> -n <ns> --host <id>.`;

export const PLATFORM_COMMANDS = ['revoke', 'introspect', 'explain', 'status', 'audit'] as const;

/** Where a command writes; injectable for tests. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  stdin(): string;
}

const CONNECTION = {
  server: { type: 'string' },
  ca: { type: 'string' },
  'token-file': { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'login-authenticator': { type: 'string' },
  'login-host': { type: 'string' },
} as const;

class UsageError extends Error {}

/** Runs one platform API command; the exit code is 0 success, 1 refused or failed, 2 bad usage. */
export async function runPlatformCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  try {
    return await run(argv, env, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`podid: ${e.message}`);
      io.err(PLATFORM_USAGE);
      return 2;
    }
    if (e instanceof PlatformCallError) {
      io.err(`podid: ${e.message}${e.field ? ` (field ${e.field})` : ''}${e.retryDelaySeconds ? ` (retry in ${e.retryDelaySeconds}s)` : ''}`);
      return 1;
    }
    throw e;
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'revoke': {
      const { values, client } = connect(rest, env, { jti: { type: 'string' }, host: { type: 'string' }, 'pod-uid': { type: 'string' } });
      const given = (['jti', 'host', 'pod-uid'] as const).filter((k) => values[k] !== undefined);
      if (given.length !== 1) throw new UsageError('revoke: exactly one of --jti, --host, --pod-uid');
      const k = given[0]!;
      const value = String(values[k]);
      const target = k === 'jti' ? { $case: 'jti' as const, value } : k === 'host' ? { $case: 'hostId' as const, value } : { $case: 'podUid' as const, value };
      return withClient(client, async (c) => {
        const r = await c.revoke({ target });
        io.out(JSON.stringify({ revoked: r.targetKind, target: r.target }));
        return 0;
      });
    }
    case 'introspect': {
      const { values, positionals, client } = connect(rest, env, {}, true);
      if (positionals.length !== 1) throw new UsageError('introspect: one token argument, or - for stdin');
      const token = positionals[0] === '-' ? io.stdin().trim() : positionals[0]!;
      void values;
      return withClient(client, async (c) => {
        io.out(JSON.stringify(await c.introspect({ token })));
        return 0;
      });
    }
    case 'explain': {
      const { values, positionals, client } = connect(rest, env, { namespace: { type: 'string', short: 'n' }, host: { type: 'string' }, authenticator: { type: 'string' }, container: { type: 'string' } }, true);
      const m = positionals.length === 1 ? /^(?:pod|pods|po)\/(.+)$/.exec(positionals[0]!) : null;
      if (!m) throw new UsageError('explain: one argument pod/<name>');
      if (!values.namespace) throw new UsageError('explain: -n <namespace> is required');
      if (!values.host) throw new UsageError('explain: --host <host id> is required');
      const host = String(values.host).replace(/^host\//, '');
      // Conjur's host ids name their authenticator: conjur/authn-k8s/<service id>/...
      const authenticator = values.authenticator ?? /^conjur\/authn-k8s\/([^/]+)\//.exec(host)?.[1] ?? env['PODID_AUTHENTICATOR'];
      if (!authenticator) throw new UsageError('explain: --authenticator <id> is required (the host id does not name one)');
      return withClient(client, async (c) => {
        const r = await c.explainLogin({ authenticator, host, namespace: String(values.namespace), pod: m[1]!, container: values.container ?? '' });
        io.out(`login of pod ${values.namespace}/${m[1]} as host/${host} on authn-k8s/${authenticator}: ${r.allowed ? 'ALLOWED' : 'REFUSED'}`);
        for (const ch of r.checks) {
          io.out(`  ${ch.outcome.padEnd(8)} ${ch.name.padEnd(14)} ${ch.code ? `${ch.code}: ` : ''}${ch.detail}`);
          if (ch.hint) io.out(`           ${''.padEnd(14)} fix: ${ch.hint}`);
        }
        return r.allowed ? 0 : 1;
      });
    }
    case 'status': {
      const { values, client } = connect(rest, env, { authenticator: { type: 'string' } });
      const authenticator = values.authenticator ?? env['PODID_AUTHENTICATOR'];
      if (!authenticator) throw new UsageError('status: --authenticator <id> is required');
      return withClient(client, async (c) => {
        const r = await c.getStatus({ authenticator });
        io.out(`authn-k8s/${authenticator}: ${r.status}`);
        for (const ch of r.checks) io.out(`  ${ch.ok ? (ch.warning ? 'warning' : 'ok') : 'FAIL'} ${ch.name}${ch.code ? ` ${ch.code}` : ''}${ch.hint ? `: ${ch.hint}` : ''}`);
        return r.status === 'error' ? 1 : 0;
      });
    }
    case 'audit': {
      const [verb, ...args] = rest;
      if (verb !== 'tail') throw new UsageError('audit: the only verb is tail');
      const { values, client } = connect(args, env, { after: { type: 'string' }, limit: { type: 'string' } });
      const limit = values.limit === undefined ? Infinity : Number(values.limit);
      if (!(limit > 0) || (Number.isFinite(limit) && !Number.isSafeInteger(limit))) throw new UsageError('audit tail: --limit is a positive integer');
      return withClient(client, async (c) => {
        let n = 0;
        const w = c.watchAudit({ afterId: values.after ?? '' }, (e) => {
          io.out(JSON.stringify({ id: e.id, code: e.code, time: new Date(e.timeMs).toISOString(), result: e.result, fields: JSON.parse(e.fieldsJson || '{}') }));
          if (++n >= limit) w.cancel();
        });
        process.once('SIGINT', () => w.cancel());
        await w.done;
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
  }
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function connect<O extends Options>(args: string[], env: NodeJS.ProcessEnv, own: O, positionals = false) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...CONNECTION, ...own }, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const v = parsed.values as Record<string, string | undefined>;
  const pick = (flag: string, name: string) => v[flag] ?? env[name];
  const server = pick('server', 'PODID_SERVER');
  if (!server) throw new UsageError('--server <host:port> or PODID_SERVER is required');
  const caFile = pick('ca', 'PODID_CA');
  const tokenFile = pick('token-file', 'PODID_TOKEN_FILE');
  const certFile = pick('cert', 'PODID_CERT');
  const keyFile = pick('key', 'PODID_KEY');
  if (!tokenFile && !certFile) throw new UsageError('a token (--token-file) or a client certificate (--cert/--key) is required');
  if (certFile && !keyFile) throw new UsageError('--cert needs --key');
  const opts: PlatformClientOptions = {
    server,
    caPem: caFile ? readFileSync(caFile, 'utf8') : undefined,
    token: tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined,
    cert:
      !tokenFile && certFile
        ? {
            certPem: readFileSync(certFile, 'utf8'),
            keyPem: readFileSync(keyFile!, 'utf8'),
            authenticator: required(pick('login-authenticator', 'PODID_LOGIN_AUTHENTICATOR'), '--login-authenticator'),
            host: required(pick('login-host', 'PODID_LOGIN_HOST'), '--login-host'),
          }
        : undefined,
  };
  return { values: parsed.values as { [K in keyof O]?: string }, positionals: parsed.positionals, client: () => createPlatformClient(opts) };
}

function required(v: string | undefined, flag: string): string {
  if (!v) throw new UsageError(`${flag} is required with a client certificate (the login it proves)`);
  return v;
}

async function withClient(make: () => PlatformClient, fn: (c: PlatformClient) => Promise<number>): Promise<number> {
  const c = make();
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}
