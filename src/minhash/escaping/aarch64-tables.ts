/**
 * AArch64 mnemonic sets used by the text classification (AArch64InstructionEscaper).
 * Data tables of SMDA 4.4.4 (BSD-2-Clause, (c) Daniel Plohmann) as listed in Appendix B.2 of the
 * reference; only membership matters. Changing SMDA version means changing these tables.
 */
import { words } from './words.js';

/** arithmetic and logic (86) */
export const AARCH64_ARITHMETIC_LOGIC = words(`
  adc adcs add addg addpl adds adr adrp and ands asr asrd asrr asrv axflag bfi bfxil bic bics ccmn
  ccmp cinc clz cmn cmp cneg crc32b crc32cb crc32ch crc32cw crc32cx crc32h crc32w crc32x csel cset
  csetm csinc csinv csneg eor extr lsl lsr madd mneg mov movk movn movz msub mul mvn neg negs orn
  orr rbit rev rev16 rev32 rev64 ror sbc sbcs sbfiz sbfx sdiv smaddl smulh smull sub subs sxtb sxth
  sxtw tst ubfiz ubfx udiv umaddl umulh umull uxtb uxth uxtw
`);

/** control flow (41) */
export const AARCH64_CONTROL_FLOW = words(`
  b b.al b.cc b.cs b.eq b.ge b.gt b.hi b.hs b.le b.lo b.ls b.lt b.mi b.ne b.nv b.pl b.vc b.vs bc bl
  blr blraa blraaz blrab blrabz br braa braaz brab brabz cbnz cbz eret eretaa eretab ret retaa retab
  tbnz tbz
`);

/** memory (55) */
export const AARCH64_MEMORY = words(`
  cas casa casal casl casp caspl ld1r ldadd ldaddab ldaddal ldaddl ldapr ldaprb ldapurb ldar ldarb
  ldaxr ldaxrb ldclr ldclral ldclralb ldp ldpsw ldr ldrb ldrh ldrsb ldrsh ldrsw ldsetal ldsetalb
  ldur ldurb ldurh ldursb ldursh ldursw prfm stlr stlrb stlur stlurb stlxr stlxrb stp str strb strh
  stur sturb sturh swp swpab swpal swplb
`);

/** stack (5) */
export const AARCH64_STACK = words(`
  autiasp autibsp paciasp pacibsp stp
`);

/** privileged and system (20) */
export const AARCH64_PRIVILEGED = words(`
  at brk bti clrex dc dmb dsb hlt ic isb mrs msr smc svc sys tlbi udf wfe wfi yield
`);

/** floating point (19) */
export const AARCH64_FLOAT = words(`
  fabs fadd fcmp fcvt fcvtzs fcvtzu fdiv fmadd fmov fmsub fmul fneg fnmadd fnmsub fnmul fsqrt fsub
  scvtf ucvtf
`);

/** vector (36) */
export const AARCH64_VECTOR = words(`
  addp addv aesd aese aesimc aesmc andv bif bit bsl cmeq cmge cmlt cnt dup eorv faddp ld1 ld2 ld3
  ld4 movi orrv shl st1 st2 st3 st4 tbl tbx uaddlv umaxv umov ushl ushll ushr
`);

/** nop (2) */
export const AARCH64_NOP = words(`
  hint nop
`);

/**
 * Escaped-binary keep masks by full mnemonic (8 bits, bit n keeps nibble n of the little-endian
 * instruction word; nibble 2k is the low nibble of byte k).
 */
export const AARCH64_IMMEDIATE_KEEP_MASKS: ReadonlyMap<string, number> = new Map([
  ...[...words('b bl')].map((mnemonic) => [mnemonic, 0xc0] as const),
  ...[
    ...words(`
      adrp adr cbz cbnz tbz tbnz ldr ldrsw str ldp stp ldur stur ldrb ldrh ldrsb ldrsh strb strh ldnp
      stnp ldpsw add sub adds subs movz movk movn mov
    `),
  ].map((mnemonic) => [mnemonic, 0xc1] as const),
]);
