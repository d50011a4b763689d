// Builds the browser demo into one self-contained folder: the page (index.html), its bundle (main.js,
// esbuild of main.ts and htaf/runtime, nothing else of htaf), the model file and the first N test images
// of the dataset with their labels (samples.bin). Serve the folder with serve.ts and open it.
//   node dist/examples/browser/build.js --model RUN/model.htafb [--out examples/browser/dist] [--count 200] [--dataset fashion-mnist]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadImageSource } from '../../src/data/images/index.js';
import { loadModel } from '../../src/runtime/index.js';
import { encodeSamples } from './samples.js';

/** The repository root (this file runs as dist/examples/browser/build.js). */
export const ROOT = join(import.meta.dirname, '../../..');
const SOURCE = join(ROOT, 'examples/browser');
export const DEFAULT_OUT = join(SOURCE, 'dist');

export interface BuildOptions {
  /** An exported image model (htaf export --run DIR writes DIR/model.htafb). */
  model: string;
  out?: string;
  /** Test images to ship (the first ones of the test split). */
  count?: number;
  /** The dataset the model was trained on (loadImageSource's spec). */
  dataset?: string;
}

export interface BuildResult {
  out: string;
  files: { name: string; bytes: number }[];
}

export async function buildDemo(options: BuildOptions): Promise<BuildResult> {
  const out = resolve(options.out ?? DEFAULT_OUT);
  const count = options.count ?? 200;
  const dataset = options.dataset ?? 'fashion-mnist';
  if (!Number.isInteger(count) || count < 1) throw new Error(`build: --count must be a whole number ≥ 1; got ${count}`);
  if (!existsSync(options.model)) throw new Error(`build: no model file '${options.model}' (htaf export --run DIR writes DIR/model.htafb)`);
  const modelBytes = new Uint8Array(readFileSync(options.model));
  const graph = loadModel(modelBytes).graph; // a bad file fails here, with the runtime's own message
  if (graph.kind !== 'image') throw new Error(`build: '${options.model}' is a tabular model; the browser demo needs an image model (htaf images train)`);
  const test = (await loadImageSource(dataset)).test;
  const shape = [test.channels, test.height, test.width];
  if (graph.input.join() !== shape.join()) throw new Error(`build: the model takes [${graph.input.join(', ')}], ${dataset}'s images are [${shape.join(', ')}]`);
  if (test.classes.length > 256) throw new Error(`build: ${test.classes.length} classes do not fit samples.bin's 8-bit labels`);
  const n = Math.min(count, test.labels.length);
  const per = shape.reduce((a, b) => a * b, 1);
  const wasm = join(ROOT, 'src/runtime/wasm_kernels.generated.ts');
  if (!existsSync(wasm)) throw new Error(`build: no ${wasm}, the WebAssembly kernels the page bundles; node tools/build-wasm.mjs writes it (make build does)`);
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(SOURCE, 'main.ts')],
    outfile: join(out, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  copyFileSync(join(SOURCE, 'index.html'), join(out, 'index.html'));
  writeFileSync(join(out, 'model.htafb'), modelBytes);
  const labels = Uint8Array.from(test.labels.subarray(0, n));
  writeFileSync(join(out, 'samples.bin'), encodeSamples({ count: n, channels: shape[0], height: shape[1], width: shape[2], labels, pixels: test.images.subarray(0, n * per) }));
  const files = ['index.html', 'main.js', 'model.htafb', 'samples.bin'].map((name) => ({ name, bytes: statSync(join(out, name)).size }));
  return { out, files };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, out: { type: 'string' }, count: { type: 'string' }, dataset: { type: 'string' } },
    strict: true,
  });
  if (values.model === undefined) throw new Error('build: --model FILE is needed (an exported image model: htaf export --run DIR writes DIR/model.htafb)');
  const r = await buildDemo({ model: values.model, out: values.out, count: values.count === undefined ? undefined : Number(values.count), dataset: values.dataset });
  for (const f of r.files) console.log(`wrote ${join(r.out, f.name)} (${f.bytes} bytes)`);
  console.log(`serve it with: node dist/examples/browser/serve.js --dir ${r.out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
