// What the page shows: the model's size against float32, its layers with their bits per example and the
// share of ones of each step or LIF layer, and a grid of test images with predicted and true labels.
import type { LayerActivity, LayerInfo, ModelInfo } from '../../src/runtime/index.js';
import { paint } from './pixels.js';
import type { Samples } from './samples.js';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className !== undefined) e.className = className;
  return e;
};

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** Bits one example's output of a layer would take as float32 (32 per value and step). */
const float32Bits = (l: LayerInfo, steps: Map<string, number>): number => 32 * l.shape.reduce((a, b) => a * b, 1) * (steps.get(l.name) ?? 1);

function table(head: string[], rows: string[][]): HTMLTableElement {
  const t = el('table');
  const tr = t.createTHead().insertRow();
  for (const h of head) tr.append(el('th', h));
  const body = t.createTBody();
  for (const row of rows) {
    const r = body.insertRow();
    for (const cell of row) r.append(el('td', cell));
  }
  return t;
}

/** Weights as stored against the same weights as float32, and the activations' peak per example. */
export function renderSizes(target: HTMLElement, info: ModelInfo, steps: Map<string, number>): void {
  const ratio = info.float32ParameterBytes / info.parameterBytes;
  const peak = info.peakActivationBytesPerExample;
  const binary = info.layers.filter((l) => l.kind !== 'real');
  const bits = binary.reduce((s, l) => s + l.bitsPerExample, 0);
  const floatBits = binary.reduce((s, l) => s + float32Bits(l, steps), 0);
  const rows = [
    ['weights', kib(info.parameterBytes), kib(info.float32ParameterBytes), `${ratio.toFixed(2)}×`],
    ['peak activations per image', kib(peak.packed), kib(peak.float32), `${(peak.float32 / peak.packed).toFixed(2)}×`],
  ];
  if (binary.length > 0) rows.push([`binary activations per image (${binary.length} layers)`, kib(bits / 8), kib(floatBits / 8), `${(floatBits / bits).toFixed(2)}×`]);
  target.replaceChildren(table(['', 'this model', 'as float32', 'ratio'], rows));
}

/** Each layer: its op, value kind, shape, bits per example (and as float32, over its time steps), and for a step or LIF layer its share of ones. */
export function renderLayers(target: HTMLElement, info: ModelInfo, steps: Map<string, number>, activity: LayerActivity[]): void {
  const ones = new Map(activity.map((a) => [a.layer, a.ones]));
  target.replaceChildren(table(['layer', 'op', 'kind', 'shape', 'bits per image', 'as float32', 'share of ones (LIF: spike rate)'], info.layers.map((l) => {
    const share = ones.get(l.name);
    return [l.name, l.op, l.kind, `[${l.shape.join(', ')}]`, String(l.bitsPerExample), String(float32Bits(l, steps)), share === undefined ? '' : share.toFixed(3)];
  })));
}

/** The first `n` test images with the predicted and the true class names (wrong ones marked). */
export function renderGrid(target: HTMLElement, samples: Samples, predicted: ArrayLike<number>, names: readonly string[], n: number): void {
  const per = samples.channels * samples.height * samples.width;
  const cells: HTMLElement[] = [];
  for (let i = 0; i < Math.min(n, samples.count); i++) {
    const right = predicted[i] === samples.labels[i];
    const fig = el('figure', undefined, right ? 'right' : 'wrong');
    const canvas = el('canvas');
    paint(canvas, samples.pixels.subarray(i * per, (i + 1) * per), samples.channels, samples.height, samples.width);
    const cap = el('figcaption');
    cap.append(el('span', names[predicted[i]] ?? String(predicted[i]), 'predicted'), el('span', `true: ${names[samples.labels[i]] ?? samples.labels[i]}`, 'true'));
    fig.append(canvas, cap);
    cells.push(fig);
  }
  target.replaceChildren(...cells);
}
