import { InvalidArgumentError } from '@podid/errors';

/** Largest PEM accepted: a leaf plus a 3-deep RSA-4096 chain is about 8 KiB; 32 KiB leaves room and bounds exec stdin. */
export const MAX_CERT_PEM_BYTES = 32 * 1024;
/** Most certificates in one PEM (leaf + chain); more is not something ca-signer produces. */
export const MAX_PEM_CERTS = 8;

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';
/** RFC 7468 strict base64 lines; no other character may reach the container. */
const B64_LINE = /^[A-Za-z0-9+/]{1,76}={0,2}$/;

/** A certificate PEM that passed {@link parseClientPem}: only PEM armour and base64, `\n` line ends. */
export interface ClientPem {
  /** Normalized text, ending with one newline: what is written to the container. */
  readonly text: string;
  /** DER of each certificate, leaf first. */
  readonly certs: readonly Buffer[];
}

const refuse = (why: string) => new InvalidArgumentError('CERT_PEM_INVALID', `certificate_pem: ${why}`);

/**
 * Parses a PEM of one or more CERTIFICATE blocks strictly: a size cap first,
 * then nothing but BEGIN/END lines, base64 lines, and blank lines between
 * blocks (CRLF is normalized).
 * This is the allow-list that keeps anything shell-like out of the exec, even
 * though the PEM travels on stdin and never on a command line.
 */
export function parseClientPem(pem: string): ClientPem {
  if (typeof pem !== 'string' || pem.length === 0) throw refuse('exp=PEM CERTIFICATE blocks got=empty');
  const bytes = Buffer.byteLength(pem, 'utf8');
  if (bytes > MAX_CERT_PEM_BYTES) throw refuse(`exp=at most ${MAX_CERT_PEM_BYTES} bytes got=${bytes}`);
  const lines = pem.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const certs: Buffer[] = [];
  let body: string[] | undefined;
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}`;
    if (body === undefined) {
      if (line === '') continue; // blank lines between blocks are allowed (RFC 7468)
      if (line !== BEGIN) throw refuse(`${where}: exp=${JSON.stringify(BEGIN)} got=${describe(line)}`);
      body = [];
    } else if (line === END) {
      if (body.length === 0) throw refuse(`${where}: empty CERTIFICATE block`);
      certs.push(decodeBlock(body, where));
      if (certs.length > MAX_PEM_CERTS) throw refuse(`exp=at most ${MAX_PEM_CERTS} certificates got=more`);
      body = undefined;
    } else if (B64_LINE.test(line)) {
      body.push(line);
    } else {
      throw refuse(`${where}: exp=base64 (A-Z a-z 0-9 + / =, at most 76 per line) got=${describe(line)}`);
    }
  }
  if (body !== undefined) throw refuse(`exp=${JSON.stringify(END)} got=end of input`);
  const text = certs.map((der) => `${BEGIN}\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n${END}\n`).join('');
  return { text, certs };
}

function decodeBlock(body: string[], where: string): Buffer {
  const b64 = body.join('');
  // `=` only at the very end, and the length must be a whole number of quads.
  if (b64.length % 4 !== 0 || /=[^=]/.test(b64)) throw refuse(`${where}: block is not valid base64`);
  return Buffer.from(b64, 'base64');
}

/** Shows a refused line without echoing much of it (it could be anything). */
function describe(line: string): string {
  return `${line.length} characters starting ${JSON.stringify(line.slice(0, 12))}`;
}
