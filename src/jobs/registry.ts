import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { Compile, type Validator } from 'typebox/compile';
import type { JobMethod } from './method.js';

/** The module with the methods this build provides; extra modules come from configuration. */
export const BUILTIN_METHODS_MODULE = new URL(
  `../methods/index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
).href;

/** A file path (relative to the working directory) or URL of a method module, as an importable URL. */
export function methodModuleUrl(specifier: string): string {
  if (/^[a-z]+:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) return specifier;
  return pathToFileURL(isAbsolute(specifier) ? specifier : resolve(specifier)).href;
}

export class UnknownMethodError extends Error {}
export class InvalidParametersError extends Error {}

/** Job methods by name, loaded from method modules. */
export class MethodRegistry {
  private readonly validators = new Map<string, Validator>();

  private constructor(
    readonly moduleUrls: readonly string[],
    private readonly methods: ReadonlyMap<string, JobMethod>,
  ) {}

  static async load(moduleUrls: readonly string[]): Promise<MethodRegistry> {
    const methods = new Map<string, JobMethod>();
    for (const url of moduleUrls) {
      const exported = (await import(url)).default as JobMethod | JobMethod[];
      for (const method of Array.isArray(exported) ? exported : [exported]) {
        if (!method || typeof method.name !== 'string' || typeof method.run !== 'function') {
          throw new Error(`method module ${url} exports something that is not a job method`);
        }
        methods.set(method.name, method);
      }
    }
    return new MethodRegistry(moduleUrls, methods);
  }

  get names(): string[] {
    return [...this.methods.keys()];
  }

  get(name: string): JobMethod {
    const method = this.methods.get(name);
    if (!method) throw new UnknownMethodError(`unknown job method '${name}'`);
    return method;
  }

  /** Whether the method's results are matching reports (`compact` applies); false for unknown methods. */
  producesMatchingReports(name: string): boolean {
    return this.methods.get(name)?.matchingReport === true;
  }

  /** Throws InvalidParametersError naming the first parameter that does not fit the method's schema. */
  validate(name: string, parameters: unknown): void {
    const method = this.get(name);
    let validator = this.validators.get(name);
    if (!validator) {
      validator = Compile(method.parameters);
      this.validators.set(name, validator);
    }
    if (validator.Check(parameters)) return;
    const [first] = validator.Errors(parameters);
    const where = first?.instancePath ? `parameter '${first.instancePath.slice(1)}'` : 'parameters';
    throw new InvalidParametersError(`${name}: ${where} ${first?.message ?? 'are invalid'}`);
  }
}
