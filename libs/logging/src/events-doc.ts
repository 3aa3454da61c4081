import { events } from './events';

/**
 * Renders the troubleshooting table (docs/troubleshooting.md) from the event
 * registry, so that the docs and the code cannot drift.
 */
export function renderTroubleshootingDoc(): string {
  const rows = Object.entries(events)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, spec]) => `| \`${code}\` | ${spec.level} | ${cell(spec.meaning)} | ${cell((spec as { fix?: string }).fix ?? '')} |`);
  return [
    '# Troubleshooting: event codes',
    '',
    'Every podid log line that matters to an operator carries a stable `event` field.',
    'Filter on it (`jq \'select(.event=="POD_NOT_FOUND")\'`), and follow `request_id` across services:',
    'the gateway returns the same id in the `X-Request-Id` header and in every JSON error body.',
    '',
    'This file is generated from `libs/logging/src/events/*.ts` by',
    '`UPDATE_DOCS=1 npx nx run @podid/logging:test`; a test fails when it is out of date.',
    '',
    '| event | level | meaning | fix |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
