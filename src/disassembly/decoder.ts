/**
 * x86/x64 instruction decoding with Capstone 5.0 (the `capstone-wasm` build), text as SMDA prints it:
 * Intel syntax, detail off, no skipdata.
 *
 * capstone-wasm's own `disasm` copies its input onto the WebAssembly stack and builds every
 * instruction through a generic struct reader (about 6 µs per instruction). We call the exported C
 * functions directly instead: a window of the image is copied into one small buffer in WebAssembly
 * memory (allocated once per thread: that memory cannot grow, and running out of it aborts the
 * module for good, so the image itself never goes there), `cs_disasm` decodes it, and the
 * `cs_insn` records are read field by field.
 * Decoding at an address always yields the same instruction, so results are cached per address and
 * one call fills the cache for the whole straight-line run it decoded (typed-array pages, below).
 */
import { Capstone, Const, loadCapstone } from 'capstone-wasm';
import { baseMnemonic } from './operands.js';
import type { Bitness, Instruction } from './types.js';

/** The parts of the Emscripten module we use (populated on the object given to `loadCapstone`). */
interface CapstoneModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _cs_disasm(handle: number, code: number, size: number, address: bigint, count: number, insnOut: number): number;
  _cs_free(insn: number, count: number): void;
}

// Layout of capstone 5's cs_insn in wasm32: id u32, pad, address u64, size u16, bytes[24],
// mnemonic[32], op_str[160], pad, detail pointer.
const INSN_SIZE = 240;
const INSN_SIZE_FIELD = 16;
const INSN_MNEMONIC = 42;
const INSN_OPERANDS = 74;
const MNEMONIC_LENGTH = 32;
const OPERANDS_LENGTH = 160;
/** Bytes decoded per call: covers a typical basic block; longer runs just take another call. */
const WINDOW = 96;

let module: Promise<{ capstone: CapstoneModule; window: number; out: number }> | undefined;
const handles = new Map<Bitness, number>();

/** Loads Capstone once per thread (the WebAssembly module is compiled on first use), with its window buffer. */
function capstoneModule(): Promise<{ capstone: CapstoneModule; window: number; out: number }> {
  module ??= (async () => {
    const capstone = {} as CapstoneModule;
    await loadCapstone(capstone);
    return { capstone, window: capstone._malloc(WINDOW), out: capstone._malloc(4) };
  })();
  return module;
}

function handleFor(bitness: Bitness): number {
  const known = handles.get(bitness);
  if (known !== undefined) return known;
  const handle = new Capstone(Const.CS_ARCH_X86, bitness === 64 ? Const.CS_MODE_64 : Const.CS_MODE_32).handle;
  handles.set(bitness, handle);
  return handle;
}

/** Mnemonics of up to 6 characters by their bytes packed into a number: the same few strings, over and over. */
const shortMnemonics = new Map<number, string>();

const bases = new Map<string, string>();

function baseOf(mnemonic: string): string {
  let base = bases.get(mnemonic);
  if (base === undefined) bases.set(mnemonic, (base = baseMnemonic(mnemonic)));
  return base;
}

/** A NUL-terminated ASCII field of a record (Buffer#toString: half the time of String.fromCharCode over a subarray). */
function readText(heap: Buffer, at: number, length: number): string {
  let end = at;
  while (end < at + length && heap[end] !== 0) end++;
  return heap.toString('latin1', at, end);
}

function readMnemonic(heap: Buffer, at: number): string {
  let packed = 0;
  for (let i = at; i < at + 7; i++) {
    const byte = heap[i]!;
    if (byte === 0) {
      let text = shortMnemonics.get(packed);
      if (text === undefined) shortMnemonics.set(packed, (text = readText(heap, at, MNEMONIC_LENGTH)));
      return text;
    }
    packed = packed * 256 + byte;
  }
  return readText(heap, at, MNEMONIC_LENGTH);
}

/** Image offsets per page of the decode cache: pages are allocated where decoding reaches. */
const PAGE_BITS = 16;
const PAGE_MASK = (1 << PAGE_BITS) - 1;
/** A cache slot: not decoded yet, or no valid instruction; otherwise the index + 1 in `decoded`. */
const UNKNOWN = 0;
const INVALID = -1;

/** Decodes instructions of one mapped image (`bytes` at virtual address `baseAddr`). */
export class ImageDecoder {
  /**
   * The decode cache, one slot per image offset. Measured on a 3 MB ELF (600k instructions): a
   * Map keyed by address spent ~12% of the whole disassembly in its lookups and inserts, and its
   * rehashing fed the garbage collector; typed-array pages cost 4 bytes per byte of code reached.
   */
  private readonly slots: (Int32Array | undefined)[];
  private readonly decoded: Instruction[] = [];
  /** Views of Capstone's memory, made again if it ever changes. */
  private memory: { view: DataView; heap: Buffer } | undefined;

  private constructor(
    private readonly capstone: CapstoneModule,
    private readonly window: number,
    private readonly out: number,
    private readonly handle: number,
    private readonly baseAddr: number,
    private readonly bytes: Uint8Array,
  ) {
    this.slots = new Array((bytes.length >>> PAGE_BITS) + 1);
  }

  static async open(bytes: Uint8Array, baseAddr: number, bitness: Bitness): Promise<ImageDecoder> {
    const { capstone, window, out } = await capstoneModule();
    return new ImageDecoder(capstone, window, out, handleFor(bitness), baseAddr, bytes);
  }

  /** The instruction at `address`, or null if the bytes there are no valid instruction (or outside the image). */
  decode(address: number): Instruction | null {
    const offset = address - this.baseAddr;
    if (offset < 0 || offset >= this.bytes.length || !Number.isInteger(offset)) return null;
    const page = this.pageOf(offset);
    const slot = offset & PAGE_MASK;
    if (page[slot] === UNKNOWN) this.decodeWindow(address, offset);
    if (page[slot] === UNKNOWN) page[slot] = INVALID;
    const index = page[slot]!;
    return index === INVALID ? null : this.decoded[index - 1]!;
  }

  private pageOf(offset: number): Int32Array {
    const number = offset >>> PAGE_BITS;
    return (this.slots[number] ??= new Int32Array(PAGE_MASK + 1));
  }

  private decodeWindow(address: number, offset: number): void {
    const { capstone, out } = this;
    const length = Math.min(WINDOW, this.bytes.length - offset);
    capstone.HEAPU8.set(this.bytes.subarray(offset, offset + length), this.window);
    const count = capstone._cs_disasm(this.handle, this.window, length, BigInt(address), 0, out);
    if (count === 0) return;
    const buffer = capstone.HEAPU8.buffer;
    if (this.memory?.view.buffer !== buffer) this.memory = { view: new DataView(buffer), heap: Buffer.from(buffer) };
    const { view, heap } = this.memory;
    const first = view.getUint32(out, true);
    // Records follow each other without gaps: each one's offset is the previous one's plus its size.
    let at = offset;
    for (let i = 0; i < count; i++) {
      const record = first + i * INSN_SIZE;
      const size = view.getUint16(record + INSN_SIZE_FIELD, true);
      const page = this.pageOf(at);
      if (page[at & PAGE_MASK] === UNKNOWN) {
        const mnemonic = readMnemonic(heap, record + INSN_MNEMONIC);
        this.decoded.push({
          address: this.baseAddr + at,
          size,
          mnemonic,
          base: baseOf(mnemonic),
          operands: readText(heap, record + INSN_OPERANDS, OPERANDS_LENGTH).trim(),
        });
        page[at & PAGE_MASK] = this.decoded.length;
      }
      at += size;
    }
    capstone._cs_free(first, count);
  }
}
