// The bound ablation's text outputs (Figure 6's table as Markdown and CSV): rendering only; the runs are
// src/train/ablate_bounds.ts.
import { roundUpForTable } from '../theory/index.js';
import type { BoundAblationResult } from '../train/ablate_bounds.js';
import { csvText } from './csv.js';

function num(v: number, digits = 4): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

export function ablationHeader(r: BoundAblationResult): string[] {
  return [
    `Bound ablation (Appendix F.1): HTAF(α_min(β), β), eps = ${r.eps}, delta = ${r.delta}; beta_min = ln((1 - eps)/eps) = ${roundUpForTable(r.betaMin)}`,
    `alpha = alpha_min(beta) = atanh(L/beta)/delta, rounded up as in Table 6; MLP ${r.config.hidden.join('-')}, Adam lr ${r.config.lr}, batch ${r.config.batch}, ` +
      `${r.config.epochs} epochs (patience ${r.config.patience}), seed ${r.config.seed}`,
    `${r.metric} on the test rows with exact steps (Heaviside at inference; smooth: HTAF kept); binarity: share of hidden activations > 0.99 or < 0.01`,
  ];
}

export function ablationMarkdown(r: BoundAblationResult): string[] {
  const m = r.metric;
  const header = ['beta', 'alpha_min', 'alpha used', `test ${m} (exact)`, `test ${m} (smooth)`, `val ${m} (exact)`, 'binarity', 'best epoch', 'seconds'];
  const rows = r.rows.map((x) => [
    String(x.beta), roundUpForTable(x.alphaMin), String(x.alpha), num(x.test), num(x.testSmooth), num(x.val), num(x.binarity), String(x.bestEpoch) + (x.stoppedOnNaN ? ` (NaN at ${x.stoppedOnNaN.epoch})` : ''),
    x.seconds.toFixed(1),
  ]);
  return [
    ...ablationHeader(r),
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((c) => `| ${c.join(' | ')} |`),
  ];
}

export function ablationCsv(r: BoundAblationResult): string {
  const header = ['beta', 'alpha_min', 'alpha', 'spec', 'eps', 'delta', 'metric', 'test_exact', 'test_smooth', 'val_exact', 'binarity', 'best_epoch', 'epochs_run', 'seconds', 'stopped_on_nan_epoch'];
  return csvText(header, r.rows.map((x) => [
    x.beta, x.alphaMin, x.alpha, x.spec, r.eps, r.delta, x.metric, x.test, x.testSmooth, x.val, x.binarity, x.bestEpoch, x.epochsRun, x.seconds,
    x.stoppedOnNaN ? x.stoppedOnNaN.epoch : null,
  ]));
}
