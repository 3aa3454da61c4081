import { Writable } from 'node:stream';

/** A pino destination that keeps every line, for tests and for the log-leak checks. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  text = '';

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    const s = chunk.toString('utf8');
    this.text += s;
    for (const line of s.split('\n').filter(Boolean)) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }

  withEvent(code: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l['event'] === code);
  }
}
