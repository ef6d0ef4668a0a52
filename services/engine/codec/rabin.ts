/**
 * CRC-64-AVRO, the 64-bit Rabin fingerprint the Avro specification recommends for schema fingerprints
 * and requires in single-object encoding. avsc's `Type#fingerprint` only offers crypto hashes (MD5,
 * SHA-256), so the algorithm of the specification ("Schema Fingerprints") lives here.
 *
 * Only schemas are fingerprinted (a handful at start-up), so BigInt arithmetic is fast enough.
 */

/** The fingerprint of the empty byte string; also the polynomial of the table below. */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK_64 = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK_64);
  return fp;
});

/** The CRC-64-AVRO fingerprint of `bytes`, as an unsigned 64-bit integer. */
export function rabinFingerprint64(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const byte of bytes) fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint);
  return fp;
}

/**
 * The 8-byte little-endian CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form (UTF-8), the
 * form single-object encoding writes after its `C3 01` marker.
 */
export function schemaFingerprint(canonicalForm: string): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(rabinFingerprint64(Buffer.from(canonicalForm, 'utf8')));
  return out;
}
