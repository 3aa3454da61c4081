import { randomBytes } from 'node:crypto';

/** The fixed path Conjur's server writes and its client polls (docs/conjur-compatibility.md section 4). */
export const CLIENT_CERT_PATH = '/etc/conjur/ssl/client.pem';

/** Ends the PEM on stdin; a line that validated PEM can never contain (no `-` in base64, not an armour line). */
export const STDIN_END_MARKER = '--podid-end-of-pem--';

/**
 * Copies stdin up to the end marker into a temp file in the target directory,
 * then chmods and renames it, so the client never sees a partial file. The
 * marker means no stdin EOF is needed (older exec protocols cannot send one),
 * and a cut stream fails (exit 3) instead of writing half a PEM. Needs only a
 * POSIX sh (builtins read, printf, trap), mkdir, chmod, mv and rm.
 */
const INJECT_SCRIPT = [
  'set -e',
  'umask 022',
  'd=/etc/conjur/ssl',
  'mkdir -p "$d"',
  't="$d/.client.pem.$1"',
  `trap 'rm -f "$t"' EXIT`,
  'ok=0',
  `while IFS= read -r l; do if [ "$l" = "${STDIN_END_MARKER}" ]; then ok=1; break; fi; printf '%s\\n' "$l"; done > "$t"`,
  'if [ "$ok" != 1 ]; then echo "stdin ended before the end marker" >&2; exit 3; fi',
  'chmod 644 "$t"',
  'mv -f "$t" "$d/client.pem"',
].join('\n');

/**
 * The exec command of one write. The PEM goes on stdin, never here.
 * `tempSuffix` names the temp file; not `$$`, because execs in sandboxes with
 * their own pid namespace all see the same pid, and concurrent writes into one
 * container would then share a temp file.
 */
export function injectCommand(tempSuffix: string): string[] {
  if (!/^[0-9a-f]{16}$/.test(tempSuffix)) throw new Error('injectCommand: tempSuffix must be 16 lowercase hex digits');
  return ['sh', '-c', INJECT_SCRIPT, 'sh', tempSuffix];
}

/** 64 random bits as hex: a temp file name that no concurrent write shares. */
export function newTempSuffix(): string {
  return randomBytes(8).toString('hex');
}

/** What goes on stdin: the validated PEM text, then the end marker. */
export function injectStdin(pemText: string): string {
  return `${pemText}${STDIN_END_MARKER}\n`;
}
