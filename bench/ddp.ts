// Data-parallel training against PyTorch's DDP (issue 12; bench/RESULTS.md), in one run:
//   node dist/bench/ddp.js [--rounds 3] [--steps 20]
// 1. WRN-16-1 DHN (HTAF) training steps on Fashion-MNIST images, global batch 128, as processes × threads
//    1×1, 1×2 and 2×1: `htaf bench step --nproc P --threads T --data fashion-mnist` against
//    bench/peer/ddp_step.py (torch.distributed gloo, DistributedDataParallel), alternating A B A B.
// 2. The scale-out figures: bytes all-reduced per step and the time of one step's all-reduce on loopback,
//    2 processes (bench/ddp_traffic.ts), and what they imply for 8 and 64 workers on 10 Gb/s.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { median } from '../src/bench/stats.js';
import { launchWorkers } from '../src/distributed/launch.js';

const ROOT = join(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-torch

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, steps: { type: 'string', default: '20' } } });
const rounds = Number(values.rounds);
const steps = values.steps!;

/** Runs a command with `threads` threads in every pool (libtorch's, OpenBLAS's, OpenMP's), as bench/compare.ts. */
function runJson(cmd: string, args: string[], threads: number): Record<string, number> {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`${cmd} ${args.join(' ')} printed no JSON line:\n${r.stdout}`);
  return JSON.parse(line);
}

const model = ['--model', 'wrn', '--depth', '16', '--widen', '1', '--activation', 'htaf', '--batch', '128', '--steps', steps, '--warmup', '3'];
const configs = [{ p: 1, t: 1 }, { p: 1, t: 2 }, { p: 2, t: 1 }];
const ours = new Map<string, number[]>();
const peer = new Map<string, number[]>();
const ratios = new Map<string, number[]>();
const traffic = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const { p, t } of configs) {
    const key = `${p}×${t}`;
    const par = ['--threads', String(t), ...(p > 1 ? ['--nproc', String(p)] : [])];
    const a = runJson(process.execPath, [join(ROOT, 'bin/htaf.js'), 'bench', 'step', ...model, '--data', 'fashion-mnist', ...par, '--json'], t);
    const b = runJson(PYTHON, [join(ROOT, 'bench/peer/ddp_step.py'), ...model, '--threads', String(t), '--nproc', String(p)], t);
    ours.set(key, [...(ours.get(key) ?? []), a.ms_per_step]);
    peer.set(key, [...(peer.get(key) ?? []), b.ms_per_step]);
    ratios.set(key, [...(ratios.get(key) ?? []), a.ms_per_step / b.ms_per_step]);
    if (a.allreduce_ms !== undefined) traffic.set(key, [...(traffic.get(key) ?? []), a.allreduce_ms, a.allreduce_bytes_per_step]);
    process.stderr.write(`round ${round + 1} ${key}: htaf ${a.ms_per_step.toFixed(1)} ms, PyTorch ${b.ms_per_step.toFixed(1)} ms\n`);
  }
}

const base = median(ours.get('1×1')!);
console.log(`| processes × threads | htaf ms/step (median of ${rounds}) | htaf images/s | PyTorch ms/step | PyTorch images/s | htaf/PyTorch time (median of the rounds' ratios) | htaf speed-up over htaf 1×1 |`);
console.log('|---|---|---|---|---|---|---|');
for (const { p, t } of configs) {
  const key = `${p}×${t}`;
  const a = median(ours.get(key)!);
  const b = median(peer.get(key)!);
  console.log(`| ${key} | ${a.toFixed(1)} | ${Math.round(128_000 / a)} | ${b.toFixed(1)} | ${Math.round(128_000 / b)} | ${median(ratios.get(key)!).toFixed(3)} | ${(base / a).toFixed(2)} |`);
}
const t2 = traffic.get('2×1');
if (t2) console.log(`\nhtaf 2×1: all-reduce ${median(t2.filter((_, i) => i % 2 === 0)).toFixed(2)} ms per step, ${t2[1]} bytes per step`);

// Scale-out: one step's gradients all-reduced on loopback, 2 processes, 1 thread each.
let printed = '';
const stdout = new Writable({ write: (chunk, _encoding, done) => ((printed += chunk), done()) });
await launchWorkers(join(ROOT, 'dist/bench/ddp_traffic.js'), [], { nproc: 2, stdout });
const lines = printed.split('\n').filter((l) => l.startsWith('{'));
const GBPS = 10e9 / 8; // 10 Gb/s in bytes/s
const ALPHA = 50e-6; // an assumed per-message latency of a 10 Gb/s Ethernet hop, s
console.log('\n| model | parameters | bytes all-reduced per step | buckets | loopback all-reduce, 2 processes (ms) | compute per worker, batch 64, 1 thread (ms) | ring all-reduce, 8 workers at 10 Gb/s (ms) | 64 workers (ms) | scaling efficiency 8 / 64 workers |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const line of lines) {
  const r = JSON.parse(line);
  // Ring all-reduce: each worker sends and receives 2(W-1)/W of the buffer, in 2(W-1) messages per bucket.
  const ring = (w: number) => (2 * (w - 1) / w * r.bytes_per_step / GBPS + 2 * (w - 1) * r.buckets * ALPHA) * 1000;
  // Without overlap of communication and backward (htaf's DDP reduces after backward): compute / (compute + all-reduce).
  const eff = (w: number) => `${Math.round((100 * r.compute_ms_batch64) / (r.compute_ms_batch64 + ring(w)))}%`;
  console.log(`| ${r.model} | ${r.params.toLocaleString('en-US')} | ${r.bytes_per_step.toLocaleString('en-US')} | ${r.buckets} | ${r.allreduce_ms.toFixed(2)} | ${r.compute_ms_batch64.toFixed(0)} | ${ring(8).toFixed(1)} | ${ring(64).toFixed(1)} | ${eff(8)} / ${eff(64)} |`);
}
