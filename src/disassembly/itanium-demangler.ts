/**
 * Itanium C++ ABI demangler (`_Z…` names, as g++ and clang emit them), printing what LLVM's
 * demangler prints (LLVM 15 and later; checked against llvm-cxxfilt 19): SMDA names ELF functions
 * by LIEF's / LLVM's demangling (reference §4.4). A name it cannot parse comes back unchanged, as
 * from LLVM; it never throws, and input length, nesting and output length are bounded.
 */
import {
  AbiTagged,
  ArrayType,
  ClosureName,
  ConversionOperator,
  CtorDtorName,
  DemangleError,
  Enclosed,
  ForwardTemplateReference,
  FunctionEncoding,
  FunctionType,
  Name,
  NameWithTemplateArgs,
  NestedName,
  NodeList,
  ParameterPack,
  PackExpansion,
  PointerToMemberType,
  PointerType,
  Printer,
  QualifiedType,
  Sequence,
  StdAbbreviationName,
  TemplateArgs,
  TemplateArgumentPack,
  type FunctionQualifiers,
  type DemangleBudget,
  type Node,
  type StdAbbreviation,
} from './itanium-nodes.js';
import { enclosing, parseExpression, parseExprPrimary } from './itanium-expressions.js';

const MAX_MANGLED_LENGTH = 1 << 16;
const MAX_PARSE_DEPTH = 256;

const BUILTIN_TYPES: Record<string, string> = {
  v: 'void', w: 'wchar_t', b: 'bool', c: 'char', a: 'signed char', h: 'unsigned char', s: 'short', t: 'unsigned short',
  i: 'int', j: 'unsigned int', l: 'long', m: 'unsigned long', x: 'long long', y: 'unsigned long long', n: '__int128',
  o: 'unsigned __int128', f: 'float', d: 'double', e: 'long double', g: '__float128', z: '...',
};
/** `D` + letter builtins. */
const D_BUILTIN_TYPES: Record<string, string> = {
  d: 'decimal64', e: 'decimal128', f: 'decimal32', h: 'half', i: 'char32_t', s: 'char16_t', u: 'char8_t', a: 'auto',
  c: 'decltype(auto)', n: 'std::nullptr_t',
};
/** Operator names (`operator+`); the words among them print after a space (`operator new`). `->*` is not nameable in LLVM. */
const OPERATORS: Record<string, string> = {
  nw: ' new', na: ' new[]', dl: ' delete', da: ' delete[]', aw: ' co_await', ps: '+', ng: '-', ad: '&', de: '*', co: '~',
  pl: '+', mi: '-', ml: '*', dv: '/', rm: '%', an: '&', or: '|', eo: '^', aS: '=', pL: '+=', mI: '-=', mL: '*=', dV: '/=',
  rM: '%=', aN: '&=', oR: '|=', eO: '^=', ls: '<<', rs: '>>', lS: '<<=', rS: '>>=', eq: '==', ne: '!=', lt: '<', gt: '>',
  le: '<=', ge: '>=', ss: '<=>', nt: '!', aa: '&&', oo: '||', pp: '++', mm: '--', cm: ',', pt: '->', cl: '()',
  ix: '[]', qu: '?',
};
const SPECIAL_NAMES: Record<string, string> = {
  TV: 'vtable for ', TT: 'VTT for ', TI: 'typeinfo for ', TS: 'typeinfo name for ', TA: 'template parameter object for ',
  TW: 'thread-local wrapper routine for ', TH: 'thread-local initialization routine for ', GV: 'guard variable for ',
  GR: 'reference temporary for ',
};

/** What parsing a function's name tells about the rest of its encoding. */
interface NameState {
  /** ` const` etc. and ` &`/` &&` of a member function (`NK…E`, `NR…E`). */
  cv: string;
  ref: string;
  /** The name ends with template arguments: the signature starts with the return type. */
  endsWithTemplateArgs: boolean;
  /** Constructors, destructors and conversion operators have no return type even then. */
  ctorDtorConversion: boolean;
  forwardRefsStart: number;
}

export class ItaniumParser {
  at = 0;
  private depth = 0;
  private readonly subs: Node[] = [];
  /** The template arguments `T_` (level 0) and `TL<n>__` (level n + 1) refer to. */
  private templateParams: Node[][] = [];
  private forwardRefs: ForwardTemplateReference[] = [];
  private permitForwardRefs = false;
  /** False in a conversion operator's type: the template arguments that follow are the operator's. */
  tryTemplateArgs = true;
  /** While parsing a lambda's parameters: the template level whose missing `T_` is `auto`. */
  private lambdaParamsLevel = -1;

  constructor(readonly text: string) {}

  fail(): never {
    throw new DemangleError(`cannot demangle at offset ${this.at}`);
  }

  look(ahead = 0): string {
    return this.text[this.at + ahead] ?? '';
  }

  consume(prefix: string): boolean {
    if (!this.text.startsWith(prefix, this.at)) return false;
    this.at += prefix.length;
    return true;
  }

  expect(prefix: string): void {
    if (!this.consume(prefix)) this.fail();
  }

  /** Runs a recursive step one level deeper (bounded). */
  nested<T>(parse: () => T): T {
    if (++this.depth > MAX_PARSE_DEPTH) this.fail();
    const result = parse();
    this.depth--;
    return result;
  }

  /** Matches `pattern` (sticky) at the current position, consuming it; "" if it does not match. */
  private match(pattern: RegExp): string {
    pattern.lastIndex = this.at;
    const match = pattern.exec(this.text);
    if (!match) return '';
    this.at += match[0].length;
    return match[0];
  }

  /** `<number> ::= [n] <decimal>`: the digits as written (`n` for minus kept), "" if none. */
  number(allowNegative = false): string {
    return this.match(allowNegative ? /n?[0-9]+/y : /[0-9]+/y);
  }

  private count(): number {
    const digits = this.number();
    if (digits === '') this.fail();
    return Number(digits);
  }

  mangled(): Node {
    this.expect('_Z');
    let encoding = this.encoding();
    if (this.look() === '.') {
      encoding = new Enclosed('', encoding, ` (${this.text.slice(this.at)})`);
      this.at = this.text.length;
    }
    if (this.at !== this.text.length || this.forwardRefs.length > 0) this.fail();
    return encoding;
  }

  private atEncodingEnd(): boolean {
    return this.at >= this.text.length || 'E._'.includes(this.look());
  }

  encoding(): Node {
    return this.nested(() => {
      // An encoding's template parameters are unrelated to those of the enclosing context.
      const savedParams = this.templateParams;
      this.templateParams = [];
      if (this.look() === 'G' || this.look() === 'T') {
        const special = this.specialName();
        this.templateParams = savedParams;
        return special;
      }
      const state: NameState = { cv: '', ref: '', endsWithTemplateArgs: false, ctorDtorConversion: false, forwardRefsStart: this.forwardRefs.length };
      const name = this.name(state);
      this.resolveForwardRefs(state);
      let result: Node = name;
      if (!this.atEncodingEnd()) {
        const returnType = state.endsWithTemplateArgs && !state.ctorDtorConversion ? this.type() : null;
        const params: Node[] = [];
        if (!this.consume('v')) {
          do params.push(this.type());
          while (!this.atEncodingEnd());
        }
        result = new FunctionEncoding(returnType, name, params, { cv: state.cv, ref: state.ref });
      }
      this.templateParams = savedParams;
      return result;
    });
  }

  private resolveForwardRefs(state: NameState): void {
    const params = this.templateParams[0];
    for (const ref of this.forwardRefs.slice(state.forwardRefsStart)) {
      if (!params || ref.index >= params.length) this.fail();
      ref.resolved = params[ref.index];
    }
    this.forwardRefs.length = state.forwardRefsStart;
  }

  private callOffset(): void {
    const offset = () => {
      if (this.number(true) === '') this.fail();
      this.expect('_');
    };
    if (this.consume('h')) offset();
    else if (this.consume('v')) {
      offset();
      offset();
    } else this.fail();
  }

  private specialName(): Node {
    const code = this.text.slice(this.at, this.at + 2);
    const prefix = SPECIAL_NAMES[code];
    if (prefix !== undefined) {
      this.at += 2;
      if (code === 'TA') return new Enclosed(prefix, this.templateArg());
      if (code[0] === 'T' && code !== 'TW' && code !== 'TH') return new Enclosed(prefix, this.type());
      const name = this.name(null);
      if (code === 'GR') {
        const hasSeqId = /[0-9A-Z]/.test(this.look());
        if (hasSeqId) this.seqId();
        if (!this.consume('_') && hasSeqId) this.fail();
      }
      return new Enclosed(prefix, name);
    }
    if (this.consume('Tc')) {
      this.callOffset();
      this.callOffset();
      return new Enclosed('covariant return thunk to ', this.encoding());
    }
    if (this.consume('TC')) {
      const derived = this.type();
      if (this.number(true) === '') this.fail();
      this.expect('_');
      return new Sequence(['construction vtable for ', this.type(), '-in-', derived]);
    }
    if (this.consume('T')) {
      const isVirtual = this.look() === 'v';
      this.callOffset();
      return new Enclosed(isVirtual ? 'virtual thunk to ' : 'non-virtual thunk to ', this.encoding());
    }
    return this.fail();
  }

  name(state: NameState | null): Node {
    return this.nested(() => {
      if (this.look() === 'N') return this.nestedName(state);
      if (this.look() === 'Z') return this.localName(state);
      if (this.look() === 'S' && this.look(1) !== 't') {
        const substitution = this.substitution();
        if (this.look() !== 'I') this.fail();
        return this.withTemplateArgs(substitution, state);
      }
      const name = this.unscopedName(state);
      if (this.look() !== 'I') return name;
      this.subs.push(name);
      return this.withTemplateArgs(name, state);
    });
  }

  private withTemplateArgs(name: Node, state: NameState | null): Node {
    const args = this.templateArgs(state !== null);
    if (state) state.endsWithTemplateArgs = true;
    return new NameWithTemplateArgs(name, args);
  }

  private unscopedName(state: NameState | null): Node {
    return this.unqualifiedName(state, this.consume('St') ? new Name('std') : null);
  }

  private localName(state: NameState | null): Node {
    this.expect('Z');
    const encoding = this.encoding();
    this.expect('E');
    if (this.consume('s')) {
      this.discriminator();
      return new NestedName(encoding, new Name('string literal'));
    }
    // The entity's template parameters are unrelated to those of the enclosing context (LLVM: none).
    const savedParams = this.templateParams;
    this.templateParams = [];
    const defaultArgument = this.consume('d');
    if (defaultArgument) {
      this.number(true);
      this.expect('_');
    }
    const entity = this.name(state);
    if (!defaultArgument) this.discriminator();
    this.templateParams = savedParams;
    return new NestedName(encoding, entity);
  }

  /** `_<digit>`, `__<number>_`, or trailing digits: parsed and ignored. */
  private discriminator(): void {
    if (this.look() === '_') {
      if (/[0-9]/.test(this.look(1))) this.at += 2;
      else if (this.look(1) === '_') this.match(/__[0-9]*_/y);
    } else if (/^[0-9]+$/.test(this.text.slice(this.at))) this.at = this.text.length;
  }

  private nestedName(state: NameState | null): Node {
    this.expect('N');
    const cv = this.cvQualifiers();
    const ref = this.consume('O') ? ' &&' : this.consume('R') ? ' &' : '';
    if (state) [state.cv, state.ref] = [cv, ref];
    let soFar: Node | null = null;
    while (!this.consume('E')) {
      if (state) state.endsWithTemplateArgs = false;
      if (this.look() === 'I') {
        // A template prefix takes its arguments once.
        if (!soFar || soFar instanceof NameWithTemplateArgs) this.fail();
        soFar = new NameWithTemplateArgs(soFar, this.templateArgs(state !== null));
        if (state) state.endsWithTemplateArgs = true;
      } else if (this.look() === 'S') {
        // `St` and substitutions can only start the name, and are not added again.
        const first = this.consume('St') ? new Name('std') : this.substitution();
        if (soFar) this.fail();
        soFar = first;
        continue;
      } else if (this.look() === 'T' || (this.look() === 'D' && 'tT'.includes(this.look(1)) && this.look(1) !== '')) {
        if (soFar) this.fail();
        soFar = this.look() === 'T' ? this.templateParam() : this.decltype();
      } else soFar = this.unqualifiedName(state, soFar);
      this.subs.push(soFar);
      this.consume('M'); // a data member prefix (lambdas in member initializers)
    }
    if (!soFar || this.subs.length === 0) this.fail();
    this.subs.pop(); // the full name is not a substitution candidate
    return soFar;
  }

  /** `C1`…`C5`, `CI1 <base>`, `D0`…`D5`: the constructor or destructor of `type`. */
  private ctorDtorName(type: Node, state: NameState | null): Node {
    let isDestructor: boolean;
    if (this.consume('C')) {
      const inherited = this.consume('I');
      if (!'12345'.includes(this.look()) || this.look() === '') this.fail();
      this.at++;
      if (inherited) this.name(state);
      isDestructor = false;
    } else if (this.look() === 'D' && '01245'.includes(this.look(1)) && this.look(1) !== '') {
      this.at += 2;
      isDestructor = true;
    } else return this.fail();
    if (state) state.ctorDtorConversion = true;
    return new CtorDtorName(type, isDestructor);
  }

  /** An unqualified name, in `scope` when given (then it may be a constructor or destructor). */
  private unqualifiedName(state: NameState | null, scope: Node | null = null): Node {
    this.consume('L'); // internal linkage
    let owner = scope;
    let name: Node;
    if (/[1-9]/.test(this.look())) name = this.sourceName();
    else if (this.look() === 'U') name = this.unnamedTypeName(state);
    else if (this.consume('DC')) {
      const bindings: Node[] = [];
      do bindings.push(this.sourceName());
      while (!this.consume('E'));
      name = new Sequence(['[', ...bindings.flatMap((b, i) => (i === 0 ? [b] : [', ', b])), ']']);
    } else if (this.look() === 'C' || this.look() === 'D') {
      if (!owner) this.fail();
      // A constructor of `std::string` & co. names its class in full.
      if (owner instanceof StdAbbreviationName) owner = new StdAbbreviationName(owner.code, true);
      name = this.ctorDtorName(owner, state);
    } else name = this.operatorName(state);
    name = this.abiTags(name);
    return owner ? new NestedName(owner, name) : name;
  }

  private abiTags(node: Node): Node {
    let tagged = node;
    while (this.consume('B')) tagged = new AbiTagged(tagged, this.bareSourceName());
    return tagged;
  }

  bareSourceName(): string {
    const length = this.count();
    if (length === 0 || this.at + length > this.text.length) this.fail();
    const name = this.text.slice(this.at, this.at + length);
    this.at += length;
    return name;
  }

  sourceName(): Node {
    const name = this.bareSourceName();
    return new Name(name.startsWith('_GLOBAL__N') ? '(anonymous namespace)' : name);
  }

  private unnamedTypeName(state: NameState | null): Node {
    // In the name being encoded, template parameters refer to the innermost arguments (LLVM clears them).
    if (state) this.templateParams = [];
    if (this.consume('Ut')) {
      const count = this.number();
      this.expect('_');
      return new Name(`'unnamed${count}'`, '');
    }
    if (this.consume('Ub')) {
      this.number();
      this.expect('_');
      return new Name("'block-literal'");
    }
    this.expect('Ul');
    const savedLevel = this.lambdaParamsLevel;
    this.lambdaParamsLevel = this.templateParams.length;
    const params: Node[] = [];
    if (!this.consume('vE')) {
      do params.push(this.type());
      while (!this.consume('E'));
    }
    this.lambdaParamsLevel = savedLevel;
    const count = this.number();
    this.expect('_');
    return new ClosureName(params, count);
  }

  operatorName(state: NameState | null): Node {
    const code = this.text.slice(this.at, this.at + 2);
    if (code === 'cv') {
      this.at += 2;
      const [savedTry, savedPermit] = [this.tryTemplateArgs, this.permitForwardRefs];
      this.tryTemplateArgs = false;
      this.permitForwardRefs = savedPermit || state !== null;
      const type = this.type();
      [this.tryTemplateArgs, this.permitForwardRefs] = [savedTry, savedPermit];
      if (state) state.ctorDtorConversion = true;
      return new ConversionOperator(type);
    }
    if (code === 'li') {
      this.at += 2;
      return new Sequence(['operator"" ', this.sourceName()]);
    }
    if (code[0] === 'v' && /[0-9]/.test(code[1] ?? '')) {
      this.at += 2;
      return new ConversionOperator(this.sourceName());
    }
    const symbol = OPERATORS[code];
    if (symbol === undefined) this.fail();
    this.at += 2;
    return new Name(`operator${symbol}`);
  }

  /** `[r][V][K]` → ` const volatile restrict` (LLVM's order). */
  cvQualifiers(): string {
    const restrict = this.consume('r');
    const isVolatile = this.consume('V');
    const isConst = this.consume('K');
    return (isConst ? ' const' : '') + (isVolatile ? ' volatile' : '') + (restrict ? ' restrict' : '');
  }

  private seqId(): number {
    const digits = this.match(/[0-9A-Z]+/y);
    if (digits === '') this.fail();
    return parseInt(digits, 36);
  }

  addSubstitution(node: Node): void {
    this.subs.push(node);
  }

  substitution(): Node {
    this.expect('S');
    if (/[a-z]/.test(this.look())) {
      const code = this.look();
      if (!'absiod'.includes(code)) this.fail();
      this.at++;
      const abbreviation = new StdAbbreviationName(code as StdAbbreviation);
      const tagged = this.abiTags(abbreviation);
      if (tagged !== abbreviation) this.subs.push(tagged);
      return tagged;
    }
    const index = this.consume('_') ? 0 : this.seqId() + 1;
    if (index > 0) this.expect('_');
    return this.subs[index] ?? this.fail();
  }

  templateParam(): Node {
    this.expect('T');
    let level = 0;
    if (this.consume('L')) {
      level = this.count() + 1;
      this.expect('_');
    }
    let index = 0;
    if (!this.consume('_')) {
      index = this.count() + 1;
      this.expect('_');
    }
    if (this.permitForwardRefs && level === 0) {
      const ref = new ForwardTemplateReference(index);
      this.forwardRefs.push(ref);
      return ref;
    }
    const param = this.templateParams[level]?.[index];
    if (param) return param;
    // A generic lambda's `auto` parameters are mangled as its invented template parameters.
    if (this.lambdaParamsLevel === level && level <= this.templateParams.length) return new Name('auto');
    return this.fail();
  }

  /** `I <template-arg>+ E`; `tag`: the arguments of the name being encoded, which `T_` refers to (from the next one on). */
  templateArgs(tag = false): TemplateArgs {
    return this.nested(() => {
      this.expect('I');
      const params: Node[] = [];
      if (tag) this.templateParams = [params];
      const args: Node[] = [];
      while (!this.consume('E')) {
        const arg = this.templateArg();
        args.push(arg);
        if (tag) params.push(arg instanceof TemplateArgumentPack ? new ParameterPack(arg.nodes) : arg);
      }
      return new TemplateArgs(args);
    });
  }

  templateArg(): Node {
    return this.nested(() => {
      if (this.consume('X')) {
        const expression = parseExpression(this);
        this.expect('E');
        return expression;
      }
      if (this.consume('J')) {
        const args: Node[] = [];
        while (!this.consume('E')) args.push(this.templateArg());
        return new TemplateArgumentPack(args);
      }
      if (this.consume('LZ')) {
        const encoding = this.encoding();
        this.expect('E');
        return encoding;
      }
      if (this.look() === 'L') return parseExprPrimary(this);
      if (this.templateParamDecl()) return this.templateArg(); // the argument prints, not its declaration
      return this.type();
    });
  }

  /** Skips a template parameter declaration (`Ty`, `Tk <name>`, `Tn <type>`, `Tt <decl>* E`, `Tp <decl>`; clang 19): whether there was one. */
  private templateParamDecl(): boolean {
    if (this.look() !== 'T' || !'yknpt'.includes(this.look(1)) || this.look(1) === '') return false;
    const kind = this.look(1);
    this.at += 2;
    if (kind === 'k') this.name(null);
    else if (kind === 'n') this.type();
    else if (kind === 'p' && !this.templateParamDecl()) this.fail();
    else if (kind === 't') {
      while (!this.consume('E')) if (!this.templateParamDecl()) this.fail();
    }
    return true;
  }

  decltype(): Node {
    this.expect('D');
    if (!this.consume('t') && !this.consume('T')) this.fail();
    const expression = parseExpression(this);
    this.expect('E');
    return enclosing('decltype', expression);
  }

  type(): Node {
    return this.nested(() => {
      const c = this.look();
      const builtin = BUILTIN_TYPES[c];
      if (builtin !== undefined) {
        this.at++;
        return new Name(builtin);
      }
      if (c === 'D') {
        const dBuiltin = D_BUILTIN_TYPES[this.look(1)];
        if (dBuiltin !== undefined) {
          this.at += 2;
          return new Name(dBuiltin);
        }
        if (this.consume('DF')) {
          const bits = this.number();
          this.expect('_');
          return new Name(`_Float${bits}`);
        }
      }
      if (c === 'S' && this.look(1) !== 't') {
        const substitution = this.substitution();
        // A substitution followed by template arguments is a template name; alone it is not re-added.
        if (!this.tryTemplateArgs || this.look() !== 'I') return substitution;
        const result = new NameWithTemplateArgs(substitution, this.templateArgs());
        this.subs.push(result);
        return result;
      }
      const result = this.compoundType();
      this.subs.push(result);
      return result;
    });
  }

  /** The substitutable types: everything but builtins and bare substitutions. */
  private compoundType(): Node {
    const c = this.look();
    switch (c) {
      case 'r':
      case 'V':
      case 'K': {
        const match = /^r?V?K?/.exec(this.text.slice(this.at, this.at + 3))![0];
        const next = this.text.slice(this.at + match.length, this.at + match.length + 2);
        if (next[0] === 'F' || ['Do', 'DO', 'Dw', 'Dx'].includes(next)) return this.functionType();
        const qualifiers = this.cvQualifiers();
        return new QualifiedType(this.type(), qualifiers);
      }
      case 'U': {
        this.at++;
        const qualifier = this.bareSourceName();
        const args = this.look() === 'I' ? this.templateArgs() : null;
        const child = this.type();
        return new Sequence([child, ` ${qualifier}`, ...(args ? [args] : [])]);
      }
      case 'u': {
        this.at++;
        const name = this.bareSourceName();
        if (!this.consume('I')) return new Name(name);
        const transformed = this.type(); // a type transformation (`__remove_cv(T)`)
        this.expect('E');
        return new Sequence([`${name}(`, transformed, ')']);
      }
      case 'F':
        return this.functionType();
      case 'A':
        return this.arrayType();
      case 'M': {
        this.at++;
        const classType = this.type();
        return new PointerToMemberType(classType, this.type());
      }
      case 'P':
      case 'R':
      case 'O':
        this.at++;
        return new PointerType(this.type(), c === 'P' ? '*' : c === 'R' ? '&' : '&&');
      case 'C':
      case 'G':
        this.at++;
        return new Sequence([this.type(), c === 'C' ? ' complex' : ' imaginary']);
      case 'T': {
        const elaborated = { s: 'struct ', u: 'union ', e: 'enum ' }[this.look(1)];
        if (elaborated !== undefined) {
          this.at += 2;
          return new Enclosed(elaborated, this.name(null));
        }
        const param = this.templateParam();
        if (!this.tryTemplateArgs || this.look() !== 'I') return param;
        return new NameWithTemplateArgs(param, this.templateArgs());
      }
      case 'D':
        return this.dType();
      default:
        return this.name(null);
    }
  }

  private dType(): Node {
    const code = this.look(1);
    if (code === 't' || code === 'T') return this.decltype();
    if (code === 'p') {
      this.at += 2;
      return new PackExpansion(this.type());
    }
    if (code === 'v') {
      this.at += 2;
      let dimension: Node | null = null;
      if (/[1-9]/.test(this.look())) dimension = new Name(this.number());
      else if (this.look() !== '_') dimension = parseExpression(this);
      this.expect('_');
      return new Sequence([this.type(), ' vector[', ...(dimension ? [dimension] : []), ']']);
    }
    if ('oOwx'.includes(code) && code !== '') return this.functionType();
    return this.fail();
  }

  private functionType(): Node {
    const cv = this.cvQualifiers();
    let exceptionSpec: Node | null = null;
    if (this.consume('Do')) exceptionSpec = new Name('noexcept');
    else if (this.consume('DO')) {
      exceptionSpec = enclosing('noexcept', parseExpression(this));
      this.expect('E');
    } else if (this.consume('Dw')) {
      const types: Node[] = [];
      while (!this.consume('E')) types.push(this.type());
      exceptionSpec = enclosing('throw', new NodeList(types));
    }
    this.consume('Dx');
    this.expect('F');
    this.consume('Y');
    const result = this.type();
    const params: Node[] = [];
    let ref = '';
    for (;;) {
      if (this.consume('E')) break;
      if (this.consume('v')) continue;
      if (this.consume('RE')) {
        ref = ' &';
        break;
      }
      if (this.consume('OE')) {
        ref = ' &&';
        break;
      }
      params.push(this.type());
    }
    const qualifiers: FunctionQualifiers = { cv, ref, exceptionSpec };
    return new FunctionType(result, params, qualifiers);
  }

  private arrayType(): Node {
    this.expect('A');
    let dimension: Node | null = null;
    if (/[0-9]/.test(this.look())) {
      dimension = new Name(this.number());
      this.expect('_');
    } else if (!this.consume('_')) {
      dimension = parseExpression(this);
      this.expect('_');
    }
    return new ArrayType(this.type(), dimension);
  }
}

/** At most this many characters of demangled names per binary (a real one prints a few MiB at most). */
const MAX_BINARY_OUTPUT = 1 << 26;

/**
 * The demangled name, or `name` itself when it is no Itanium `_Z` name this demangler can read
 * (LLVM's `itaniumDemangle`: a symbol version suffix `@…` is not part of it).
 */
export function demangle(name: string, budget?: DemangleBudget): string {
  if (!name.startsWith('_Z') || name.length > MAX_MANGLED_LENGTH) return name;
  try {
    const printer = new Printer(budget);
    printer.print(new ItaniumParser(name).mangled());
    return printer.text();
  } catch {
    return name; // unparseable, or beyond a bound (including a stack overflow on a hostile name)
  }
}

/** Demangles the names of one binary: each distinct name once, all within one output budget (past it, names stay mangled). */
export function binaryDemangler(budget = MAX_BINARY_OUTPUT): (name: string) => string {
  const demangled = new Map<string, string>();
  const remaining: DemangleBudget = { characters: budget };
  return (name) => {
    let result = demangled.get(name);
    if (result === undefined) {
      result = demangle(name, remaining);
      demangled.set(name, result);
    }
    return result;
  };
}
