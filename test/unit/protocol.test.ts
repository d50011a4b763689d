// The compare protocol (src/train/protocol.ts), its grid (src/train/grid.ts) and the table writers
// (src/report/table.ts): grid validation and expansion, selection on validation, the files and their
// JSON shape, the same table for the same seed, and the journal (resume, half lines, another command).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultGrid, defaultProtocolDeps, writeCompareReport, demoGrid, formatMeanSe, planMethods, runCompare, splitSeed, summarize, tableToCSV, tableToMarkdown, validateGrid,
  type CompareOptions, type Grid, type ProtocolDeps, type RunConfig, type RunResult,
} from '../../src/index.js';
/** A 300-row binary CSV: two numbers, a category, a noisy rule. */
function writeCsv(dir: string, rows = 300): string {
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const lines = ['x1,x2,color,label'];
  for (let i = 0; i < rows; i++) {
    const x1 = rand() * 2 - 1;
    const x2 = rand() * 2 - 1;
    const color = ['red', 'green', 'blue'][Math.floor(rand() * 3)];
    const z = x1 + 0.5 * x2 + (color === 'red' ? 0.4 : 0) + (rand() - 0.5) * 0.6;
    lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${color},${z > 0 ? 'yes' : 'no'}`);
  }
  const file = join(dir, 'toy.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function tinyGrid(): Grid {
  return validateGrid({
    hidden: [8],
    batch: 32,
    epochs: 3,
    patience: 2,
    methods: {
      relu: { optimizer: ['adam'], lr: [0.01] },
      htaf: { optimizer: ['adam'], lr: [0.01], alphaBeta: [[2, 11], [8, 2.75]] },
    },
  });
}

/** The real pieces with a trainRun that counts its calls and can fail after some (a stand-in for a kill). */
function counting(failAfter = Infinity): { deps: ProtocolDeps; calls: RunConfig[] } {
  const real = defaultProtocolDeps();
  const calls: RunConfig[] = [];
  const deps: ProtocolDeps = {
    ...real,
    trainRun: async (config, data, options): Promise<RunResult> => {
      if (calls.length >= failAfter) throw new Error('killed');
      calls.push(config);
      return real.trainRun(config, data, options);
    },
  };
  return { deps, calls };
}

function options(dir: string, file: string, out: string, extra: Partial<CompareOptions> = {}): CompareOptions {
  return { data: file, target: 'label', methods: ['relu', 'htaf'], splits: 2, grid: tinyGrid(), seed: 7, outDir: join(dir, out), ...extra };
}

test('grid: the default and demo grids expand to concrete specs; --methods accepts full specs', async () => {
  const plans = planMethods(['relu', 'htaf', 'ss', 'ste'], defaultGrid());
  const specs = Object.fromEntries(plans.map((p) => [p.name, [...new Set(p.points.map((x) => x.spec))]]));
  assert.deepEqual(specs.relu, ['relu']);
  assert.deepEqual(specs.htaf, ['htaf:alpha=2,beta=11', 'htaf:alpha=8,beta=2.75', 'htaf:alpha=11,beta=2', 'htaf:alpha=2.24,beta=10', 'htaf:alpha=1.11,beta=20']);
  assert.deepEqual(specs.ss, ['ss:gamma=11', 'ss:gamma=22', 'ss:gamma=44']);
  assert.deepEqual(plans[0].points.map((p) => `${p.optimizer} ${p.lr}`), ['adam 0.0001', 'adam 0.0003', 'adam 0.001', 'adam 0.003', 'sgd 0.01', 'sgd 0.03', 'sgd 0.1', 'sgd 0.3'], 'learning rates per optimizer');
  assert.deepEqual(specs.ste, ['ste:sigmoid,k=4', 'ste:tanh,k=4', 'ste:rect,a=1']);
  assert.deepEqual(plans.map((p) => p.label), ['DNN', 'DNN+HTAF', 'DNN+SS', 'DHN+STE']);
  assert.equal(plans.reduce((s, p) => s + p.points.length, 0), 96);
  assert.equal(planMethods(['relu', 'htaf', 'ss', 'ste'], demoGrid()).reduce((s, p) => s + p.points.length, 0), 12);
  const [full] = planMethods(['HTAF:beta=3,alpha=8'], defaultGrid());
  assert.equal(full.name, 'htaf:alpha=8,beta=3');
  assert.equal(full.points.length, 8, 'a full spec takes its family\'s optimizer and lr lists');
  assert.equal(planMethods(['gelu'], defaultGrid())[0].points.length, 8, "other families use 'other'");
  assert.throws(() => planMethods(['htaf:gamma=2'], defaultGrid()), /--methods entry 'htaf:gamma=2'.*unknown parameter 'gamma'/);
  assert.throws(() => planMethods(['relu', 'relu'], defaultGrid()), /listed twice/);
  assert.throws(() => planMethods(['ss'], tinyGrid()), /method 'ss' has no entry in the grid/);
});

test('grid: validation names the key', async () => {
  const g = (patch: (x: any) => void) => {
    const x: any = structuredClone(defaultGrid());
    patch(x);
    return () => validateGrid(x, 'my.json');
  };
  assert.throws(g((x) => { x.methods.htaf.alphaBeta[1] = [8]; }), /my\.json: methods\.htaf\.alphaBeta\[1\] must be a pair/);
  assert.throws(g((x) => { x.methods.htaf.alphaBeta[0][1] = -1; }), /methods\.htaf\.alphaBeta\[0\]\[1\] \(beta\) must be a finite number > 0/);
  assert.throws(g((x) => { x.methods.ss.gama = [1]; }), /'methods\.ss\.gama' is not a grid key; allowed in methods\.ss: optimizer, lr, gamma/);
  assert.throws(g((x) => { x.methods.relu.optimizer = ['rmsprop']; }), /methods\.relu\.optimizer\[0\] must be one of adam, sgd/);
  assert.throws(g((x) => { x.methods.relu.lr = []; }), /methods\.relu\.lr must not be empty/);
  assert.throws(g((x) => { delete x.methods.relu.lr.sgd; }), /methods\.relu\.lr\.sgd is missing \(optimizer lists sgd/);
  assert.throws(g((x) => { x.methods.relu.lr.adamw = [1]; }), /'methods\.relu\.lr\.adamw' is not a grid key; allowed in methods\.relu\.lr: adam, sgd/);
  assert.throws(g((x) => { x.methods.relu.lr = 0.1; }), /methods\.relu\.lr must be a list of learning rates or an object/);
  assert.throws(g((x) => { x.methods.ste.surrogate = ['rect,k=2']; }), /methods\.ste\.surrogate\[0\] is not a surrogate/);
  assert.throws(g((x) => { x.methods.htaf.alphaMinBeta = [2]; }), /methods\.htaf\.alphaMinBeta\[0\] must exceed beta_min/);
  assert.throws(g((x) => { delete x.epochs; }), /my\.json: epochs is missing/);
  assert.throws(g((x) => { x.hidden = [256, 0]; }), /hidden\[1\] must be an integer >= 1/);
  assert.throws(g((x) => { x.methods.lstm = {}; }), /'methods\.lstm' is not a grid key/);
  assert.throws(() => validateGrid([1, 2]), /must be a JSON object/);
  assert.deepEqual(validateGrid(JSON.parse(JSON.stringify(defaultGrid()))), defaultGrid(), 'the default grid round-trips through JSON');
});

test('table: mean (standard error) with sd over n - 1; Markdown bolds the best; CSV in long form', async () => {
  const s = summarize([0.8, 0.82, 0.84]);
  assert.ok(Math.abs(s.mean - 0.82) < 1e-12);
  assert.ok(Math.abs(s.sd! - 0.02) < 1e-12);
  assert.ok(Math.abs(s.se! - 0.02 / Math.sqrt(3)) < 1e-12);
  assert.equal(summarize([0.5]).se, null);
  assert.equal(formatMeanSe(0.8281, 0.00412), '0.828 (0.004)');
  assert.equal(formatMeanSe(0.8281, null), '0.828');
  assert.equal(formatMeanSe(NaN, 0.1), 'n/a');
  const table = {
    columns: [{ key: 'churn', dataset: 'churn', metric: 'auroc', higherIsBetter: true }],
    rows: [
      { key: 'relu', label: 'DNN', cells: { churn: summarize([0.83, 0.832]) } },
      { key: 'htaf', label: 'DNN+HTAF', cells: { churn: summarize([0.82, 0.83]) } },
    ],
  };
  const md = tableToMarkdown(table);
  assert.match(md, /\| Method \| churn AUROC \|/);
  assert.match(md, /\| DNN \| \*\*0\.831 \(0\.001\)\*\* \|/);
  assert.match(md, /\| DNN\+HTAF \| 0\.825 \(0\.005\) \|/);
  const csv = tableToCSV(table).trim().split('\n');
  assert.equal(csv[0], 'method,label,dataset,metric,mean,se,n,cell');
  const f = csv[1].split(',');
  assert.deepEqual(f.slice(0, 4), ['relu', 'DNN', 'churn', 'auroc']);
  assert.ok(Math.abs(Number(f[4]) - 0.831) < 1e-12 && Math.abs(Number(f[5]) - 0.001) < 1e-12 && f[6] === '2');
  assert.equal(f.slice(7).join(','), '0.831 (0.001)');
});

test('split seeds: distinct over seeds and splits, 31-bit', async () => {
  const seen = new Set<number>();
  for (let seed = 0; seed < 50; seed++) {
    for (let s = 0; s < 20; s++) {
      const v = splitSeed(seed, s);
      assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 31);
      seen.add(v);
    }
  }
  assert.equal(seen.size, 1000);
});

test('protocol: files with the documented shape; the same seed gives the same table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-protocol-'));
  try {
    const file = writeCsv(dir);
    const a = counting();
    const first = writeCompareReport(join(dir, 'a'), await runCompare(options(dir, file, 'a'), a.deps));
    assert.equal(a.calls.length, 2 * 3, '2 splits x (1 relu + 2 htaf points)');
    const r = JSON.parse(readFileSync(join(dir, 'a', 'results.json'), 'utf8'));
    assert.equal(r.metric, 'auroc');
    assert.equal(r.dataset.task, 'binary');
    assert.equal(r.protocol.splits, 2);
    assert.deepEqual(Object.keys(r.methods), ['relu', 'htaf']);
    for (const m of Object.values<any>(r.methods)) {
      assert.equal(m.metric, 'auroc');
      assert.equal(typeof m.mean, 'number');
      assert.equal(typeof m.se, 'number');
      assert.equal(m.splits.length, 2);
      const chosen = m.runs.filter((x: any) => x.chosen);
      assert.equal(chosen.length, 2, 'one chosen run per split');
      for (const c of chosen) {
        const rivals = m.runs.filter((x: any) => x.split === c.split);
        assert.ok(rivals.every((x: any) => x.val.exact.auroc <= c.val.exact.auroc), 'the chosen run has the best validation AUROC');
        assert.equal(m.splits[c.split].test, c.test.exact.auroc);
      }
      const tests = m.splits.map((x: any) => x.test);
      assert.ok(Math.abs(m.mean - (tests[0] + tests[1]) / 2) < 1e-12);
      assert.ok(Math.abs(m.se - Math.abs(tests[0] - tests[1]) / 2) < 1e-12, 'se = sd/sqrt(n)');
      for (const run of m.runs) {
        for (const k of ['split', 'spec', 'optimizer', 'lr', 'config', 'bestEpoch', 'epochsRun', 'val', 'test', 'binarity', 'seconds']) assert.ok(k in run, k);
        assert.equal(run.config.epochs, 3);
        assert.equal(run.config.seed, r.protocol.splitSeeds[run.split]);
      }
    }
    assert.equal(r.methods.htaf.runs.length, 4);
    const md = readFileSync(join(dir, 'a', 'results.md'), 'utf8');
    assert.equal(md, first.markdown);
    assert.match(md, /\| DNN \| .*\d \(\d\.\d{3}\)/);
    assert.match(readFileSync(join(dir, 'a', 'results.csv'), 'utf8'), /^method,label,dataset,metric,mean,se,n,cell\nrelu,DNN,toy,auroc,/);

    const b = counting();
    writeCompareReport(join(dir, 'b'), await runCompare(options(dir, file, 'b'), b.deps));
    for (const f of ['results.md', 'results.csv']) {
      assert.equal(readFileSync(join(dir, 'b', f), 'utf8'), readFileSync(join(dir, 'a', f), 'utf8'), `${f}: same seed, same table`);
    }
    const rb = JSON.parse(readFileSync(join(dir, 'b', 'results.json'), 'utf8'));
    for (const m of ['relu', 'htaf']) assert.deepEqual(rb.methods[m].splits, r.methods[m].splits);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('journal: an interrupted comparison resumes without redoing runs, to the same table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-protocol-'));
  try {
    const file = writeCsv(dir);
    writeCompareReport(join(dir, 'whole'), await runCompare(options(dir, file, 'whole'), counting().deps));

    const killed = counting(4);
    await assert.rejects(() => runCompare(options(dir, file, 'part'), killed.deps), /killed/);
    const journal = join(dir, 'part', 'runs.jsonl');
    assert.equal(readFileSync(journal, 'utf8').trim().split('\n').length, 1 + 4, 'header + 4 runs');
    appendFileSync(journal, '{"key":"1|htaf|htaf:alpha=8'); // killed in the middle of writing a line
    await assert.rejects(() => runCompare(options(dir, file, 'part'), counting().deps), /runs\.jsonl exists .* add --resume/);

    const rest = counting();
    writeCompareReport(join(dir, 'part'), await runCompare(options(dir, file, 'part', { resume: true }), rest.deps));
    assert.equal(rest.calls.length, 2, 'only the 2 unfinished runs are trained');
    const lines = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1 + 6);
    assert.equal(new Set(lines.slice(1).map((l) => l.key)).size, 6);
    for (const f of ['results.md', 'results.csv']) {
      assert.equal(readFileSync(join(dir, 'part', f), 'utf8'), readFileSync(join(dir, 'whole', f), 'utf8'), f);
    }

    const again = counting();
    await runCompare(options(dir, file, 'part', { resume: true }), again.deps);
    assert.equal(again.calls.length, 0, 'a finished comparison resumes to its table without training');

    await assert.rejects(() => runCompare(options(dir, file, 'part', { resume: true, seed: 8 }), counting().deps),
      /was written by a different command \(differs in: seed\)/,
    );
    await assert.rejects(() => runCompare(options(dir, file, 'part', { resume: true, methods: ['relu'], epochs: 4 }), counting().deps),
      /differs in: methods, epochs/,
    );
    const more = counting();
    writeCompareReport(join(dir, 'part'), await runCompare(options(dir, file, 'part', { resume: true, splits: 3 }), more.deps));
    assert.equal(more.calls.length, 3, 'more splits extend the comparison');
    assert.ok(existsSync(join(dir, 'part', 'results.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
