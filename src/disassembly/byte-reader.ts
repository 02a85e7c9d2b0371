import { InvalidBinaryError } from './types.js';

/**
 * Bounds-checked little-endian reads from a file or image. `read*` throw `InvalidBinaryError` naming
 * the field when it lies outside the bytes; `try*` return undefined instead (for tolerant parsing).
 */
export class ByteReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** Names the data in errors ("PE file", "ELF file"). */
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  has(offset: number, size: number): boolean {
    return Number.isSafeInteger(offset) && offset >= 0 && size >= 0 && offset + size <= this.bytes.length;
  }

  private check(offset: number, size: number, field: string): void {
    if (!this.has(offset, size)) {
      throw new InvalidBinaryError(`${this.what} truncated: ${field} at offset 0x${offset.toString(16)} (${size} bytes) is beyond its ${this.bytes.length} bytes`);
    }
  }

  u8(offset: number, field: string): number {
    this.check(offset, 1, field);
    return this.view.getUint8(offset);
  }

  u16(offset: number, field: string): number {
    this.check(offset, 2, field);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getUint32(offset, true);
  }

  /** An unsigned 64-bit value as a number (values beyond 2^53 lose precision; callers bound them). */
  u64(offset: number, field: string): number {
    this.check(offset, 8, field);
    return Number(this.view.getBigUint64(offset, true));
  }

  /** A pointer of the given width. */
  pointer(offset: number, bitness: 32 | 64, field: string): number {
    return bitness === 64 ? this.u64(offset, field) : this.u32(offset, field);
  }

  tryU16(offset: number): number | undefined {
    return this.has(offset, 2) ? this.view.getUint16(offset, true) : undefined;
  }

  tryU32(offset: number): number | undefined {
    return this.has(offset, 4) ? this.view.getUint32(offset, true) : undefined;
  }

  tryI32(offset: number): number | undefined {
    return this.has(offset, 4) ? this.view.getInt32(offset, true) : undefined;
  }

  tryPointer(offset: number, bitness: 32 | 64): number | undefined {
    if (!this.has(offset, bitness / 8)) return undefined;
    return bitness === 64 ? Number(this.view.getBigUint64(offset, true)) : this.view.getUint32(offset, true);
  }

  /** A NUL-terminated string of at most `maxLength` bytes (latin1), or undefined if it has no terminator in range. */
  cString(offset: number, maxLength = 4096): string | undefined {
    if (!this.has(offset, 1)) return undefined;
    const end = Math.min(this.bytes.length, offset + maxLength);
    let text = '';
    for (let i = offset; i < end; i++) {
      const byte = this.bytes[i]!;
      if (byte === 0) return text;
      text += String.fromCharCode(byte);
    }
    return undefined;
  }
}

/** Trims trailing zero bytes (SMDA's `xheader`). */
export function trimTrailingZeros(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}
