// Text widths for vega's layout. Without a canvas, vega estimates every character as 0.8 em wide,
// about half again too wide for DejaVu Sans, so titles and legends reserve space they never use and
// panels drift apart. vega lets a renderer supply its own measure (textMetrics.width, as vl-convert
// does); ours reads DejaVu Sans's advance widths (the figure font, see FIGURE_FONT in plot.ts).
import * as vega from 'vega';
import { DEJAVU_SANS, DEJAVU_SANS_BOLD } from './text_widths.generated.js';

interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}
type WidthFn = (item: TextItem, text: unknown) => number;
interface TextMetrics {
  width: WidthFn;
}

// vega re-exports vega-scenegraph's textMetrics, which its typings leave out.
const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;

function table([chars, widths]: readonly [string, readonly number[]]): Map<string, number> {
  const m = new Map<string, number>();
  [...chars].forEach((ch, i) => m.set(ch, widths[i] / 1000));
  return m;
}
const REGULAR = table(DEJAVU_SANS);
const BOLD = table(DEJAVU_SANS_BOLD);
/** Width of a character the tables lack (about DejaVu Sans's average for letters). */
const FALLBACK_EM = 0.62;

function isBold(weight: number | string | undefined): boolean {
  if (weight === undefined) return false;
  if (typeof weight === 'number') return weight >= 600;
  return weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
}

/** Width in pixels of `text` set in DejaVu Sans at `fontSize` pixels. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const t = bold ? BOLD : REGULAR;
  let em = 0;
  for (const ch of text) em += t.get(ch) ?? FALLBACK_EM;
  return em * fontSize;
}

const measure: WidthFn = (item, text) => {
  const s = text == null ? '' : String(text).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  if (size <= 0 || s === '') return 0;
  const w = textWidth(s, size, isBold(item.fontWeight));
  // vega truncates text longer than its limit (with an ellipsis) to at most the limit.
  return item.limit != null && item.limit > 0 ? Math.min(w, item.limit) : w;
};

let active = 0;
let saved: WidthFn | undefined;

/**
 * Runs `fn` (a vega render) with DejaVu Sans widths installed as vega's text measure, then puts back
 * the measure that was there before (once the last of overlapping renders ends).
 */
export async function withFigureTextMetrics<T>(fn: () => Promise<T>): Promise<T> {
  if (active++ === 0) {
    saved = metrics.width;
    metrics.width = measure;
  }
  try {
    return await fn();
  } finally {
    if (--active === 0 && saved !== undefined) {
      metrics.width = saved;
      saved = undefined;
    }
  }
}
