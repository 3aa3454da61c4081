import { InvalidArgumentError } from '@podid/errors';

/** Stable codes of CSR refusals; each is also the `code` of the error. */
export type CsrRefusalCode =
  | 'CSR_TOO_LARGE'
  | 'CSR_MALFORMED'
  | 'CSR_SIGNATURE_INVALID'
  | 'CSR_KEY_UNSUPPORTED'
  | 'CSR_SAN_MISSING'
  | 'CSR_SAN_MULTIPLE'
  | 'CSR_SAN_NOT_SPIFFE'
  | 'CSR_SAN_MISMATCH';

/** Thrown when a CSR fails one check; `check` names the function that refused it. */
export class CsrInvalidError extends InvalidArgumentError {
  constructor(
    code: CsrRefusalCode,
    message: string,
    readonly check: string,
  ) {
    super(code, message);
  }
}
