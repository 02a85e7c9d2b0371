/**
 * The syntax tree of a demangled Itanium C++ name and its printing, in the text LLVM's demangler
 * gives (LLVM 15 and later: `>>` closes nested template argument lists, expressions are
 * parenthesized by precedence). C declarators print in two halves around the declared name:
 * `int (*` and `)(char)` for a pointer to function, so every node has a left and a right part.
 */

/**
 * Printing stops beyond this many characters (the longest of 240,000 real names prints 9,665) or
 * this nesting: hostile substitution chains double the output per reference.
 */
const MAX_OUTPUT = 1 << 16;
const MAX_PRINT_DEPTH = 400;

export class DemangleError extends Error {}

/** Characters that may still be printed, shared by the names of one binary. */
export interface DemangleBudget {
  characters: number;
}

/** C++ operator precedence, tightest first: an operand that binds more loosely than its operator gets parentheses. */
export enum Precedence {
  Primary, Postfix, Unary, Cast, PointerToMember, Multiplicative, Additive, Shift, Spaceship, Relational, Equality,
  And, Xor, InclusiveOr, LogicalAnd, LogicalOr, Conditional, Assignment, Comma, Default,
}

/** The output, with the state of the parameter-pack expansion being printed (LLVM's). */
export class Printer {
  private parts: string[] = [];
  private size = 0;
  private depth = 0;
  /** Index of the pack element being printed, and the pack's size; -1 when no pack is expanding. */
  packIndex = -1;
  packMax = -1;
  /** 0 directly inside template arguments, where a `>` operator needs parentheses. */
  gtIsGt = 1;

  constructor(private readonly budget: DemangleBudget = { characters: MAX_OUTPUT }) {}

  add(text: string): void {
    if (text.length === 0) return;
    this.parts.push(text);
    this.size += text.length;
    this.budget.characters -= text.length;
    if (this.size > MAX_OUTPUT || this.budget.characters < 0) throw new DemangleError('demangled name too long');
  }

  get length(): number {
    return this.size;
  }

  last(): string {
    const part = this.parts[this.parts.length - 1];
    return part === undefined ? '' : part[part.length - 1]!;
  }

  /** Drops everything printed after `length` (an empty pack expansion and its comma); costs what it drops. */
  truncate(length: number): void {
    while (this.size > length) {
      const part = this.parts.pop()!;
      this.size -= part.length;
      if (this.size < length) {
        this.parts.push(part.slice(0, length - this.size));
        this.size = length;
      }
    }
  }

  text(): string {
    return this.parts.join('');
  }

  /** An opening bracket; `>` means greater-than again until it closes. */
  open(bracket = '('): void {
    this.gtIsGt++;
    this.add(bracket);
  }

  close(bracket = ')'): void {
    this.gtIsGt--;
    this.add(bracket);
  }

  /** An operand of an operator of `precedence`: parenthesized if it binds as loosely (or, `strictly`, more loosely). */
  operand(node: Node, precedence = Precedence.Default, strictly = false): void {
    const parenthesize = node.precedence() >= precedence + (strictly ? 1 : 0);
    if (parenthesize) this.open();
    this.print(node);
    if (parenthesize) this.close();
  }

  /** Runs a child's printing one level deeper. */
  nest(print: () => void): void {
    if (++this.depth > MAX_PRINT_DEPTH) throw new DemangleError('demangled name nested too deeply');
    print();
    this.depth--;
  }

  left(node: Node): void {
    this.nest(() => node.printLeft(this));
  }

  right(node: Node): void {
    this.nest(() => node.printRight(this));
  }

  print(node: Node): void {
    this.nest(() => {
      node.printLeft(this);
      node.printRight(this);
    });
  }

  /** Nodes separated by `, `; an element that prints nothing (an empty pack) takes its comma away. */
  list(nodes: Node[]): void {
    let first = true;
    for (const node of nodes) {
      const beforeComma = this.length;
      if (!first) this.add(', ');
      const afterComma = this.length;
      this.print(node);
      if (this.length === afterComma) {
        this.truncate(beforeComma);
        continue;
      }
      first = false;
    }
  }
}

export abstract class Node {
  abstract printLeft(p: Printer): void;
  printRight(_p: Printer): void {}
  /** Whether the right part prints anything (then a pointer to it needs no space before the name). */
  hasRight(_p: Printer): boolean {
    return false;
  }
  hasArray(_p: Printer): boolean {
    return false;
  }
  hasFunction(_p: Printer): boolean {
    return false;
  }
  /** The node whose syntax this one has (itself but for packs and forward references). */
  syntax(_p: Printer): Node {
    return this;
  }
  precedence(): Precedence {
    return Precedence.Primary;
  }
  /** The unqualified name a constructor or destructor of this type takes (none for most nodes). */
  baseName(): string {
    return '';
  }
}

/** Plain text: identifiers, builtin types, `(anonymous namespace)`; `base` is the constructor name it gives. */
export class Name extends Node {
  constructor(readonly text: string, readonly base = text) {
    super();
  }
  printLeft(p: Printer): void {
    p.add(this.text);
  }
  override baseName(): string {
    return this.base;
  }
}

/** `prefix child suffix`: special names (`vtable for X`), `X (.cold)`, `struct X`. */
export class Enclosed extends Node {
  constructor(readonly prefix: string, readonly child: Node, readonly suffix = '') {
    super();
  }
  printLeft(p: Printer): void {
    p.add(this.prefix);
    p.print(this.child);
    p.add(this.suffix);
  }
}

export class NestedName extends Node {
  constructor(readonly scope: Node, readonly name: Node, readonly separator = '::') {
    super();
  }
  printLeft(p: Printer): void {
    p.print(this.scope);
    p.add(this.separator);
    p.print(this.name);
  }
  override baseName(): string {
    return this.name.baseName();
  }
}

export class TemplateArgs extends Node {
  constructor(readonly args: Node[]) {
    super();
  }
  printLeft(p: Printer): void {
    const saved = p.gtIsGt;
    p.gtIsGt = 0;
    p.add('<');
    p.list(this.args);
    p.add('>');
    p.gtIsGt = saved;
  }
}

export class NameWithTemplateArgs extends Node {
  constructor(readonly name: Node, readonly args: TemplateArgs) {
    super();
  }
  printLeft(p: Printer): void {
    p.print(this.name);
    p.print(this.args);
  }
  override baseName(): string {
    return this.name.baseName();
  }
}

export class AbiTagged extends Node {
  constructor(readonly base: Node, readonly tag: string) {
    super();
  }
  printLeft(p: Printer): void {
    p.print(this.base);
    p.add(`[abi:${this.tag}]`);
  }
  override baseName(): string {
    return this.base.baseName();
  }
}

export type StdAbbreviation = 'a' | 'b' | 's' | 'i' | 'o' | 'd';
const STD_ABBREVIATIONS: Record<StdAbbreviation, { short: string; expanded: string; base: string }> = {
  a: { short: 'allocator', expanded: 'allocator', base: 'allocator' },
  b: { short: 'basic_string', expanded: 'basic_string', base: 'basic_string' },
  s: { short: 'string', expanded: 'basic_string<char, std::char_traits<char>, std::allocator<char>>', base: 'basic_string' },
  i: { short: 'istream', expanded: 'basic_istream<char, std::char_traits<char>>', base: 'basic_istream' },
  o: { short: 'ostream', expanded: 'basic_ostream<char, std::char_traits<char>>', base: 'basic_ostream' },
  d: { short: 'iostream', expanded: 'basic_iostream<char, std::char_traits<char>>', base: 'basic_iostream' },
};

/** `Sa`, `Sb`, `Ss`, `Si`, `So`, `Sd`: short (`std::string`), expanded when they name a constructor's class. */
export class StdAbbreviationName extends Node {
  constructor(readonly code: StdAbbreviation, readonly expanded = false) {
    super();
  }
  printLeft(p: Printer): void {
    const names = STD_ABBREVIATIONS[this.code];
    p.add(`std::${this.expanded ? names.expanded : names.short}`);
  }
  override baseName(): string {
    return this.expanded ? STD_ABBREVIATIONS[this.code].base : STD_ABBREVIATIONS[this.code].short;
  }
}

export class CtorDtorName extends Node {
  constructor(readonly type: Node, readonly isDestructor: boolean) {
    super();
  }
  printLeft(p: Printer): void {
    p.add((this.isDestructor ? '~' : '') + this.type.baseName());
  }
}

export class ConversionOperator extends Node {
  constructor(readonly type: Node) {
    super();
  }
  printLeft(p: Printer): void {
    p.add('operator ');
    p.print(this.type);
  }
}

/** A lambda's closure type: `'lambda'(int)`, `'lambda0'()`. */
export class ClosureName extends Node {
  constructor(readonly params: Node[], readonly count: string) {
    super();
  }
  printLeft(p: Printer): void {
    p.add(`'lambda${this.count}'`);
    this.printDeclarator(p);
  }
  printDeclarator(p: Printer): void {
    p.open();
    p.list(this.params);
    p.close();
  }
}

export class QualifiedType extends Node {
  constructor(readonly child: Node, readonly qualifiers: string) {
    super();
  }
  printLeft(p: Printer): void {
    p.left(this.child);
    p.add(this.qualifiers);
  }
  override printRight(p: Printer): void {
    p.right(this.child);
  }
  override hasRight(p: Printer): boolean {
    return this.child.hasRight(p);
  }
  override hasArray(p: Printer): boolean {
    return this.child.hasArray(p);
  }
  override hasFunction(p: Printer): boolean {
    return this.child.hasFunction(p);
  }
}

/** `T*`, `T&`, `T&&` (references collapse: `T& &&` is `T&`). */
export class PointerType extends Node {
  constructor(readonly pointee: Node, readonly symbol: '*' | '&' | '&&') {
    super();
  }
  /** The pointee and the symbol after collapsing references to references. */
  private collapsed(p: Printer): [Node, string] {
    if (this.symbol === '*') return [this.pointee, '*'];
    let symbol: string = this.symbol;
    let pointee = this.pointee;
    for (let steps = 0; steps < 64; steps++) {
      const syntax = pointee.syntax(p);
      if (!(syntax instanceof PointerType) || syntax.symbol === '*') return [pointee, symbol];
      if (syntax.symbol === '&') symbol = '&';
      pointee = syntax.pointee;
    }
    throw new DemangleError('reference cycle');
  }
  printLeft(p: Printer): void {
    const [pointee, symbol] = this.collapsed(p);
    p.left(pointee);
    if (pointee.hasArray(p)) p.add(' ');
    if (pointee.hasArray(p) || pointee.hasFunction(p)) p.add('(');
    p.add(symbol);
  }
  override printRight(p: Printer): void {
    const [pointee] = this.collapsed(p);
    if (pointee.hasArray(p) || pointee.hasFunction(p)) p.add(')');
    p.right(pointee);
  }
  override hasRight(p: Printer): boolean {
    return this.pointee.hasRight(p);
  }
}

export class PointerToMemberType extends Node {
  constructor(readonly classType: Node, readonly member: Node) {
    super();
  }
  printLeft(p: Printer): void {
    p.left(this.member);
    p.add(this.member.hasArray(p) || this.member.hasFunction(p) ? '(' : ' ');
    p.print(this.classType);
    p.add('::*');
  }
  override printRight(p: Printer): void {
    if (this.member.hasArray(p) || this.member.hasFunction(p)) p.add(')');
    p.right(this.member);
  }
  override hasRight(p: Printer): boolean {
    return this.member.hasRight(p);
  }
}

export class ArrayType extends Node {
  constructor(readonly element: Node, readonly dimension: Node | null) {
    super();
  }
  printLeft(p: Printer): void {
    p.left(this.element);
  }
  override printRight(p: Printer): void {
    if (p.last() !== ']') p.add(' ');
    p.add('[');
    if (this.dimension) p.print(this.dimension);
    p.add(']');
    p.right(this.element);
  }
  override hasRight(): boolean {
    return true;
  }
  override hasArray(): boolean {
    return true;
  }
}

/** What follows a parameter list: ` const`, ` &&`, ` noexcept`. */
export interface FunctionQualifiers {
  cv: string;
  ref: string;
  exceptionSpec?: Node | null;
}

function printQualifiers(p: Printer, qualifiers: FunctionQualifiers): void {
  p.add(qualifiers.cv);
  p.add(qualifiers.ref);
  if (qualifiers.exceptionSpec) {
    p.add(' ');
    p.print(qualifiers.exceptionSpec);
  }
}

export class FunctionType extends Node {
  constructor(readonly result: Node, readonly params: Node[], readonly qualifiers: FunctionQualifiers) {
    super();
  }
  printLeft(p: Printer): void {
    p.left(this.result);
    p.add(' ');
  }
  override printRight(p: Printer): void {
    p.open();
    p.list(this.params);
    p.close();
    p.right(this.result);
    printQualifiers(p, this.qualifiers);
  }
  override hasRight(): boolean {
    return true;
  }
  override hasFunction(): boolean {
    return true;
  }
}

/** A function's name with its signature; the return type only for template functions. */
export class FunctionEncoding extends Node {
  constructor(readonly result: Node | null, readonly name: Node, readonly params: Node[], readonly qualifiers: FunctionQualifiers) {
    super();
  }
  printLeft(p: Printer): void {
    if (this.result) {
      p.left(this.result);
      if (!this.result.hasRight(p)) p.add(' ');
    }
    p.print(this.name);
  }
  override printRight(p: Printer): void {
    p.open();
    p.list(this.params);
    p.close();
    if (this.result) p.right(this.result);
    printQualifiers(p, this.qualifiers);
  }
  override hasRight(): boolean {
    return true;
  }
  override hasFunction(): boolean {
    return true;
  }
}

/** Delegates everything to one child: a pack element being printed, or a resolved forward reference. */
abstract class Indirection extends Node {
  protected abstract target(p: Printer): Node | undefined;
  printLeft(p: Printer): void {
    const target = this.target(p);
    if (target) p.left(target);
  }
  override printRight(p: Printer): void {
    const target = this.target(p);
    if (target) p.right(target);
  }
  override hasRight(p: Printer): boolean {
    return this.target(p)?.hasRight(p) ?? false;
  }
  override hasArray(p: Printer): boolean {
    return this.target(p)?.hasArray(p) ?? false;
  }
  override hasFunction(p: Printer): boolean {
    return this.target(p)?.hasFunction(p) ?? false;
  }
  override syntax(p: Printer): Node {
    return this.target(p)?.syntax(p) ?? this;
  }
}

/** A template parameter that names a pack: prints the element of the expansion in progress. */
export class ParameterPack extends Indirection {
  constructor(readonly elements: Node[]) {
    super();
  }
  protected target(p: Printer): Node | undefined {
    if (p.packMax === -1) {
      p.packMax = this.elements.length;
      p.packIndex = 0;
    }
    return this.elements[p.packIndex];
  }
}

/** A `<template-param>` used before its template arguments are parsed (conversion operators). */
export class ForwardTemplateReference extends Indirection {
  resolved: Node | undefined;
  constructor(readonly index: number) {
    super();
  }
  protected target(): Node | undefined {
    return this.resolved;
  }
}

/** `Dp T`, `sp e`: the child once per element of the pack it uses, or `child...` when it uses none. */
export class PackExpansion extends Node {
  constructor(readonly child: Node) {
    super();
  }
  printLeft(p: Printer): void {
    const [savedIndex, savedMax] = [p.packIndex, p.packMax];
    p.packIndex = -1;
    p.packMax = -1;
    const start = p.length;
    p.print(this.child);
    if (p.packMax === -1) p.add('...');
    else if (p.packMax === 0) p.truncate(start);
    else {
      for (let i = 1; i < p.packMax; i++) {
        p.add(', ');
        p.packIndex = i;
        p.print(this.child);
      }
    }
    [p.packIndex, p.packMax] = [savedIndex, savedMax];
  }
}

/** Nodes printed as a comma-separated list (`sizeof...` arguments). */
export class NodeList extends Node {
  constructor(readonly nodes: Node[]) {
    super();
  }
  printLeft(p: Printer): void {
    p.list(this.nodes);
  }
}

/** A template argument pack `J...E`: a list where printed, a `ParameterPack` where a `T_` names it. */
export class TemplateArgumentPack extends NodeList {}

/** Text and nodes printed in order (`T vector[4]`, `construction vtable for A-in-B`, `[a, b]`). */
export class Sequence extends Node {
  constructor(readonly items: (Node | string)[]) {
    super();
  }
  printLeft(p: Printer): void {
    for (const item of this.items) {
      if (typeof item === 'string') p.add(item);
      else p.print(item);
    }
  }
}
