import { InvalidArgumentError } from '@podid/errors';

/** A request field that fails validation; the platform API names it in ErrorInfo.metadata.field. */
export class InvalidFieldError extends InvalidArgumentError {
  constructor(
    readonly field: string,
    expected: string,
    got?: string,
  ) {
    super('INVALID_FIELD', `${field}: exp=${expected}${got === undefined ? '' : ` got=${got}`}`);
  }
}

/** A required string field, at most `max` characters. */
export function requiredString(value: string, field: string, max: number): string {
  if (value.length === 0) throw new InvalidFieldError(field, 'a non-empty string', 'empty');
  if (value.length > max) throw new InvalidFieldError(field, `<=${max} chars`, `${value.length}`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new InvalidFieldError(field, 'no control characters');
  return value;
}
