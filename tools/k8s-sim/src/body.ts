import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { StatusError, badRequest } from './status';

/** Largest request body accepted (the real API server allows 3 MiB; 1 MiB is plenty for the simulator's callers). */
export const MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `the request body exceeds the limit of ${MAX_BODY_BYTES} bytes`);
}

/** Reads the body (bounded), then parses it as JSON, or YAML for application/yaml. Empty body = undefined. */
export async function readBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  const media = ct.split(';')[0]?.trim() ?? '';
  if (size > 0 && media && !media.includes('json') && !media.includes('yaml'))
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (this simulator does not decode ${media}; send JSON)`,
    );
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  try {
    if (ct.startsWith('application/yaml')) return parseYaml(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message.slice(0, 200)}`);
  }
}
