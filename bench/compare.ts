// Runs htaf's engine benchmarks and their PyTorch peers (bench/peer/*.py, Debian's python3-torch) in one
// run, alternating A B A B so a drift of the machine's speed hits both, and prints a Markdown table of
// medians and ratios (htaf / PyTorch) for bench/RESULTS.md. Also times TensorFlow.js on the MLP.
//   node dist/bench/compare.js [--rounds 3] [--threads 2] [--only step|images|snn|op|tfjs] [--json-out FILE]
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../src/bench/stats.js';

const ROOT = join(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-torch (the pyenv python3 on PATH has no torch)

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    only: { type: 'string' },
    'json-out': { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const threads = values.threads!;
const env = { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads };

function runJson(cmd: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`${cmd} ${args.join(' ')} printed no JSON line:\n${r.stdout}`);
  const j = JSON.parse(line);
  if (values['json-out']) appendFileSync(values['json-out'], line + '\n');
  return j;
}

interface Pair {
  label: string;
  field: string;
  ours: [string, string[]];
  peer: [string, string[]];
}

const htaf = (args: string[]): [string, string[]] => [process.execPath, [join(ROOT, 'bin/htaf.js'), ...args, '--threads', threads, '--json']];

function stepPair(model: string, activation: string, steps: number, extra: string[] = []): Pair {
  const common = ['--model', model, '--activation', activation, '--steps', String(steps), ...extra];
  return {
    label: `step ${model}${extra.length ? ` ${extra.filter((_, i) => i % 2 === 1).join('-')}` : ''} ${activation}`,
    field: 'ms_per_step',
    ours: htaf(['bench', 'step', ...common]),
    peer: [PYTHON, [join(ROOT, 'bench/peer/step.py'), ...common, '--threads', threads]],
  };
}

function opPair(op: string): Pair {
  const common = ['--op', op, '--shape', '128,64,28,28', '--steps', '20'];
  return {
    label: `op ${op} 128x64x28x28 fwd+bwd`,
    field: 'ms_fwd_bwd',
    ours: htaf(['bench', 'op', ...common]),
    peer: [PYTHON, [join(ROOT, 'bench/peer/op.py'), ...common, '--threads', threads]],
  };
}

const pairs: Pair[] = [];
if (!values.only || values.only === 'step') {
  for (const a of ['relu', 'htaf', 'ss', 'ste']) pairs.push(stepPair('mlp', a, 300));
  for (const a of ['relu', 'htaf', 'ss', 'ste']) pairs.push(stepPair('cnn', a, 20));
}
// Issue 5: training steps of the image benchmark network, WRN-16-1 on 1×28×28 (the DHN's default size)
// and the wider WRN-16-4, standard (ReLU) and DHN (HTAF: fused here, composed in PyTorch eager).
if (!values.only || values.only === 'images') {
  for (const [depth, widen] of [['16', '1'], ['16', '4']]) {
    for (const a of ['relu', 'htaf']) pairs.push(stepPair('wrn', a, 10, ['--depth', depth, '--widen', widen]));
  }
}
// Issue 13: the SNN's training step, SEW-ResNet-10 (T = 4, LIF): htaf's fused neuron and its composed
// loop (--neuron composed) against PyTorch with the LIF composed per time step (spikingjelly's
// torch-backend formulas), the three alternating in each round (a table of its own, below).
const snnPairs = !values.only || values.only === 'snn' ? ['htaf', 'ste'].map((a) => stepPair('sew', a, 5, ['--depth', '10', '--T', '4'])) : [];
if (!values.only || values.only === 'op') for (const op of ['relu', 'htaf', 'ss', 'ste']) pairs.push(opPair(op));

console.log(`| benchmark | htaf (ms, median of ${rounds}) | PyTorch eager (ms) | ratio htaf/PyTorch |`);
console.log('|---|---|---|---|');
for (const p of pairs) {
  const ours: number[] = [];
  const peer: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = Number(runJson(...p.ours)[p.field]);
    const b = Number(runJson(...p.peer)[p.field]);
    ours.push(a);
    peer.push(b);
    ratios.push(a / b);
  }
  console.log(`| ${p.label} | ${median(ours).toFixed(2)} | ${median(peer).toFixed(2)} | ${median(ratios).toFixed(3)} |`);
}

if (snnPairs.length > 0) {
  console.log(`\n| benchmark | htaf fused neuron (ms, median of ${rounds}) | htaf composed neuron (ms) | PyTorch eager (ms) | fused/PyTorch | composed/fused |`);
  console.log('|---|---|---|---|---|---|');
  for (const p of snnPairs) {
    const composedArgs: [string, string[]] = [p.ours[0], [...p.ours[1], '--neuron', 'composed']];
    const fused: number[] = [];
    const composed: number[] = [];
    const peer: number[] = [];
    for (let r = 0; r < rounds; r++) {
      fused.push(Number(runJson(...p.ours)[p.field]));
      composed.push(Number(runJson(...composedArgs)[p.field]));
      peer.push(Number(runJson(...p.peer)[p.field]));
    }
    const ratio = (a: number[], b: number[]) => median(a.map((v, i) => v / b[i])).toFixed(3);
    console.log(`| ${p.label} | ${median(fused).toFixed(1)} | ${median(composed).toFixed(1)} | ${median(peer).toFixed(1)} | ${ratio(fused, peer)} | ${ratio(composed, fused)} |`);
  }
}

if (!values.only || values.only === 'tfjs') {
  console.log('\n| TypeScript incumbents, MLP relu, batch 256 | ms per step (median) |');
  console.log('|---|---|');
  for (const backend of ['cpu', 'wasm']) {
    const j = runJson(process.execPath, [join(ROOT, 'bench/tfjs/step.mjs'), '--backend', backend, '--steps', backend === 'cpu' ? '10' : '30']);
    console.log(`| TensorFlow.js ${j.tfjs} ${backend === 'cpu' ? 'pure-JS (cpu)' : 'WASM'} backend | ${Number(j.ms_per_step).toFixed(1)} |`);
  }
}
