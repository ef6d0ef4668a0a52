/**
 * A deterministic string hash (FNV-1a, 64 bit, over UTF-8) for holdout buckets and stable ids: the same
 * input gives the same value in every process and every replay (spec: "deterministic").
 */

const MASK16 = 0xffff;

/** The running hash of fnv1a64Limbs as four 16-bit limbs, least significant first (module level: no closure per call). */
const limbs = [0, 0, 0, 0];

function step(byte: number): void {
  const h0 = (limbs[0] as number) ^ byte;
  const h1 = limbs[1] as number;
  const h2 = limbs[2] as number;
  const h3 = limbs[3] as number;
  // Multiply by the FNV prime 0x100000001b3 = 2^40 + 0x1b3, limb by limb.
  const t0 = h0 * 0x1b3;
  const t1 = h1 * 0x1b3 + (t0 >>> 16);
  const t2 = h2 * 0x1b3 + (t1 >>> 16) + ((h0 << 8) & MASK16);
  const t3 = h3 * 0x1b3 + (t2 >>> 16) + ((h1 << 8) & MASK16) + (h0 >>> 8);
  limbs[0] = t0 & MASK16;
  limbs[1] = t1 & MASK16;
  limbs[2] = t2 & MASK16;
  limbs[3] = t3 & MASK16;
}

/** FNV-1a 64 of `text` as four 16-bit limbs, most significant first. */
function fnv1a64Limbs(text: string): [number, number, number, number] {
  // Offset basis 0xcbf29ce484222325 in 16-bit limbs, least significant first.
  limbs[0] = 0x2325;
  limbs[1] = 0x8422;
  limbs[2] = 0x9ce4;
  limbs[3] = 0xcbf2;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) step(cp);
    else if (cp < 0x800) {
      step(0xc0 | (cp >> 6));
      step(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      step(0xe0 | (cp >> 12));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    } else {
      step(0xf0 | (cp >> 18));
      step(0x80 | ((cp >> 12) & 0x3f));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    }
  }
  return [limbs[3] as number, limbs[2] as number, limbs[1] as number, limbs[0] as number];
}

/** FNV-1a 64 of `text` as 16 lower-case hex digits. */
export function fnv1a64Hex(text: string): string {
  return fnv1a64Limbs(text)
    .map((l) => l.toString(16).padStart(4, '0'))
    .join('');
}

/** FNV-1a 64 of `text` modulo `m` (m < 2^16 keeps every intermediate exact). */
export function fnv1a64Mod(text: string, m: number): number {
  let r = 0;
  for (const limb of fnv1a64Limbs(text)) r = (r * 0x10000 + limb) % m;
  return r;
}

/** The parts joined with a separator no id contains, so ("a","bc") and ("ab","c") differ. */
export function hashOf(parts: readonly (string | number)[]): string {
  return fnv1a64Hex(parts.join('\u001f'));
}

/**
 * The holdout bucket of a user for a trigger, 0..9999: the user is control when the bucket is below
 * `holdoutPercent * 100` (spec: hash(triggerId, userId) mod 10000 < P * 100).
 */
export function holdoutBucket(triggerId: string, userId: string): number {
  return fnv1a64Mod(`${triggerId}\u001f${userId}`, 10_000);
}

/** Activation id: the same trigger, step, user and signal events always give the same id. */
export function activationIdOf(
  triggerId: string,
  stepId: string,
  userId: string,
  signalEventIds: readonly string[],
): string {
  return `act-${hashOf([triggerId, stepId, userId, ...signalEventIds])}`;
}
