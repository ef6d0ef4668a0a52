import type { Type, types } from 'avsc';

/**
 * A structural pre-check of an Avro body against its writer schema, run before avsc decodes it.
 *
 * Why: avsc loops over an array or map block count as written. A corrupt or hostile record claiming
 * 2^40 items in a few bytes keeps a lane busy for hours (measured: 10^8 items took 3.6 s). Every
 * element of our schemas takes at least one byte (strings, records of strings), so a block claiming
 * more items than there are bytes left is rejected here in constant time. The walk only skips bytes;
 * it builds nothing.
 */

/** Deepest nesting accepted; our schemas nest 3 levels, recursive schemas could nest without end. */
const MAX_DEPTH = 32;

interface Cursor {
  buf: Buffer;
  pos: number;
}

/** Reads a zig-zag varint as a JS number (magnitude is all the checks need), or null if malformed. */
function readLong(c: Cursor): number | null {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (c.pos >= c.buf.length) return null;
    const byte = c.buf[c.pos++] as number;
    result += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      // Zig-zag: even -> n/2, odd -> -(n+1)/2. Floating point is exact enough for bounds checks.
      return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    }
    scale *= 128;
  }
  return null;
}

function take(c: Cursor, bytes: number): boolean {
  if (bytes < 0 || c.pos + bytes > c.buf.length) return false;
  c.pos += bytes;
  return true;
}

/** Skips one block-encoded array or map; `skipItem` skips one element. */
function skipBlocks(c: Cursor, skipItem: () => boolean): boolean {
  for (;;) {
    let count = readLong(c);
    if (count === null) return false;
    if (count === 0) return true;
    if (count < 0) {
      count = -count;
      if (readLong(c) === null) return false; // block size in bytes, unused
    }
    if (count > c.buf.length - c.pos) return false;
    for (let i = 0; i < count; i++) if (!skipItem()) return false;
  }
}

function skip(type: Type, c: Cursor, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const name = type.typeName;
  switch (name) {
    case 'null':
      return true;
    case 'boolean':
      return take(c, 1);
    case 'int':
    case 'long':
    case 'enum':
      return readLong(c) !== null;
    case 'float':
      return take(c, 4);
    case 'double':
      return take(c, 8);
    case 'string':
    case 'bytes': {
      const length = readLong(c);
      return length !== null && take(c, length);
    }
    case 'fixed':
      return take(c, (type as types.FixedType).size);
    case 'array': {
      const items = (type as types.ArrayType).itemsType;
      return skipBlocks(c, () => skip(items, c, depth + 1));
    }
    case 'map': {
      const values = (type as types.MapType).valuesType;
      return skipBlocks(c, () => {
        const keyLength = readLong(c);
        return keyLength !== null && take(c, keyLength) && skip(values, c, depth + 1);
      });
    }
    case 'record':
    case 'error':
      return (type as types.RecordType).fields.every((field) => skip(field.type, c, depth + 1));
    case 'union:unwrapped':
    case 'union:wrapped': {
      const branches = (type as types.UnwrappedUnionType).types;
      const index = readLong(c);
      const branch = index === null ? undefined : branches[index];
      return branch !== undefined && skip(branch, c, depth + 1);
    }
    default:
      if (name.startsWith('logical:')) return skip((type as types.LogicalType).underlyingType, c, depth + 1);
      return false;
  }
}

/**
 * True when `body` (starting at `offset`) is structurally a value of `writer` with no impossible
 * block counts and nothing after it. False means: do not hand it to avsc.
 */
export function isWellBounded(writer: Type, body: Buffer, offset = 0): boolean {
  const cursor = { buf: body, pos: offset };
  return skip(writer, cursor, 0) && cursor.pos === body.length;
}
