/**
 * Avro single-object encoding (Avro specification, "Single-object encoding"): the two marker bytes
 * `C3 01`, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then the Avro body.
 */
export const SINGLE_OBJECT_MARKER = Buffer.from([0xc3, 0x01]);

/** Bytes before the body: marker (2) + fingerprint (8). */
export const SINGLE_OBJECT_HEADER_BYTES = 10;

/** Frames an Avro body written with the schema whose 8-byte fingerprint is given. */
export function frameSingleObject(fingerprint: Buffer, body: Buffer): Buffer {
  return Buffer.concat([SINGLE_OBJECT_MARKER, fingerprint, body], SINGLE_OBJECT_HEADER_BYTES + body.length);
}

/** True when `bytes` starts with the single-object marker (the body may still be invalid). */
export function hasSingleObjectMarker(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0xc3 && bytes[1] === 0x01;
}

/**
 * The fingerprint of a framed value as a map key (8 bytes as a latin1 string: cheaper than a BigInt
 * per record), or null when the value is too short or lacks the marker.
 */
export function fingerprintKeyOf(bytes: Buffer): string | null {
  if (bytes.length < SINGLE_OBJECT_HEADER_BYTES || !hasSingleObjectMarker(bytes)) return null;
  return bytes.toString('latin1', 2, SINGLE_OBJECT_HEADER_BYTES);
}

/** The map key of an 8-byte fingerprint, as `fingerprintKeyOf` computes it from a framed value. */
export function fingerprintKey(fingerprint: Buffer): string {
  return fingerprint.toString('latin1');
}
