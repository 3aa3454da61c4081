import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError, PayloadTooLargeError } from '@podid/errors';

/** A CSR PEM of a 4096-bit RSA key is about 1.7 KiB; 16 KiB leaves room and bounds parsing work (docs/api.md). */
export const MAX_CSR_BYTES = 16 * 1024;
/** Form and JSON bodies of the token routes hold one token (a few KiB at most). */
export const MAX_FORM_BYTES = 16 * 1024;
/** A client that trickles its body is cut off after this long. */
export const BODY_TIMEOUT_MS = 10_000;

/**
 * Reads the request body up to `limit` bytes. It refuses early on a larger
 * Content-Length, and stops reading (and throws PayloadTooLargeError) as soon
 * as the limit is passed, so an oversized body is never buffered.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs = BODY_TIMEOUT_MS): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit, Number(declared)));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) {
        // Stop reading: drop the rest without buffering it.
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) return finish(tooLarge(limit, size));
      chunks.push(c);
    };
    const onEnd = () => finish();
    const onError = (e: Error) => finish(new InvalidArgumentError('BODY_UNREADABLE', `request body: ${e.message}`));
    const timer = setTimeout(() => finish(new InvalidArgumentError('BODY_TIMEOUT', `request body: exp=complete within ${timeoutMs} ms got=${size} bytes`)), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number, got: number): PayloadTooLargeError {
  return new PayloadTooLargeError('BODY_TOO_LARGE', `request body: exp<=${limit} bytes got>=${got}`);
}
