import { parseDuration } from '@podid/units';

/** One env var: its name, whether it is secret, and how to parse it. */
export interface Field<T> {
  readonly env: string;
  readonly secret?: boolean;
  /** Returns the value, or a string that says what was expected. */
  parse(raw: string | undefined): { ok: true; value: T } | { ok: false; expected: string };
}

type Opt<T> = { env: string; default?: T; secret?: boolean };

function field<T>(opt: Opt<T>, expected: string, parse: (raw: string) => T | undefined): Field<T> {
  return {
    env: opt.env,
    secret: opt.secret,
    parse(raw) {
      if (raw === undefined || raw === '') {
        return opt.default !== undefined ? { ok: true, value: opt.default } : { ok: false, expected: `${expected} (required)` };
      }
      const value = parse(raw);
      return value === undefined ? { ok: false, expected } : { ok: true, value };
    },
  };
}

export const str = (opt: Opt<string> & { pattern?: RegExp }) =>
  field(opt, opt.pattern ? `a string matching ${opt.pattern}` : 'a non-empty string', (raw) =>
    !opt.pattern || opt.pattern.test(raw) ? raw : undefined,
  );

export const optionalStr = (opt: { env: string; secret?: boolean }): Field<string | undefined> => ({
  env: opt.env,
  secret: opt.secret,
  parse: (raw) => ({ ok: true, value: raw === '' ? undefined : raw }),
});

export const int = (opt: Opt<number> & { min: number; max: number }) =>
  field(opt, `an integer in ${opt.min}..${opt.max}`, (raw) => {
    const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n >= opt.min && n <= opt.max ? n : undefined;
  });

export const port = (opt: Opt<number>) => int({ ...opt, min: 0, max: 65535 });

/** A duration such as `5m`, returned in milliseconds. */
export const duration = (opt: Opt<number> & { min: number; max: number; minText: string; maxText: string }) =>
  field(opt, `a duration such as 5m (${opt.minText}..${opt.maxText})`, (raw) => {
    const ms = parseDuration(raw);
    return ms !== undefined && ms >= opt.min && ms <= opt.max ? ms : undefined;
  });

export const bool = (opt: Opt<boolean>) =>
  field(opt, 'true or false', (raw) => (raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : undefined));

export const oneOf = <T extends string>(opt: Opt<T> & { values: readonly T[] }) =>
  field(opt, `one of ${opt.values.join(', ')}`, (raw) => (opt.values as readonly string[]).includes(raw) ? (raw as T) : undefined);

/** A comma-separated list; empty items are dropped. */
export const list = (opt: Opt<string[]> & { item?: (s: string) => boolean; itemText?: string }) =>
  field(opt, `a comma-separated list${opt.itemText ? ` of ${opt.itemText}` : ''}`, (raw) => {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    return items.every((s) => !opt.item || opt.item(s)) ? items : undefined;
  });

export const url = (opt: Opt<string> & { protocols: string[] }) =>
  field(opt, `a URL (${opt.protocols.join(' or ')})`, (raw) => {
    try {
      return opt.protocols.includes(new URL(raw).protocol.replace(/:$/, '')) ? raw : undefined;
    } catch {
      return undefined;
    }
  });

/** `host:port`, as a gRPC target. */
export const address = (opt: Opt<string>) =>
  field(opt, 'host:port', (raw) => (/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(raw) ? raw : undefined));
