/**
 * A report (or a function object of one) that SMDA 4.4.4 would not load, or that this build does not
 * support. `field` is the path of the first bad value (`xcfg.4198400.blocks.4198400[3]`, `report`
 * for the document itself); the message starts with it.
 */
export class SmdaReportError extends Error {
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'SmdaReportError';
    this.field = field;
  }
}
