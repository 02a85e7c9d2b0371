/**
 * Expressions of the Itanium mangling (`X…E` template arguments, `decltype`, array dimensions), as
 * LLVM 15+ prints them: operands parenthesized by precedence (`(a + b) * c`), `static_cast<T>(e)`,
 * `(char)65`. Covers what g++ puts in declarations; the rest (new/delete, folds, float literals)
 * fails, leaving the name mangled.
 */
import type { ItaniumParser } from './itanium-demangler.js';
import { Enclosed, Name, NameWithTemplateArgs, NestedName, Node, NodeList, PackExpansion, Precedence, Sequence, type Printer } from './itanium-nodes.js';

const P = Precedence;
/** Binary operators and their precedence; LLVM gives `/` that of an assignment, and so do we (same parentheses). */
const BINARY: Record<string, [string, Precedence]> = {
  aa: ['&&', P.LogicalAnd], an: ['&', P.And], aN: ['&=', P.Assignment], aS: ['=', P.Assignment], cm: [',', P.Comma],
  dv: ['/', P.Assignment], dV: ['/=', P.Assignment], eo: ['^', P.Xor], eO: ['^=', P.Assignment], eq: ['==', P.Equality],
  ge: ['>=', P.Relational], gt: ['>', P.Relational], le: ['<=', P.Relational], ls: ['<<', P.Shift], lS: ['<<=', P.Assignment],
  lt: ['<', P.Relational], mi: ['-', P.Additive], mI: ['-=', P.Assignment], ml: ['*', P.Multiplicative], mL: ['*=', P.Assignment],
  ne: ['!=', P.Equality], oo: ['||', P.LogicalOr], or: ['|', P.InclusiveOr], oR: ['|=', P.Assignment], pl: ['+', P.Additive],
  pL: ['+=', P.Assignment], rm: ['%', P.Multiplicative], rM: ['%=', P.Assignment], rs: ['>>', P.Shift], rS: ['>>=', P.Assignment],
  ss: ['<=>', P.Spaceship],
};
const PREFIX: Record<string, string> = { ad: '&', de: '*', ng: '-', nt: '!', ps: '+', co: '~' };
const MEMBER_ACCESS: Record<string, [string, Precedence]> = { dt: ['.', P.Postfix], pt: ['->', P.Postfix], ds: ['.*', P.PointerToMember], pm: ['->*', P.PointerToMember] };
const CASTS: Record<string, string> = { sc: 'static_cast', dc: 'dynamic_cast', cc: 'const_cast', rc: 'reinterpret_cast' };
/** `sizeof (T)` and company: [keyword, operand is a type, precedence]. */
const OF_OPERAND: Record<string, [string, boolean, Precedence]> = {
  st: ['sizeof ', true, P.Unary], sz: ['sizeof ', false, P.Unary], at: ['alignof ', true, P.Unary], az: ['alignof ', false, P.Unary],
  ti: ['typeid ', true, P.Postfix], te: ['typeid ', false, P.Postfix], nx: ['noexcept ', false, P.Unary],
};
/** Integer literal types: printed as a cast when longer than 3 characters, else as a suffix (`5u`). */
const LITERAL_TYPES: Record<string, string> = {
  w: 'wchar_t', c: 'char', a: 'signed char', h: 'unsigned char', s: 'short', t: 'unsigned short', i: '', j: 'u', l: 'l',
  m: 'ul', x: 'll', y: 'ull', n: '__int128', o: 'unsigned __int128',
};

const signed = (value: string) => (value.startsWith('n') ? `-${value.slice(1)}` : value);

/** An expression node: its precedence, and how it prints its operands. */
class Expression extends Node {
  constructor(readonly binding: Precedence, readonly render: (p: Printer) => void) {
    super();
  }
  override precedence(): Precedence {
    return this.binding;
  }
  printLeft(p: Printer): void {
    this.render(p);
  }
}

function binary(operator: string, precedence: Precedence, left: Node, right: Node): Node {
  return new Expression(precedence, (p) => {
    // Directly inside template arguments a `>` would close them.
    const parenthesizeAll = p.gtIsGt === 0 && (operator === '>' || operator === '>>');
    if (parenthesizeAll) p.open();
    const assignment = precedence === P.Assignment; // right associative
    p.operand(left, assignment ? P.LogicalOr : precedence, !assignment);
    p.add(operator === ',' ? ', ' : ` ${operator} `);
    p.operand(right, precedence, assignment);
    if (parenthesizeAll) p.close();
  });
}

/** `keyword (operand)`: `sizeof (int)`, `decltype(x)`. */
export function enclosing(keyword: string, operand: Node, precedence = P.Primary): Node {
  return new Expression(precedence, (p) => {
    p.add(keyword);
    p.open();
    p.print(operand);
    p.close();
  });
}

/** Arguments in parentheses, comma-separated. */
function argumentList(p: Printer, args: Node[]): void {
  p.open();
  p.list(args);
  p.close();
}

function expressions(p: ItaniumParser): Node[] {
  const list: Node[] = [];
  while (!p.consume('E')) list.push(parseExpression(p));
  return list;
}

export function parseExpression(p: ItaniumParser): Node {
  return p.nested(() => expression(p));
}

function expression(p: ItaniumParser): Node {
  const global = p.consume('gs');
  const code = p.text.slice(p.at, p.at + 2);
  if (code.length < 2) p.fail();
  if (p.consume('u')) return vendorExpression(p);
  if (code[0] === 'L') return parseExprPrimary(p);
  if (code[0] === 'T') return p.templateParam();
  if (code === 'fp' || (code === 'fL' && /[0-9]/.test(p.look(2)))) return functionParam(p);
  if (/[1-9]/.test(code[0]!) || code === 'sr' || code === 'dn' || code === 'on') return unresolvedName(p, global);
  p.at += 2;
  const binaryOperator = BINARY[code];
  if (binaryOperator) {
    const left = parseExpression(p);
    return binary(...binaryOperator, left, parseExpression(p));
  }
  const prefix = PREFIX[code];
  if (prefix !== undefined) {
    const operand = parseExpression(p);
    return new Expression(P.Unary, (out) => {
      out.add(prefix);
      out.operand(operand, P.Unary);
    });
  }
  const member = MEMBER_ACCESS[code];
  if (member) {
    const [access, precedence] = member;
    const object = parseExpression(p);
    const name = parseExpression(p);
    return new Expression(precedence, (out) => {
      out.operand(object, precedence, true);
      out.add(access);
      out.operand(name, precedence);
    });
  }
  const cast = CASTS[code];
  if (cast !== undefined) {
    const type = p.type();
    const operand = parseExpression(p);
    return new Expression(P.Postfix, (out) => {
      const saved = out.gtIsGt;
      out.gtIsGt = 0;
      out.add(`${cast}<`);
      out.left(type);
      out.add('>');
      out.gtIsGt = saved;
      out.open();
      out.operand(operand);
      out.close();
    });
  }
  const ofOperand = OF_OPERAND[code];
  if (ofOperand) {
    const [keyword, ofType, precedence] = ofOperand;
    return enclosing(keyword, ofType ? p.type() : parseExpression(p), precedence);
  }
  return otherExpression(p, code);
}

function otherExpression(p: ItaniumParser, code: string): Node {
  switch (code) {
    case 'pp':
    case 'mm': {
      const operator = code === 'pp' ? '++' : '--';
      const prefix = p.consume('_');
      const operand = parseExpression(p);
      return new Expression(P.Postfix, (out) => {
        if (prefix) out.add(operator);
        out.operand(operand, P.Postfix, !prefix);
        if (!prefix) out.add(operator);
      });
    }
    case 'cl': {
      const callee = parseExpression(p);
      const args = expressions(p);
      return new Expression(P.Postfix, (out) => {
        out.print(callee);
        argumentList(out, args);
      });
    }
    case 'cv':
      return conversion(p);
    case 'ix': {
      const array = parseExpression(p);
      const index = parseExpression(p);
      return new Expression(P.Postfix, (out) => {
        out.operand(array, P.Postfix);
        out.open('[');
        out.operand(index);
        out.close(']');
      });
    }
    case 'qu': {
      const [condition, then, otherwise] = [parseExpression(p), parseExpression(p), parseExpression(p)];
      return new Expression(P.Conditional, (out) => {
        out.operand(condition, P.Conditional);
        out.add(' ? ');
        out.operand(then);
        out.add(' : ');
        out.operand(otherwise, P.Assignment, true);
      });
    }
    case 'sp':
      return new PackExpansion(parseExpression(p));
    case 'sZ':
      if (p.look() === 'T') return enclosing('sizeof...', new PackExpansion(p.templateParam()));
      return enclosing('sizeof... ', functionParam(p));
    case 'sP': {
      const args: Node[] = [];
      while (!p.consume('E')) args.push(p.templateArg());
      return enclosing('sizeof... ', new NodeList(args));
    }
    case 'tw':
      return new Enclosed('throw ', parseExpression(p));
    case 'tr':
      return new Name('throw');
    case 'il':
      return new Sequence(['{', new NodeList(expressions(p)), '}']);
    case 'tl': {
      const type = p.type();
      return new Sequence([type, '{', new NodeList(expressions(p)), '}']);
    }
    default:
      return p.fail();
  }
}

/** `u <source-name> <template-arg>* E`: a vendor extension, printed as a call. */
function vendorExpression(p: ItaniumParser): Node {
  const name = p.sourceName();
  const args: Node[] = [];
  while (!p.consume('E')) args.push(p.templateArg());
  return new Expression(P.Postfix, (out) => {
    out.print(name);
    argumentList(out, args);
  });
}

/** `cv <type> <expression>` or `cv <type> _ <expression>* E`: `(T)(e)`. */
function conversion(p: ItaniumParser): Node {
  const saved = p.tryTemplateArgs;
  p.tryTemplateArgs = false;
  const type = p.type();
  p.tryTemplateArgs = saved;
  const args = p.consume('_') ? expressions(p) : [parseExpression(p)];
  return new Expression(P.Cast, (out) => {
    out.open();
    out.print(type);
    out.close();
    argumentList(out, args);
  });
}

/** `fp <cv> [<number>] _`, `fL <number> p <cv> [<number>] _`: printed `fp`, `fp0`, …; `fpT` is `this`. */
function functionParam(p: ItaniumParser): Node {
  if (p.consume('fpT')) return new Name('this');
  if (!p.consume('fp')) {
    p.expect('fL');
    if (p.number() === '') p.fail();
    p.expect('p');
  }
  p.cvQualifiers();
  const index = p.number();
  p.expect('_');
  return new Name(`fp${index}`);
}

/** A literal as a cast (`(char)65`, `(E)3`): the type in brackets that count for `>`. */
function castLiteral(type: Node | string, value: string): Node {
  return new Expression(P.Primary, (p) => {
    p.open();
    if (typeof type === 'string') p.add(type);
    else p.print(type);
    p.close();
    p.add(signed(value));
  });
}

/** `L <type> <value> E`, `L _Z <encoding> E`, `LDnE`, string literals. */
export function parseExprPrimary(p: ItaniumParser): Node {
  p.expect('L');
  const literalType = LITERAL_TYPES[p.look()];
  if (literalType !== undefined) {
    p.at++;
    const value = p.number(true);
    if (value === '') p.fail();
    p.expect('E');
    return literalType.length > 3 ? castLiteral(literalType, value) : new Name(signed(value) + literalType);
  }
  if (p.consume('b0E')) return new Name('false');
  if (p.consume('b1E')) return new Name('true');
  if (p.consume('_Z')) {
    const encoding = p.encoding();
    p.expect('E');
    return encoding;
  }
  if (p.consume('Dn')) {
    p.consume('0');
    p.expect('E');
    return new Name('nullptr');
  }
  if (p.look() === 'A') {
    const type = p.type();
    p.expect('E');
    return new Enclosed('"<', type, '>"');
  }
  if ('bfdeTU'.includes(p.look())) return p.fail(); // floating-point and lambda literals: not supported
  const type = p.type();
  const value = p.number(true);
  if (value === '') p.fail();
  p.expect('E');
  return castLiteral(type, value);
}

function simpleId(p: ItaniumParser): Node {
  const name = p.sourceName();
  return p.look() === 'I' ? new NameWithTemplateArgs(name, p.templateArgs()) : name;
}

/** `<template-param>`, `<decltype>` (both substitution candidates) or a `<substitution>`. */
function unresolvedType(p: ItaniumParser): Node {
  if (p.look() !== 'T' && p.look() !== 'D') return p.substitution();
  const type = p.look() === 'T' ? p.templateParam() : p.decltype();
  p.addSubstitution(type);
  return type;
}

function baseUnresolvedName(p: ItaniumParser): Node {
  if (/[0-9]/.test(p.look())) return simpleId(p);
  if (p.consume('dn')) return new Enclosed('~', /[0-9]/.test(p.look()) ? simpleId(p) : unresolvedType(p));
  p.consume('on');
  const operator = p.operatorName(null);
  return p.look() === 'I' ? new NameWithTemplateArgs(operator, p.templateArgs()) : operator;
}

/** `x`, `::x`, `A::B<T>::x`, `T::x` (`sr`/`srN` forms). */
function unresolvedName(p: ItaniumParser, global: boolean): Node {
  const withArgs = (node: Node) => (p.look() === 'I' ? new NameWithTemplateArgs(node, p.templateArgs()) : node);
  if (p.consume('srN')) {
    let scope = withArgs(unresolvedType(p));
    while (!p.consume('E')) scope = new NestedName(scope, simpleId(p));
    return new NestedName(scope, baseUnresolvedName(p));
  }
  if (!p.consume('sr')) {
    const name = baseUnresolvedName(p);
    return global ? new Enclosed('::', name) : name;
  }
  let scope: Node | null = null;
  if (/[0-9]/.test(p.look())) {
    do {
      const qualifier = simpleId(p);
      scope = scope ? new NestedName(scope, qualifier) : global ? new Enclosed('::', qualifier) : qualifier;
    } while (!p.consume('E'));
  } else scope = withArgs(unresolvedType(p));
  return new NestedName(scope, baseUnresolvedName(p));
}
