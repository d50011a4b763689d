// `htaf images train|compare|convert` end to end on tiny Fashion-MNIST-format IDX files written into a
// temp folder (HTAF_FASHION_MNIST_DIR): 12×12 images whose class is the bright quadrant, tiny models.
// The --json line, the report (exact/smooth accuracy, share of ones, firing rates), files in --out, a run
// killed mid-way that --resume finishes with the uninterrupted result, Table 1 and its --resume, the
// ANN-to-SNN table, and errors naming the bad option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command, CommanderError } from 'commander';
import { encodeIdx } from '../../src/images.js';
import { registerImages } from '../../src/cli/images.js';
import { ROOT } from './run.js';

const SIDE = 12;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** Four IDX files (images gzipped, labels plain) of n quadrant images: label k is the bright quadrant k. */
function writeFashionMnist(dir: string, counts = { train: 160, t10k: 40 }): void {
  mkdirSync(dir, { recursive: true });
  for (const [part, n, seed] of [['train', counts.train, 1], ['t10k', counts.t10k, 2]] as const) {
    const r = lcg(seed);
    const pixels = new Uint8Array(n * SIDE * SIDE);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % 4;
      labels[i] = k;
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const q = (y < SIDE / 2 ? 0 : 2) + (x < SIDE / 2 ? 0 : 1);
          pixels[i * SIDE * SIDE + y * SIDE + x] = Math.min(255, Math.floor(r() * 90) + (q === k ? 150 : 0));
        }
      }
    }
    writeFileSync(join(dir, `${part}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([n, SIDE, SIDE], pixels)));
    writeFileSync(join(dir, `${part}-labels-idx1-ubyte`), encodeIdx([n], labels));
  }
}

function setup(): { dir: string; data: string; cli: (args: string[]) => { status: number | null; stdout: string; stderr: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-images-cli-'));
  const data = join(dir, 'fm');
  writeFashionMnist(data);
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/htaf.js'), 'images', ...args], {
      cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, HTAF_FASHION_MNIST_DIR: data },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { dir, data, cli };
}

const TINY = ['--dataset', 'fashion-mnist', '--depth', '10', '--base-width', '4', '--batch', '16', '--lr', '0.01', '--seed', '3'];

test('images train --json: stdout is exactly one JSON line; the report shows exact/smooth accuracy and the share of ones; --out keeps the files', () => {
  const { dir, cli } = setup();
  try {
    const out = join(dir, 'run');
    const r = cli(['train', ...TINY, '--model', 'dhn', '--method', 'htaf', '--epochs', '3', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, r.stdout);
    const j = JSON.parse(lines[0]);
    assert.deepEqual(Object.keys(j), ['accuracy', 'smoothAccuracy', 'imagesPerSecond']);
    assert.ok(j.accuracy >= 0.5 && j.accuracy <= 1, `accuracy ${j.accuracy}`);
    assert.ok(j.smoothAccuracy >= 0 && j.smoothAccuracy <= 1);
    assert.ok(j.imagesPerSecond > 0);
    assert.match(r.stderr, /fashion-mnist: 160 training and 40 test images, 1×12×12, 10 classes/);
    assert.match(r.stderr, /train: epoch 3\/3 +loss [\d.]+ +train acc [\d.]+ +val acc [\d.]+ \(exact\) +\d+ img\/s/);
    assert.match(r.stderr, /test acc +\d\.\d{4} +\d\.\d{4}/);
    assert.match(r.stderr, /share of ones of each binary activation:\n +block1\.layer\.0\.act1 +share of ones 0\.\d{4}/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    assert.equal(result.test.accuracy, j.accuracy);
    assert.equal(result.test.smoothAccuracy, j.smoothAccuracy);
    assert.equal(result.model.method, 'htaf:alpha=2,beta=11');
    assert.ok(existsSync(join(out, 'best.safetensors')) && existsSync(join(out, 'checkpoint.safetensors')));
    // The same seed gives the same accuracies.
    const again = cli(['train', ...TINY, '--model', 'dhn', '--method', 'htaf', '--epochs', '3', '--json']);
    assert.equal(again.status, 0, again.stderr);
    const k = JSON.parse(again.stdout);
    assert.deepEqual([k.accuracy, k.smoothAccuracy], [j.accuracy, j.smoothAccuracy]);
    // An --out holding a run needs --resume.
    const refused = cli(['train', ...TINY, '--epochs', '3', '--out', out]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /--out '.*run': it already holds a run .*add --resume/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('images train: a run killed (SIGKILL) after a checkpoint and resumed gives the uninterrupted result', async () => {
  const { dir, data, cli } = setup();
  try {
    const args = ['train', ...TINY, '--model', 'dhn', '--method', 'ste:sigmoid', '--epochs', '8', '--augment', '--crop-padding', '1'];
    const whole = cli([...args, '--out', join(dir, 'whole'), '--json']);
    assert.equal(whole.status, 0, whole.stderr);
    const cut = join(dir, 'cut');
    const child = spawn(process.execPath, [join(ROOT, 'bin/htaf.js'), 'images', ...args, '--out', cut], { cwd: ROOT, env: { ...process.env, HTAF_FASHION_MNIST_DIR: data }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        if (existsSync(join(cut, 'checkpoint.safetensors'))) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        } else if (Date.now() - t0 > 60_000) {
          clearInterval(poll);
          reject(new Error('no checkpoint within 60 s'));
        }
      }, 5);
    });
    assert.equal(await exited, null, 'killed, not finished');
    const resumed = cli([...args, '--out', cut, '--resume', '--json']);
    assert.equal(resumed.status, 0, resumed.stderr);
    const m = /resuming at epoch (\d+)/.exec(resumed.stderr);
    assert.ok(m && Number(m[1]) > 1 && Number(m[1]) <= 8, `resumed mid-run: ${resumed.stderr}`);
    const a = JSON.parse(whole.stdout);
    const b = JSON.parse(resumed.stdout);
    assert.deepEqual([b.accuracy, b.smoothAccuracy], [a.accuracy, a.smoothAccuracy]);
    const history = (f: string) => JSON.parse(readFileSync(join(dir, f, 'result.json'), 'utf8')).history.map((h: { trainLoss: number; valAccuracy: number }) => [h.trainLoss, h.valAccuracy]);
    assert.deepEqual(history('cut'), history('whole'));
    // --resume needs --out.
    const noOut = cli([...args, '--resume']);
    assert.notEqual(noOut.status, 0);
    assert.match(noOut.stderr, /--resume needs --out DIR/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Runs `htaf images ...` in this process (no child process: fast) and returns the error message it ends
 * with: commander's for a bad option value, the command's own otherwise; '' when it succeeds.
 */
async function cliError(args: string[], data: string): Promise<string> {
  const program = new Command();
  let stderr = '';
  program.exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => {} });
  registerImages(program);
  const saved = process.env.HTAF_FASHION_MNIST_DIR;
  process.env.HTAF_FASHION_MNIST_DIR = data;
  try {
    await program.parseAsync(['node', 'htaf', 'images', ...args]);
    return '';
  } catch (err) {
    return err instanceof CommanderError ? stderr : (err as Error).message;
  } finally {
    if (saved === undefined) delete process.env.HTAF_FASHION_MNIST_DIR;
    else process.env.HTAF_FASHION_MNIST_DIR = saved;
  }
}

test('images train/compare/convert: bad options give errors naming the option and the bad value', async () => {
  const { dir, data, cli } = setup();
  try {
    const cmp = TINY.filter((a) => !['--depth', '10', '--lr', '0.01'].includes(a));
    const cases: [string[], RegExp][] = [
      [['train', ...TINY, '--lr', 'fast'], /--lr must be a finite number > 0, got 'fast'/],
      [['train', ...TINY, '--model', 'cnn'], /--model must be one of dhn, bnn, snn, standard, got 'cnn'/],
      [['train', ...TINY, '--method', 'htfa'], /unknown activation 'htfa'/],
      [['train', ...TINY, '--model', 'dhn', '--method', 'relu'], /htaf images train: --method "relu" is not a binary activation; valid methods for a dhn model: htaf/],
      [['train', ...TINY, '--model', 'snn', '--method', 'approxsign'], /--method "approxsign" is a sign \(±1\) form/],
      [['train', ...TINY, '--model', 'standard', '--method', 'htaf'], /--method "htaf:alpha=2,beta=11" is a binary activation; the standard network uses a plain one/],
      [['train', ...TINY, '--model', 'dhn', '--T', '4'], /htaf images train: --T does not apply to a dhn model with backbone wrn/],
      [['train', ...TINY, '--depth', '12'], /htaf images train: --depth must be 6n \+ 4/],
      [['train', ...TINY, '--model', 'bnn', '--backbone', 'wrn'], /--backbone "wrn" is not one of a bnn model's: bireal/],
      [['train', '--dataset', 'mnist'], /--dataset must be one of fashion-mnist, cifar10:DIR, cifar100:DIR, folder:DIR, got 'mnist'/],
      [['train', ...TINY, '--val-fraction', '1.5'], /--val-fraction must be a number in \(0, 1\), got '1.5'/],
      [['train', ...TINY, '--resume'], /--resume needs --out DIR/],
      [['train', '--dataset', `cifar10:${join(dir, 'nowhere')}`], /htaf images train --dataset cifar10:.*nowhere/],
      [['compare', ...cmp, '--models', 'dhn,cnn'], /--models must list some of dhn, bnn, snn, standard, got 'cnn'/],
      [['compare', ...cmp, '--methods', 'htaf,foo'], /--methods: 'foo' is neither a family \(htaf, ste, ss\) nor a valid spec/],
      [['compare', ...cmp, '--lr', '0.01,x'], /--lr must be a comma-separated list of numbers > 0, got '0.01,x'/],
      [['compare', ...cmp, '--models', 'dhn', '--T', '4'], /--T applies to snn models only/],
      [['compare', ...cmp, '--models', 'bnn', '--depth', '16'], /htaf images compare: --depth must be one of 10, 18, 34; got 16 \(the bnn model\)/],
      [['compare', ...cmp, '--models', 'dhn,bnn', '--depth', '10,bnn=16'], /htaf images compare: --depth must be one of 10, 18, 34; got 16 \(the bnn model\)/],
      [['compare', ...cmp, '--models', 'dhn', '--depth', 'snn=10'], /htaf images compare: --depth snn=10: snn is not in --models \(dhn\)/],
      [['compare', ...cmp, '--models', 'bnn', '--width', '2'], /htaf images compare: --width applies to dhn and standard models only; --models is bnn/],
      [['compare', ...cmp, '--models', 'bnn', '--width', 'bnn=2'], /htaf images compare: --width does not apply to a bnn model with backbone bireal/],
      [['compare', ...cmp, '--depth', 'cnn=10'], /--depth must be a positive integer or kind=n pairs .*'cnn' is not a model kind; got 'cnn=10'/],
      [['compare', ...cmp, '--wrn-depth', '10'], /unknown option '--wrn-depth'/],
      [['train', '--dataset', 'fashion-mnist', '--model', 'standard', '--backbone', 'vit', '--patch-size', '0'], /--patch-size must be a positive integer, got '0'/],
      // A patch size is checked against the image size once the data is read.
      [['train', '--dataset', 'fashion-mnist', '--model', 'standard', '--backbone', 'vit', '--patch-size', '5'], /htaf images train: --patch-size must be a divisor of the image size 12; got 5/],
      [['convert', '--checkpoint', join(dir, 'missing.safetensors')], /htaf images convert --checkpoint .*missing\.safetensors/],
      [['convert', '--checkpoint', 'x', '--T', '1,0'], /--T must be a comma-separated list of positive integers, got '1,0'/],
    ];
    for (const [args, pattern] of cases) assert.match(await cliError(args, data), pattern, args.join(' '));
    // A corrupt data file is named.
    writeFileSync(join(data, 't10k-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0]));
    assert.match(await cliError(['train', ...TINY], data), /htaf images train --dataset fashion-mnist: .*t10k-labels-idx1-ubyte/);
    // As a user sees it: a non-zero exit and the message on stderr.
    const r = cli(['train', ...TINY, '--epochs', '0']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--epochs must be a positive integer, got '0'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('images compare: Table 1 (models × methods, mean (se) over seeds), --resume without retraining, --jobs 2 the same tables', () => {
  const { dir, cli } = setup();
  try {
    const out = join(dir, 'cmp');
    const args = ['compare', '--dataset', 'fashion-mnist', '--models', 'dhn,standard', '--methods', 'htaf,ss', '--seeds', '2', '--epochs', '1', '--batch', '16',
      '--depth', '10', '--base-width', '4', '--lr', '0.01', '--threads', '1', '--out', out];
    const a = cli(args);
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /Model +HTAF Accuracy +SS Accuracy +ReLU Accuracy/);
    assert.match(a.stdout, /DHN +\d+\.\d \(\d+\.\d\) +\d+\.\d \(\d+\.\d\)/);
    assert.match(a.stdout, /Standard +\d+\.\d \(\d+\.\d\)/);
    assert.match(a.stdout, /smooth steps/);
    assert.equal((a.stderr.match(/^\[\d\/6\] /gm) ?? []).length, 6, a.stderr);
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    assert.match(md, /^### fashion-mnist test accuracy \(%\), exact steps \(Table 1\)\n\n\| Model \| HTAF Accuracy \| SS Accuracy \| ReLU Accuracy \|/);
    assert.match(readFileSync(join(out, 'results.csv'), 'utf8'), /^method,label,dataset,metric,mean,se,n,cell\ndhn,DHN,HTAF,accuracy,/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.equal(results.runs.length, 6);
    assert.deepEqual(results.models, { dhn: 'WRN-10-1 (base 4)', standard: 'WRN-10-1 (base 4)' });
    const b = cli([...args, '--resume']);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stderr, /resuming: 6 already done/);
    assert.match(b.stderr, /0 runs trained here/);
    assert.equal(readFileSync(join(out, 'results.md'), 'utf8'), md);
    const refused = cli(args);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /runs\.jsonl exists .*add --resume/);
    // Two worker processes: every run once, the same tables bit for bit.
    const parallel = join(dir, 'cmp2');
    const p = cli([...args.slice(0, -1), parallel, '--jobs', '2']);
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stderr, /2 worker processes, 1 thread each/);
    assert.equal((p.stderr.match(/^\[\d\/6\] /gm) ?? []).length, 6, p.stderr);
    for (const f of ['results.md', 'results.csv']) assert.equal(readFileSync(join(parallel, f), 'utf8'), readFileSync(join(out, f), 'utf8'), f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('images convert: the ANN-to-SNN table per T beside an HTAF SNN; a non-ReLU checkpoint is refused', () => {
  const { dir, cli } = setup();
  try {
    const std = cli(['train', ...TINY, '--model', 'standard', '--epochs', '3', '--out', join(dir, 'std')]);
    assert.equal(std.status, 0, std.stderr);
    const snn = cli(['train', '--dataset', 'fashion-mnist', '--model', 'snn', '--method', 'ste:sigmoid', '--T', '2', '--base-width', '4', '--batch', '16', '--epochs', '1', '--out', join(dir, 'snn')]);
    assert.equal(snn.status, 0, snn.stderr);
    assert.match(snn.stdout, /firing rate of each spiking layer:\n +sn1 +firing rate 0\.\d{4}/);
    const r = cli(['convert', '--checkpoint', join(dir, 'std', 'best.safetensors'), '--snn', join(dir, 'snn', 'best.safetensors'), '--T', '1,4,16', '--calibration-size', '64', '--out', join(dir, 'conv')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| ANN \(WRN-10-1 \(base 4\), ReLU\) \| – \| \d+\.\d \|/);
    for (const T of [1, 4, 16]) assert.match(r.stdout, new RegExp(`\\| ANN-to-SNN \\(IF, rate coded\\) \\| ${T} \\| \\d+\\.\\d \\| [\\d.]+ \\| \\d+ \\|`));
    assert.match(r.stdout, /\| HTAF SNN \(SEW-ResNet-10 \(base 4, LIF, T=2\), ste:sigmoid,k=4, exact steps\) \| 2 \|/);
    const j = JSON.parse(readFileSync(join(dir, 'conv', 'convert.json'), 'utf8'));
    assert.deepEqual(j.perT.map((p: { T: number }) => p.T), [1, 4, 16]);
    assert.equal(j.calibrationImages, 64);
    // convert.csv: one row per model and T, the model names quoted (they hold commas), T empty for the ANN.
    const csv = readFileSync(join(dir, 'conv', 'convert.csv'), 'utf8').split('\n');
    assert.equal(csv[0], 'model,T,accuracy,seconds,imagesPerSecond');
    assert.match(csv[1], /^"ANN \(WRN-10-1 \(base 4\), ReLU\)",,[\d.]+,[\d.e-]+,[\d.e+]+$/);
    assert.match(csv[2], /^"ANN-to-SNN \(IF, rate coded\)",1,/);
    assert.match(csv[5], /^"HTAF SNN \(SEW-ResNet-10 \(base 4, LIF, T=2\), ste:sigmoid,k=4, exact steps\)",2,/);
    assert.equal(csv.length, 7);
    // The rate-coded network approaches the ANN as T grows.
    assert.ok(j.perT[2].accuracy >= j.perT[0].accuracy, JSON.stringify(j.perT));
    const refused = cli(['convert', '--checkpoint', join(dir, 'snn', 'best.safetensors')]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /needs a standard ReLU network/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('images train --nproc 2: two worker processes train one run; rank 0 reports and writes it; an existing run is refused before any worker starts', () => {
  const { dir, cli } = setup();
  try {
    const out = join(dir, 'ddp');
    const r = cli(['train', ...TINY, '--model', 'dhn', '--method', 'htaf', '--epochs', '1', '--nproc', '2', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /2 processes \(2 on this machine, 1 thread each\)/);
    assert.match(r.stderr, /\[rank 0\] htaf images train: 2 processes, global batch 16 × 2 = 32/);
    assert.doesNotMatch(r.stderr, /\[rank 1\] .*epoch 1\/1/, 'rank 1 prints no progress');
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, `only rank 0 writes stdout: ${r.stdout}`);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    assert.equal(result.test.accuracy, JSON.parse(lines[0]).accuracy);
    const again = cli(['train', ...TINY, '--model', 'dhn', '--epochs', '1', '--nproc', '2', '--out', out]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /it already holds a run/);
    assert.doesNotMatch(again.stderr, /\[rank/, 'refused by the launcher');
    // The batch order depends on the world size: resuming with another one is refused, naming both.
    const other = cli(['train', ...TINY, '--model', 'dhn', '--method', 'htaf', '--epochs', '1', '--out', out, '--resume']);
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /cannot resume .*it was trained by 2 process\(es\), now 1/);
    const fresh = join(dir, 'fresh');
    const started = cli(['train', ...TINY, '--model', 'dhn', '--method', 'htaf', '--epochs', '1', '--nproc', '2', '--out', fresh, '--resume']);
    assert.equal(started.status, 0, started.stderr);
    assert.equal((started.stderr.match(/no checkpoint in .* yet/g) ?? []).length, 1, `said once: ${started.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
