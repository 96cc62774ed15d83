/**
 * Structure-aware mutation for fast-check: start from valid inputs (seeds) and apply a few edits of
 * the kinds that break parsers — bit flips, boundary bytes, length fields off by one or maxed,
 * inserted, deleted, duplicated or truncated ranges, splices from another seed. Each edit is a
 * plain record of numbers, so fast-check shrinks a failing input towards the fewest, smallest edits.
 */
import fc from 'fast-check';

/** One edit; `pos` and `len` are taken modulo the input length. */
export interface Edit {
  readonly op: number;
  readonly pos: number;
  readonly len: number;
  readonly val: number;
  readonly bytes: Uint8Array;
}

const INTERESTING_8 = [0x00, 0x01, 0x02, 0x03, 0x10, 0x14, 0x15, 0x16, 0x17, 0x18, 0x20, 0x7f, 0x80, 0xfe, 0xff];
const INTERESTING_16 = [0x0000, 0x0001, 0x0002, 0x00ff, 0x0100, 0x0303, 0x0304, 0x3fff, 0x4000, 0x4001, 0x7fff, 0x8000, 0xfffe, 0xffff];

export const editArb: fc.Arbitrary<Edit> = fc.record({
  op: fc.nat(10),
  pos: fc.nat(),
  len: fc.nat(64),
  val: fc.nat(0xffff),
  bytes: fc.uint8Array({ maxLength: 24 }),
});

/** Applies `edits` to a copy of `input` (`donor`: bytes to splice from). */
export function applyEdits(input: Uint8Array, edits: readonly Edit[], donor: Uint8Array = input): Uint8Array {
  let b = Array.from(input);
  for (const e of edits) {
    const n = b.length;
    const at = n === 0 ? 0 : e.pos % n;
    switch (e.op) {
      case 0: // flip one bit
        if (n) b[at] = b[at]! ^ (1 << (e.val & 7));
        break;
      case 1: // a boundary byte
        if (n) b[at] = INTERESTING_8[e.val % INTERESTING_8.length]!;
        break;
      case 2: // a length-like u16: boundary value, or the current one ± 1
        if (n >= 2) {
          const p = Math.min(at, n - 2);
          const cur = (b[p]! << 8) | b[p + 1]!;
          const v = e.val % 3 === 0 ? cur + 1 : e.val % 3 === 1 ? cur - 1 : INTERESTING_16[e.val % INTERESTING_16.length]!;
          b[p] = (v >> 8) & 0xff;
          b[p + 1] = v & 0xff;
        }
        break;
      case 3: // insert bytes
        b.splice(at, 0, ...e.bytes);
        break;
      case 4: // delete a range
        b.splice(at, Math.max(1, e.len));
        break;
      case 5: // duplicate a range
        b.splice(at, 0, ...b.slice(at, at + Math.max(1, e.len)));
        break;
      case 6: // truncate
        b = b.slice(0, at);
        break;
      case 7: {
        // splice a range of the donor in, replacing as many bytes
        if (donor.length) {
          const from = e.val % donor.length;
          const piece = Array.from(donor.subarray(from, from + Math.max(1, e.len)));
          b.splice(at, piece.length, ...piece);
        }
        break;
      }
      case 8: // overwrite with random bytes
        b.splice(at, e.bytes.length, ...e.bytes);
        break;
      case 9: // a length-like u24 maxed or zeroed (handshake headers)
        if (n >= 3) {
          const p = Math.min(at, n - 3);
          const v = e.val & 1 ? 0xffffff : e.val % 0x100;
          b[p] = (v >> 16) & 0xff;
          b[p + 1] = (v >> 8) & 0xff;
          b[p + 2] = v & 0xff;
        }
        break;
      default: // append random bytes
        b.push(...e.bytes);
    }
  }
  return Uint8Array.from(b);
}

/** Seeds, mutated by up to `maxEdits` edits (sometimes none: the seed itself). */
export function mutated(seeds: readonly Uint8Array[], maxEdits = 6): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('mutated: no seeds');
  return fc
    .tuple(fc.nat(seeds.length - 1), fc.nat(seeds.length - 1), fc.array(editArb, { maxLength: maxEdits }))
    .map(([i, j, edits]) => applyEdits(seeds[i]!, edits, seeds[j]!));
}

/** Writes `u8 header ‖ u8 seed ‖ payload`: the framing every stateful target's input uses. */
export function framed(header: number, seed: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + payload.length);
  out[0] = header & 0xff;
  out[1] = seed & 0xff;
  out.set(payload, 2);
  return out;
}
