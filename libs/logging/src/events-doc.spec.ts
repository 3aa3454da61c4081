import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { events } from './events';
import { renderTroubleshootingDoc } from './events-doc';

const DOC = join(__dirname, '../../../docs/troubleshooting.md');

describe('event registry', () => {
  it('gives every event a meaning, and every warning or error a fix', () => {
    for (const [code, spec] of Object.entries(events)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(spec.meaning.length).toBeGreaterThan(10);
      if (spec.level === 'warn' || spec.level === 'error') expect({ code, fix: (spec as { fix?: string }).fix }).toEqual({ code, fix: expect.any(String) });
    }
  });

  it('matches docs/troubleshooting.md (UPDATE_DOCS=1 regenerates it)', () => {
    const want = renderTroubleshootingDoc();
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(DOC, want);
    expect(readFileSync(DOC, 'utf8')).toBe(want);
  });
});
