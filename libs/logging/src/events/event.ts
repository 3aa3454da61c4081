/** A stable, operator-facing event code: what it means and how to fix it. */
export interface EventSpec {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly meaning: string;
  readonly fix?: string;
}
