import type { Bitness, LoadedBinary } from './types.js';

/**
 * The mapped image as the analysis reads it: address checks, pointer reads, the code-area filter,
 * and the data map (bytes known to be data: PLT entry tails, jump tables).
 */
export class AnalysisImage {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly baseAddr: number;
  readonly end: number;
  readonly bitness: Bitness;
  private readonly dataMap: Uint8Array;

  constructor(readonly binary: LoadedBinary) {
    this.bytes = binary.image;
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.baseAddr = binary.baseAddr;
    this.end = binary.baseAddr + this.bytes.length;
    this.bitness = binary.bitness;
    this.dataMap = new Uint8Array(this.bytes.length);
  }

  contains(address: number): boolean {
    return address >= this.baseAddr && address < this.end;
  }

  /** Address arithmetic wraps at the pointer width, as on the CPU. */
  wrap(address: number): number {
    if (this.bitness === 32) return address >>> 0;
    return address < 0 ? address + 2 ** 64 : address;
  }

  /** Code-area filter: with no code areas (dumps) every address passes. */
  isInCodeArea(address: number): boolean {
    const areas = this.binary.codeAreas;
    if (areas === null) return this.contains(address);
    let low = 0;
    let high = areas.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const [start, end] = areas[middle]!;
      if (address < start) high = middle - 1;
      else if (address >= end) low = middle + 1;
      else return true;
    }
    return false;
  }

  /** The code areas as image offsets `[start, end)`, clipped to the image (a dump: the whole image). */
  codeOffsets(): [number, number][] {
    const areas = this.binary.codeAreas ?? [[this.baseAddr, this.end]];
    return areas
      .map(([start, end]): [number, number] => [Math.max(0, start - this.baseAddr), Math.min(this.bytes.length, end - this.baseAddr)])
      .filter(([start, end]) => start < end);
  }

  readU32(address: number): number | undefined {
    const at = address - this.baseAddr;
    return at >= 0 && at + 4 <= this.bytes.length ? this.view.getUint32(at, true) : undefined;
  }

  readI32(address: number): number | undefined {
    const at = address - this.baseAddr;
    return at >= 0 && at + 4 <= this.bytes.length ? this.view.getInt32(at, true) : undefined;
  }

  /** A pointer of the image's width at `address`. */
  readPointer(address: number, width: 4 | 8 = this.bitness === 64 ? 8 : 4): number | undefined {
    const at = address - this.baseAddr;
    if (at < 0 || at + width > this.bytes.length) return undefined;
    return width === 8 ? Number(this.view.getBigUint64(at, true)) : this.view.getUint32(at, true);
  }

  markData(address: number): void {
    if (this.contains(address)) this.dataMap[address - this.baseAddr] = 1;
  }

  isData(address: number): boolean {
    return this.contains(address) && this.dataMap[address - this.baseAddr] === 1;
  }

  /** Whether `address` lies in an ELF PLT section. */
  isInPlt(address: number): boolean {
    return this.binary.pltRanges.some(([start, end]) => address >= start && address < end);
  }
}
