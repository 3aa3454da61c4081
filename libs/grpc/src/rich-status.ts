import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** Trailer that carries a serialized google.rpc.Status (the gRPC richer error model). */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
/** ErrorInfo.domain of podid's errors. */
export const ERROR_DOMAIN = 'podid.io';

const ERROR_INFO_URL = 'type.googleapis.com/google.rpc.ErrorInfo';
const RETRY_INFO_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** What podid puts in a google.rpc.Status: the stable code as ErrorInfo.reason, and RetryInfo when a retry helps. */
export interface RichStatus {
  readonly code: number;
  readonly message: string;
  /** Stable event code (docs/troubleshooting.md). */
  readonly reason: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly retryDelaySeconds?: number;
}

/**
 * Encodes google.rpc.Status{code, message, details: [Any(ErrorInfo),
 * Any(RetryInfo)?]} by field number (google/rpc/status.proto and
 * error_details.proto), so no googleapis dependency is needed.
 */
export function encodeRichStatus(s: RichStatus): Buffer {
  const info = new BinaryWriter().tag(1, WireType.LengthDelimited).string(s.reason).tag(2, WireType.LengthDelimited).string(ERROR_DOMAIN);
  for (const [k, v] of Object.entries(s.metadata ?? {})) {
    info.tag(3, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(k).tag(2, WireType.LengthDelimited).string(v).join();
  }
  const details = [anyOf(ERROR_INFO_URL, info.finish())];
  if (s.retryDelaySeconds !== undefined) {
    const duration = new BinaryWriter().tag(1, WireType.Varint).int64(Math.max(0, Math.ceil(s.retryDelaySeconds))).finish();
    details.push(anyOf(RETRY_INFO_URL, new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(duration).finish()));
  }
  const w = new BinaryWriter().tag(1, WireType.Varint).int32(s.code).tag(2, WireType.LengthDelimited).string(s.message);
  for (const d of details) w.tag(3, WireType.LengthDelimited).bytes(d);
  return Buffer.from(w.finish());
}

function anyOf(typeUrl: string, value: Uint8Array): Uint8Array {
  return new BinaryWriter().tag(1, WireType.LengthDelimited).string(typeUrl).tag(2, WireType.LengthDelimited).bytes(value).finish();
}

/** Decodes what encodeRichStatus writes; unknown details are ignored. Throws on bytes that are not a Status. */
export function decodeRichStatus(bytes: Uint8Array): RichStatus & { domain: string } {
  let code = 0;
  let message = '';
  let reason = '';
  let domain = '';
  let retryDelaySeconds: number | undefined;
  const metadata: Record<string, string> = {};
  each(bytes, (field, r) => {
    if (field === 1) code = r.int32();
    else if (field === 2) message = r.string();
    else if (field === 3) {
      let url = '';
      let value: Uint8Array = new Uint8Array();
      each(r.bytes(), (f, a) => {
        if (f === 1) url = a.string();
        else if (f === 2) value = a.bytes();
      });
      if (url === ERROR_INFO_URL) {
        each(value, (f, e) => {
          if (f === 1) reason = e.string();
          else if (f === 2) domain = e.string();
          else if (f === 3) {
            let k = '';
            let v = '';
            each(e.bytes(), (mf, m) => {
              if (mf === 1) k = m.string();
              else if (mf === 2) v = m.string();
            });
            metadata[k] = v;
          }
        });
      } else if (url === RETRY_INFO_URL) {
        each(value, (f, ri) => {
          if (f === 1) {
            each(ri.bytes(), (df, d) => {
              if (df === 1) retryDelaySeconds = Number(d.int64());
            });
          }
        });
      }
    }
  });
  return { code, message, reason, domain, metadata, retryDelaySeconds };
}

function each(bytes: Uint8Array, fn: (field: number, r: BinaryReader) => void): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    const before = r.pos;
    fn(field, r);
    // A field the handler does not read is skipped by its wire type.
    if (r.pos === before) r.skip(type);
  }
}
