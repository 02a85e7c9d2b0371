/**
 * CIL mnemonic groups (CilInstructionEscaper).
 * Data tables of SMDA 4.4.4 (BSD-2-Clause, (c) Daniel Plohmann) as listed in Appendix B.3 of the
 * reference; only membership matters. Changing SMDA version means changing these tables.
 */
import { words } from './words.js';

/** A: arithmetic and logic (21) */
export const CIL_ARITHMETIC_LOGIC = words(`
  add add.ovf add.ovf.un and div div.un mul mul.ovf mul.ovf.un neg not or rem rem.un shl shr shr.un
  sub sub.ovf sub.ovf.un xor
`);

/** C: control flow, calls, compares, exception flow (52) */
export const CIL_CONTROL_FLOW = words(`
  beq beq.s bge bge.s bge.un bge.un.s bgt bgt.s bgt.un bgt.un.s ble ble.s ble.un ble.un.s blt blt.s
  blt.un blt.un.s bne.un bne.un.s br br.s brfalse brfalse.s brinst brinst.s brnull brnull.s brtrue
  brtrue.s brzero brzero.s jmp ret switch leave leave.s throw rethrow endfilter endfault endfinally
  call calli callvirt newobj ceq cgt cgt.un clt clt.un ckfinite
`);

/** M: memory (28) */
export const CIL_MEMORY = words(`
  ldarga ldarga.s starg starg.s stelem stelem.i stelem.i1 stelem.i2 stelem.i4 stelem.i8 stelem.ref
  stind.i stind.i1 stind.i2 stind.i4 stind.i8 stind.ref stfld stobj stsfld cpblk cpobj initblk
  initobj localloc ldtoken newarr arglist
`);

/** S: stack, loads, stores and conversions (108) */
export const CIL_STACK = words(`
  dup pop ldarg ldarg.0 ldarg.1 ldarg.2 ldarg.3 ldarg.s ldelem ldelem.i ldelem.i1 ldelem.i2
  ldelem.i4 ldelem.i8 ldelem.ref ldelem.u1 ldelem.u2 ldelem.u4 ldelem.u8 ldelema ldfld ldflda ldlen
  ldobj ldsfld ldsflda ldstr ldc.i4 ldc.i4.0 ldc.i4.1 ldc.i4.2 ldc.i4.3 ldc.i4.4 ldc.i4.5 ldc.i4.6
  ldc.i4.7 ldc.i4.8 ldc.i4.m1 ldc.i4.M1 ldc.i4.s ldc.i8 ldind.i ldind.i1 ldind.i2 ldind.i4 ldind.i8
  ldind.ref ldind.u1 ldind.u2 ldind.u4 ldind.u8 ldloc ldloc.0 ldloc.1 ldloc.2 ldloc.3 ldloc.s ldloca
  ldloca.s ldnull stloc stloc.0 stloc.1 stloc.2 stloc.3 stloc.s box unbox unbox.any ldftn ldvirtftn
  castclass isinst mkrefany refanytype refanyval sizeof conv.i conv.i1 conv.i2 conv.i4 conv.i8
  conv.ovf.i conv.ovf.i.un conv.ovf.i1 conv.ovf.i1.un conv.ovf.i2 conv.ovf.i2.un conv.ovf.i4
  conv.ovf.i4.un conv.ovf.i8 conv.ovf.i8.un conv.ovf.u conv.ovf.u.un conv.ovf.u1 conv.ovf.u1.un
  conv.ovf.u2 conv.ovf.u2.un conv.ovf.u4 conv.ovf.u4.un conv.ovf.u8 conv.ovf.u8.un conv.r.un conv.u
  conv.u1 conv.u2 conv.u4 conv.u8
`);

/** N: prefixes (6) */
export const CIL_PREFIX = words(`
  constrained. readonly. unaligned. volatile. no. tail.
`);

/** P: privileged (1) */
export const CIL_PRIVILEGED = words(`
  break
`);

/** F: floating point (12) */
export const CIL_FLOAT = words(`
  stelem.r4 stelem.r8 stind.r4 stind.r8 ldelem.r4 ldelem.r8 ldc.r4 ldc.r8 ldind.r4 ldind.r8 conv.r4
  conv.r8
`);

/** N: nop (1) */
export const CIL_NOP = words(`
  nop
`);

/** U: reserved opcodes (10) */
export const CIL_RESERVED = words(`
  UNKNOWN1 UNKNOWN2 prefix1 prefix2 prefix3 prefix4 prefix5 prefix6 prefix7 prefixref
`);

/**
 * Mnemonics whose operand is a metadata token (dncil operand types InlineField, InlineMethod,
 * InlineTok, InlineType, InlineString, InlineSig; dncil 1.0.2, Apache-2.0).
 */
export const CIL_TOKEN_OPERAND = words(`
  box call calli callvirt castclass constrained. cpobj initobj isinst jmp ldelem ldelema ldfld ldflda
  ldftn ldobj ldsfld ldsflda ldstr ldtoken ldvirtftn mkrefany newarr newobj refanyval sizeof stelem
  stfld stobj stsfld unbox unbox.any
`);

/** Mnemonics whose operand is a branch target (InlineBrTarget, ShortInlineBrTarget, InlineSwitch). */
export const CIL_BRANCH_OPERAND = words(`
  beq beq.s bge bge.s bge.un bge.un.s bgt bgt.s bgt.un bgt.un.s ble ble.s ble.un ble.un.s blt blt.s
  blt.un blt.un.s bne.un bne.un.s br br.s brfalse brfalse.s brtrue brtrue.s leave leave.s switch
`);
