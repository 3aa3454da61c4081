/** The shape of a generated unary method definition. */
export interface UnaryDefinition {
  path: string;
  requestStream: false;
  responseStream: false;
  requestSerialize: (value: never) => Buffer;
  requestDeserialize: (value: Buffer) => unknown;
  responseSerialize: (value: never) => Buffer;
  responseDeserialize: (value: Buffer) => unknown;
}

const MALFORMED = Symbol('malformed');

interface Malformed {
  [MALFORMED]: true;
  reason: string;
}

export function isMalformed(value: unknown): value is Malformed {
  return typeof value === 'object' && value !== null && MALFORMED in value;
}

/**
 * grpc-js answers INTERNAL when a request cannot be decoded. We want
 * INVALID_ARGUMENT, so decoding errors become a marker the handler wrapper
 * turns into that status.
 */
export function tolerantDefinition<D extends Record<string, UnaryDefinition>>(definition: D): D {
  const out: Record<string, UnaryDefinition> = {};
  for (const [name, def] of Object.entries(definition)) {
    out[name] = {
      ...def,
      requestDeserialize: (buf: Buffer) => {
        try {
          return def.requestDeserialize(buf);
        } catch (e) {
          return { [MALFORMED]: true, reason: e instanceof Error ? e.message.slice(0, 200) : 'undecodable' } satisfies Malformed;
        }
      },
    };
  }
  return out as D;
}
