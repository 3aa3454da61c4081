import { CsrInvalidError } from './csr-invalid-error';

/**
 * Largest CSR accepted, in bytes of PEM text. An RSA-4096 CSR with one SAN is
 * about 1.7 KiB; 16 KiB leaves room and bounds parsing work (docs/api.md).
 */
export const MAX_CSR_PEM_BYTES = 16 * 1024;

const LABEL = 'CERTIFICATE REQUEST';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes exactly one `CERTIFICATE REQUEST` PEM block to DER, checking size first. */
export function decodeCsrPem(pem: string): Buffer {
  const refuse = (msg: string) => new CsrInvalidError('CSR_MALFORMED', msg, 'decodeCsrPem');
  if (typeof pem !== 'string') throw refuse('CSR: exp=PEM text got=no text');
  if (pem.length > MAX_CSR_PEM_BYTES || Buffer.byteLength(pem, 'utf8') > MAX_CSR_PEM_BYTES) {
    throw new CsrInvalidError('CSR_TOO_LARGE', `CSR: exp<=${MAX_CSR_PEM_BYTES} bytes got=${Buffer.byteLength(pem, 'utf8')}`, 'decodeCsrPem');
  }
  const begins = pem.match(/-----BEGIN [^-\r\n]{0,64}-----/g) ?? [];
  if (begins.length !== 1) throw refuse(`CSR: exp=exactly one PEM block got=${begins.length}`);
  const begin = `-----BEGIN ${LABEL}-----`;
  const end = `-----END ${LABEL}-----`;
  const from = pem.indexOf(begin);
  if (from < 0) throw refuse(`CSR: exp="${begin}" got=${JSON.stringify(begins[0])}`);
  const to = pem.indexOf(end, from + begin.length);
  if (to < 0) throw refuse(`CSR: exp="${end}" got=no end marker`);
  const body = pem.slice(from + begin.length, to).replace(/[\r\n\t ]/g, '');
  if (body.length === 0 || body.length % 4 !== 0 || !BASE64.test(body)) throw refuse('CSR: exp=base64 body got=invalid base64');
  return Buffer.from(body, 'base64');
}
