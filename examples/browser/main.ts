/// <reference lib="dom" />
// The browser demo's page: an exported model (model.htafb) run by htaf/runtime alone on the shipped
// Fashion-MNIST test images (samples.bin), its size against float32 and its bits per layer, and a pad to
// draw on or a file to drop. Every error is shown on the page. What it computed is in window.htafDemo
// (for the headless test, test/runtime/browser.test.ts).
import { loadModel, type LayerActivity, type RuntimeModel } from '../../src/runtime/index.js';
import { defaultEngine, ENGINES, kernelsFor } from './engines.js';
import { imageFileToGray } from './image_file.js';
import { DrawingPad } from './pad.js';
import { grayToChannels, paint } from './pixels.js';
import { decodeSamples, type Samples } from './samples.js';
import { stepsPerValue } from './steps.js';
import { renderGrid, renderLayers, renderSizes } from './view.js';

export interface DemoState {
  /** True once the test images are classified (and again after another model is loaded). */
  ready: boolean;
  engine: string;
  model?: string;
  /** Per shipped test image, the predicted class and the true one. */
  classes: number[];
  labels: number[];
  accuracy?: number;
  /** The last error shown on the page. */
  error?: string;
  /** The last drawing or dropped image: its gray pixels (H × W) and the predicted class. */
  input?: { source: 'drawing' | 'file'; pixels: number[]; class: number; name: string };
}

declare global {
  interface Window {
    htafDemo: DemoState;
  }
}

const GRID = 24;
const CHUNK = 50;

const byId = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`the page has no #${id} (index.html and main.ts disagree)`);
  return e as T;
};

const state: DemoState = { ready: false, engine: defaultEngine(), classes: [], labels: [] };
window.htafDemo = state;
let model: RuntimeModel | undefined;
let samples: Samples | undefined;

function showError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  state.error = message;
  const box = byId('error');
  box.textContent = `Error: ${message}`;
  box.hidden = false;
}

function clearError(): void {
  byId('error').hidden = true;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`could not load ${url}: HTTP ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** An image model whose input the shipped images fit, with classes to name. */
function checkModel(m: RuntimeModel, name: string, s: Samples): void {
  const g = m.graph;
  if (g.kind !== 'image') throw new Error(`${name} is a tabular model (input [${g.input.join(', ')}]); this page needs an image model (htaf images train, then htaf export)`);
  if (g.task === 'regression') throw new Error(`${name} is a regression model; this page needs a classifier`);
  const shape = [s.channels, s.height, s.width];
  if (g.input.join() !== shape.join()) throw new Error(`${name} takes images of [${g.input.join(', ')}], the shipped test images are [${shape.join(', ')}]`);
}

/** Classifies the shipped images in chunks (letting the page repaint between), with the share of ones over all. */
async function classifyAll(m: RuntimeModel, s: Samples): Promise<{ classes: Int32Array; activity: LayerActivity[] }> {
  const per = s.channels * s.height * s.width;
  const classes = new Int32Array(s.count);
  const sums = new Map<string, LayerActivity>();
  for (let start = 0; start < s.count; start += CHUNK) {
    const rows = Math.min(CHUNK, s.count - start);
    byId('status').textContent = `Classifying test images ${start + 1}–${start + rows} of ${s.count}…`;
    await new Promise((resolve) => setTimeout(resolve, 0));
    const p = m.predict(m.standardize(s.pixels.subarray(start * per, (start + rows) * per), rows), rows);
    classes.set(p.classes!, start);
    for (const a of p.activity) {
      const sum = sums.get(a.layer) ?? { ...a, ones: 0 };
      sum.ones += (a.ones * rows) / s.count;
      sums.set(a.layer, sum);
    }
  }
  return { classes, activity: [...sums.values()] };
}

function loaded(): RuntimeModel {
  if (model === undefined) throw new Error('no model is loaded yet');
  return model;
}

const names = (m: RuntimeModel): string[] => m.graph.classes ?? Array.from({ length: Math.max(2, m.graph.outputs) }, (_, i) => `class ${i}`);

/** Loads a model from its bytes, checks it, classifies the test images and shows it all; the old model stays on failure. */
async function useModel(bytes: Uint8Array, name: string): Promise<void> {
  const s = samples!;
  const kernels = await kernelsFor(state.engine);
  let m: RuntimeModel;
  try {
    m = loadModel(bytes, { kernels });
  } catch (e) {
    throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  checkModel(m, name, s);
  state.ready = false;
  const t0 = performance.now();
  const { classes, activity } = await classifyAll(m, s);
  const ms = performance.now() - t0;
  let right = 0;
  for (let i = 0; i < s.count; i++) if (classes[i] === s.labels[i]) right++;
  model = m;
  const info = m.info();
  const steps = stepsPerValue(m.graph);
  renderSizes(byId('sizes'), info, steps);
  renderLayers(byId('layers'), info, steps, activity);
  renderGrid(byId('grid'), s, classes, names(m), GRID);
  const accuracy = right / s.count;
  byId('accuracy').textContent = `${right} of ${s.count} test images right: accuracy ${(100 * accuracy).toFixed(1)}% (${ms.toFixed(0)} ms with the ${m.engine} engine)`;
  byId('status').textContent = `Model ${name}: ${info.layers.length} layers, input [${m.graph.input.join(', ')}], ${m.graph.outputs} outputs.`;
  Object.assign(state, { model: name, classes: Array.from(classes), labels: Array.from(s.labels), accuracy, ready: true });
}

/** Predicts one gray H × W image and shows the top classes. */
function predictGray(gray: Uint8Array, source: 'drawing' | 'file', note = ''): void {
  const model = loaded();
  const [c, h, w] = model.graph.input;
  const chw = grayToChannels(gray, c);
  const p = model.predict(model.standardize(chw, 1), 1);
  const cls = p.classes![0];
  const label = names(model);
  const logits = Array.from(p.outputs);
  const top = logits.length === 1 ? [] : softmax(logits).map((q, i) => ({ q, i })).sort((a, b) => b.q - a.q).slice(0, 3);
  paint(byId<HTMLCanvasElement>('preview'), chw, c, h, w);
  byId('input-result').textContent = `${source === 'drawing' ? 'Your drawing' : 'Your image'}${note}: ${label[cls]}` +
    (top.length ? ` (${top.map((t) => `${label[t.i]} ${(100 * t.q).toFixed(0)}%`).join(', ')})` : '');
  state.input = { source, pixels: Array.from(gray), class: cls, name: label[cls] };
}

function softmax(v: number[]): number[] {
  const max = Math.max(...v);
  const e = v.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** A chosen or dropped file: a model (.htafb) replaces the current one, anything else is read as an image. */
async function useFile(file: File): Promise<void> {
  clearError();
  if (file.name.toLowerCase().endsWith('.htafb')) return useModel(new Uint8Array(await file.arrayBuffer()), file.name);
  const [, h, w] = loaded().graph.input;
  const { gray, inverted } = await imageFileToGray(file, h, w);
  predictGray(gray, 'file', inverted ? ' (inverted: its ground was light)' : '');
}

const guarded = (f: () => unknown): void => {
  Promise.resolve().then(f).catch(showError);
};

function wire(): void {
  const select = byId<HTMLSelectElement>('engine');
  for (const name of Object.keys(ENGINES)) select.append(new Option(name, name, name === state.engine, name === state.engine));
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('engine', select.value);
    location.href = url.href;
  });
  const pad = new DrawingPad(byId<HTMLCanvasElement>('pad'), () => guarded(() => {
    clearError();
    const [, h, w] = loaded().graph.input;
    predictGray(pad.pixels(h, w), 'drawing');
  }));
  byId('clear').addEventListener('click', () => pad.clear());
  for (const id of ['model-file', 'image-file']) {
    const input = byId<HTMLInputElement>(id);
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file !== undefined) guarded(() => useFile(file));
      input.value = '';
    });
  }
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file !== undefined) guarded(() => useFile(file));
  });
}

async function start(): Promise<void> {
  const asked = new URL(location.href).searchParams.get('engine');
  if (asked !== null) state.engine = asked;
  wire();
  byId('status').textContent = 'Loading the model and the test images…';
  const [modelBytes, sampleBytes] = await Promise.all([fetchBytes('model.htafb'), fetchBytes('samples.bin')]);
  samples = decodeSamples(sampleBytes);
  await useModel(modelBytes, 'model.htafb');
}

window.addEventListener('error', (e) => showError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  showError(e.reason);
});
start().catch((e) => {
  showError(e);
  byId('status').textContent = 'The demo could not start.';
});
