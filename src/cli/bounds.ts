// `htaf bounds`: Proposition 3.1 (issue 3). Given β, the least α; given α, the least β; β_min = ln((1 − ε)/ε).
// The human table rounds up like the paper's Table 6 (rule: roundUpForTable in src/theory/bounds.ts);
// --json prints the unrounded values.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { alphaMin, betaMin, betaMinForAlpha, roundUpForTable } from '../theory/index.js';

/** Table 6's β values. */
export const TABLE6_BETAS = [5, 10, 20, 30, 40, 50, 100, 500, 1000, 5000];

function parseNumber(name: string, value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${value}'`);
  return n;
}

function epsOption(value: string): number {
  const n = parseNumber('--eps', value);
  if (!(n > 0 && n < 0.5)) throw new InvalidArgumentError(`--eps must be a number in (0, 1/2), got '${value}'`);
  return n;
}

function deltaOption(value: string): number {
  const n = parseNumber('--delta', value);
  if (!(n > 0)) throw new InvalidArgumentError(`--delta must be a number > 0, got '${value}'`);
  return n;
}

function positiveList(name: string) {
  return (value: string): number[] => {
    const items = value.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
    if (items.some((v) => !Number.isFinite(v) || v <= 0)) {
      throw new InvalidArgumentError(`${name} must be a comma-separated list of numbers > 0, got '${value}'`);
    }
    return items;
  };
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export function boundsReport(o: { eps: number; delta: number; beta?: number[]; alpha?: number[]; json: boolean }): string[] {
  const { eps, delta } = o;
  const L = betaMin(eps);
  if (o.alpha) {
    const rows = o.alpha.map((alpha) => ({ alpha, betaMin: betaMinForAlpha(alpha, eps, delta) }));
    if (o.json) return [JSON.stringify({ eps, delta, betaMin: L, rows })];
    return [
      `Proposition 3.1: |HTAF(x) - H(x)| <= eps for every |x| >= delta, eps = ${eps}, delta = ${delta}`,
      `beta_min = ln((1 - eps)/eps) = ${roundUpForTable(L)} (every beta must exceed it)`,
      `least beta for each alpha: L/tanh(alpha*delta), rounded up`,
      '',
      ...table(
        ['alpha', 'beta_min(alpha)'],
        rows.map((r) => [String(r.alpha), roundUpForTable(r.betaMin)]),
      ),
    ];
  }
  const betas = o.beta ?? TABLE6_BETAS;
  const rows = betas.map((beta) => ({ beta, alphaMin: beta > L ? alphaMin(beta, eps, delta) : null }));
  if (o.json) return [JSON.stringify({ eps, delta, betaMin: L, rows })];
  return [
    `Proposition 3.1: |HTAF(x) - H(x)| <= eps for every |x| >= delta, eps = ${eps}, delta = ${delta}`,
    `beta_min = ln((1 - eps)/eps) = ${roundUpForTable(L)} (beta must exceed it)`,
    `least alpha for each beta: atanh(L/beta)/delta, rounded up; beta*alpha_min falls toward L/delta = ${(L / delta).toFixed(2)}`,
    '',
    ...table(
      ['beta', 'alpha_min', 'beta*alpha_min'],
      rows.map((r) =>
        r.alphaMin === null
          ? [String(r.beta), 'no α works (β must exceed β_min)', '']
          : [String(r.beta), roundUpForTable(r.alphaMin), (r.beta * r.alphaMin).toFixed(2)],
      ),
    ),
  ];
}

export function registerBounds(program: Command): void {
  program
    .command('bounds')
    .description('Proposition 3.1: the least alpha for each beta (or the least beta for each alpha) so that |HTAF - H| <= eps off (-delta, delta)')
    .option('--eps <e>', 'accuracy, in (0, 1/2)', epsOption, 0.1)
    .option('--delta <d>', 'half-width of the excluded neighbourhood of 0, > 0', deltaOption, 0.1)
    .addOption(new Option('--beta <list>', "comma-separated betas (default: Table 6's 5,10,20,30,40,50,100,500,1000,5000)").argParser(positiveList('--beta')).conflicts('alpha'))
    .addOption(new Option('--alpha <list>', 'comma-separated alphas: print the least beta for each').argParser(positiveList('--alpha')).conflicts('beta'))
    .option('--json', 'print one JSON line with the unrounded values')
    .action((o) => {
      for (const line of boundsReport({ eps: o.eps, delta: o.delta, beta: o.beta, alpha: o.alpha, json: !!o.json })) console.log(line);
    });
}
