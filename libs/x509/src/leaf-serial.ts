import { randomFillSync } from 'node:crypto';

const SERIAL_BYTES = 17;
// One randomFillSync per 240 serials: a call costs about as much as building the TBS.
const pool = Buffer.alloc(SERIAL_BYTES * 240);
let used = pool.length;

/**
 * A fresh positive serial of 17 bytes (135+ random bits, top bit clear, first
 * byte non-zero so the INTEGER is minimal), as randomSerialHex. Each pool byte
 * is handed out once.
 */
export function randomLeafSerial(): Buffer {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const b = Buffer.from(pool.subarray(used, used + SERIAL_BYTES));
  pool.fill(0, used, used + SERIAL_BYTES);
  used += SERIAL_BYTES;
  b[0] = (b[0] as number) & 0x7f;
  if (b[0] === 0) b[0] = 1;
  return b;
}
