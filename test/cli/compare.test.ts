// `htaf compare` end to end on a small synthetic CSV: the table and files, the same table for the same
// seed, and a comparison killed (SIGKILL) mid-run that `--resume` finishes with the same table, without
// redoing finished runs. Also the CLI's errors and the --methods syntax.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from './run.js';
import { splitMethods } from '../../src/cli/compare.js';

const TOTAL = 12; // 2 splits × (2 relu + 4 htaf points)

function setup(): { dir: string; csv: string; grid: string } {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-compare-'));
  let s = 99;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const lines = ['age,income,plan,churned'];
  for (let i = 0; i < 300; i++) {
    const age = Math.round(18 + rand() * 60);
    const income = Math.round(20000 + rand() * 80000);
    const plan = ['basic', 'plus', 'pro'][Math.floor(rand() * 3)];
    const z = (age - 45) / 20 - (income - 60000) / 40000 + (plan === 'basic' ? 0.5 : 0) + (rand() - 0.5);
    lines.push(`${age},${income},${plan},${z > 0 ? 'yes' : 'no'}`);
  }
  const csv = join(dir, 'toy.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const grid = join(dir, 'grid.json');
  writeFileSync(grid, JSON.stringify({
    hidden: [32, 16],
    batch: 16,
    epochs: 12,
    patience: 0,
    methods: {
      relu: { optimizer: ['adam'], lr: [0.01, 0.003] },
      htaf: { optimizer: ['adam'], lr: [0.01, 0.003], alphaBeta: [[2, 11], [8, 2.75]] },
    },
  }));
  return { dir, csv, grid };
}

const args = (csv: string, grid: string, out: string) => [
  'compare', '--data', csv, '--target', 'churned', '--methods', 'relu,htaf', '--splits', '2', '--grid', grid, '--seed', '3', '--out', out,
];

const runLines = (stderr: string) => stderr.split('\n').filter((l) => new RegExp(`^\\[\\s*\\d+/${TOTAL}\\]`).test(l));
const journalRuns = (out: string) => (existsSync(join(out, 'runs.jsonl')) ? readFileSync(join(out, 'runs.jsonl'), 'utf8').split('\n').filter((l) => l.endsWith('}')).length - 1 : 0);

test('compare: prints the table, writes results.{json,md,csv}; the same seed gives the same table', () => {
  const { dir, csv, grid } = setup();
  try {
    const a = runCli(args(csv, grid, join(dir, 'a')));
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /Method\s+toy AUROC/);
    assert.match(a.stdout, /DNN\s+\d\.\d{3} \(\d\.\d{3}\)/);
    assert.match(a.stdout, /DNN\+HTAF\s+\d\.\d{3} \(\d\.\d{3}\)/);
    assert.equal(runLines(a.stderr).length, TOTAL, 'one progress line per run');
    assert.match(a.stderr, /6 runs per split x 2 splits = 12 runs/);
    const r = JSON.parse(readFileSync(join(dir, 'a', 'results.json'), 'utf8'));
    assert.deepEqual(Object.keys(r.methods), ['relu', 'htaf']);
    for (const m of Object.values<any>(r.methods)) {
      assert.equal(m.metric, 'auroc');
      assert.equal(typeof m.mean, 'number');
      assert.equal(typeof m.se, 'number');
      assert.ok(Array.isArray(m.runs) && m.runs.every((x: any) => x.config && x.spec && x.optimizer && x.lr > 0));
    }
    assert.equal(r.methods.relu.runs.length + r.methods.htaf.runs.length, TOTAL);
    const md = readFileSync(join(dir, 'a', 'results.md'), 'utf8');
    const cell = (label: string) => new RegExp(`\\| ${label.replace('+', '\\+')} \\| (?:\\*\\*)?([0-9.]+ \\([0-9.]+\\))`).exec(md)?.[1];
    assert.ok(a.stdout.includes(cell('DNN')!) && a.stdout.includes(cell('DNN+HTAF')!), 'printed table = results.md');
    assert.match(readFileSync(join(dir, 'a', 'results.csv'), 'utf8'), /^method,label,dataset,metric,mean,se,n,cell\nrelu,DNN,toy,auroc,/);

    const b = runCli(args(csv, grid, join(dir, 'b')));
    assert.equal(b.status, 0, b.stderr);
    for (const f of ['results.md', 'results.csv']) {
      assert.equal(readFileSync(join(dir, 'b', f), 'utf8'), readFileSync(join(dir, 'a', f), 'utf8'), f);
    }

    const again = runCli(args(csv, grid, join(dir, 'a')));
    assert.equal(again.status, 1);
    assert.match(again.stderr, /runs\.jsonl exists .*add --resume/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compare: killed mid-run (SIGKILL), --resume finishes with the same table and redoes no finished run', async () => {
  const { dir, csv, grid } = setup();
  try {
    const whole = runCli(args(csv, grid, join(dir, 'whole')));
    assert.equal(whole.status, 0, whole.stderr);

    const out = join(dir, 'killed');
    const child = spawn(process.execPath, [join(ROOT, 'bin/htaf.js'), ...args(csv, grid, out)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (runLines(stderr).length >= 2) child.kill('SIGKILL'); // after the second finished run
    });
    const signal = await exited;
    assert.equal(signal, 'SIGKILL', `the comparison should be killed mid-run; stderr:\n${stderr}`);
    const before = journalRuns(out);
    assert.ok(before >= 2 && before < TOTAL, `journal has ${before} runs`);
    assert.ok(!existsSync(join(out, 'results.md')));

    const resumed = runCli([...args(csv, grid, out), '--resume']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`resuming: ${before} of ${TOTAL} runs already done`));
    assert.equal(runLines(resumed.stderr).length, TOTAL - before, 'only the unfinished runs are trained');
    const keys = readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l).key);
    assert.equal(keys.length, TOTAL);
    assert.equal(new Set(keys).size, TOTAL, 'no run was done twice');
    for (const f of ['results.md', 'results.csv']) {
      assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(dir, 'whole', f), 'utf8'), `${f}: resumed = uninterrupted`);
    }
    assert.equal(resumed.stdout, whole.stdout.replaceAll(join(dir, 'whole'), out), 'the same printed table');

    const other = runCli([...args(csv, grid, out), '--resume', '--seed', '4']);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /was written by a different command \(differs in: seed\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compare: errors name the problem', () => {
  const { dir, csv, grid } = setup();
  try {
    const badGrid = join(dir, 'bad.json');
    writeFileSync(badGrid, JSON.stringify({ ...JSON.parse(readFileSync(grid, 'utf8')), methods: { ss: { optimizer: ['adam'], lr: [0.01], gama: [2] } } }));
    const g = runCli(['compare', '--data', csv, '--target', 'churned', '--grid', badGrid, '--out', join(dir, 'x')]);
    assert.equal(g.status, 1);
    assert.match(g.stderr, /--grid .*bad\.json: 'methods\.ss\.gama' is not a grid key/);
    const m = runCli(['compare', '--data', csv, '--target', 'churned', '--methods', 'relu,swish', '--out', join(dir, 'x')]);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /--methods entry 'swish' is neither a method .* unknown activation 'swish'/);
    const d = runCli(['compare', '--data', join(dir, 'nope.csv'), '--target', 'y', '--out', join(dir, 'x')]);
    assert.equal(d.status, 1);
    assert.match(d.stderr, /htaf compare --data '.*nope\.csv': no such file, and not a built-in dataset \(churn, /);
    const t = runCli(['compare', '--data', csv, '--out', join(dir, 'x')]);
    assert.equal(t.status, 1);
    assert.match(t.stderr, /--target COLUMN is required for a CSV file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--methods: specs keep their commas', () => {
  assert.deepEqual(splitMethods('relu,htaf,ss,ste'), ['relu', 'htaf', 'ss', 'ste']);
  assert.deepEqual(splitMethods('relu,htaf:alpha=2,beta=11,ste:rect,a=1, ss:gamma=22'), ['relu', 'htaf:alpha=2,beta=11', 'ste:rect,a=1', 'ss:gamma=22']);
  assert.deepEqual(splitMethods('ste:tanh;gelu'), ['ste:tanh', 'gelu']);
  assert.throws(() => splitMethods(' , '), /--methods must list/);
});

/** The pids of a process's children (Linux `ps`). */
function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

test('compare --jobs 2: the same table as --jobs 1; a killed worker names its grid point, --resume finishes', async () => {
  const { dir, csv, grid } = setup();
  try {
    const serial = runCli([...args(csv, grid, join(dir, 'serial')), '--threads', '1']);
    assert.equal(serial.status, 0, serial.stderr);

    const out = join(dir, 'jobs');
    const child = spawn(process.execPath, [join(ROOT, 'bin/htaf.js'), ...args(csv, grid, out), '--threads', '1', '--jobs', '2'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let killed: number | undefined;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (d) => {
      stderr += d;
      // After 4 finished runs both workers hold a grid point (a worker still starting up when the first
      // run ends would be reported, rightly, as killed "before taking a grid point").
      if (killed === undefined && runLines(stderr).length >= 4) {
        killed = childPids(child.pid!)[0];
        if (killed) process.kill(killed, 'SIGKILL');
      }
    });
    const started = Date.now();
    const code = await exited;
    assert.ok(killed, `a worker process to kill; stderr:\n${stderr}`);
    assert.equal(code, 1, stderr);
    assert.ok(Date.now() - started < 60_000);
    assert.match(stderr, /2 worker processes, 1 thread each/);
    assert.match(stderr, new RegExp(`compare: worker \\d \\(pid ${killed}\\) was killed by SIGKILL while running grid point '\\d\\|(relu|htaf)\\|[^']+'; the other workers were stopped`));
    assert.ok(childPids(child.pid!).length === 0, 'no worker outlives the parent');
    const before = journalRuns(out);
    assert.ok(before >= 1 && before < TOTAL, `journal has ${before} runs`);

    const resumed = runCli([...args(csv, grid, out), '--threads', '1', '--jobs', '2', '--resume']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(runLines(resumed.stderr).length, TOTAL - before, 'only the unfinished runs are trained');
    const lines = readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n');
    const keys = lines.slice(1).map((l) => JSON.parse(l).key);
    assert.equal(new Set(keys).size, TOTAL, 'one valid journal, every run once');
    assert.equal(keys.length, TOTAL);
    for (const f of ['results.md', 'results.csv']) {
      assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(dir, 'serial', f), 'utf8'), `${f}: --jobs 2 = --jobs 1`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
