// capstone-wasm 1.0.3 ships types that its package.json "exports" does not expose to NodeNext
// resolution; these are the parts we use.
declare module 'capstone-wasm' {
  export class Capstone {
    constructor(arch: number, mode: number);
    /** The `csh` handle for the C functions. */
    get handle(): number;
  }
  export const Const: { CS_ARCH_X86: number; CS_MODE_32: number; CS_MODE_64: number };
  /** Instantiates the WebAssembly module once; Emscripten populates `module` with its exports. */
  export function loadCapstone(module?: object): Promise<void>;
}
