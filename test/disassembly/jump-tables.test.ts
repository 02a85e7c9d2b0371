/**
 * Jump tables in a small hand-assembled 32-bit memory image: an explicit table is followed, and a
 * table whose size comes from an unrelated `cmp eax, 0xfffffff` (SMDA's rule; the 167 s SMDA
 * cliff on a mingw Lua build) is read only up to the image end, in linear time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disassemble } from '../../src/disassembly/disassemble.js';
import { readReport } from '../../src/samples/prepare-sample.js';

const BASE = 0x400000;
const SIZE = 0x10000;

function image(): Uint8Array {
  const bytes = new Uint8Array(SIZE).fill(0xcc);
  const view = new DataView(bytes.buffer);
  const put = (address: number, hex: string) => bytes.set(Buffer.from(hex.replaceAll(' ', ''), 'hex'), address - BASE);
  // switch (x) over 4 cases: push ebp; mov ebp, esp; mov eax, [ebp+8]; cmp eax, 3; ja default; jmp [eax*4 + 0x402000]
  put(0x400000, '55 89e5 8b4508 83f803 7707 ff248500204000');
  put(0x400012, '31c0 5d c3'); // default: xor eax, eax; pop ebp; ret
  for (let i = 0; i < 4; i++) {
    put(0x400100 + 0x10 * i, `b8${(i + 1).toString(16).padStart(2, '0')}000000 5d c3`); // mov eax, i + 1; pop ebp; ret
    view.setUint32(0x2000 + 4 * i, 0x400100 + 0x10 * i, true);
  }
  // push ebp; mov ebp, esp; cmp eax, 0xfffffff; mov eax, [ebp-0x18]; shl eax, 2; add eax, 0x403000; mov eax, [eax]; jmp eax
  put(0x400200, '55 89e5 3dffffff0f 8b45e8 c1e002 0500304000 8b00 ffe0');
  put(0x400300, 'c3');
  for (let at = 0x3000; at + 4 <= SIZE; at += 4) view.setUint32(at, 0x400300, true);
  return bytes;
}

test('an explicit table is followed; an oversized one is read up to the image end only', async () => {
  const started = performance.now();
  const { text } = await disassemble(image(), { isDump: true, baseAddr: BASE, bitness: 32 });
  const elapsed = performance.now() - started;
  const { report, raw } = readReport(text);
  const blocksOf = (start: number) => report.functions.find((f) => Number(f.offset) === start)?.blocks.map((b) => Number(b.start)) ?? [];

  const cases = [0x400100, 0x400110, 0x400120, 0x400130];
  assert.deepEqual(blocksOf(0x400000).filter((b) => cases.includes(b)), cases);
  const jmp = report.functions.find((f) => Number(f.offset) === 0x400000)!.blocks.find((b) => b.instructions.some((i) => i.operands === 'dword ptr [eax*4 + 0x402000]'))!;
  assert.deepEqual(report.functions.find((f) => Number(f.offset) === 0x400000)!.blockRefs.get(jmp.start)!.map(Number), cases);
  assert.ok((raw['xdata_refs_from'] as number[][]).some(([from, to]) => from === 0x40000b && to === 0x402000));

  assert.ok(blocksOf(0x400200).includes(0x400300), 'the in-image part of the oversized table is used');
  assert.ok(elapsed < 3000, `${elapsed} ms`);
});
