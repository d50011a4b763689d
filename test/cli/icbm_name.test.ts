// `htaf icbm name` end to end, as a user runs it (node bin/htaf.js icbm name ...), on a hand-made run and a
// local chat-completions server: --json names and concept_names.json, the key from --api-key-env sent as a
// Bearer header and found in no output or file, a rerun answered by the cache, the dry run, offline naming
// with --candidates, a node without a valid reply (exit 1, the others saved), and option errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './run.js';
import { handMadeRun } from '../unit/concept_naming_fixture.js';
import { readConceptNames, writeIcbmRun } from '../../src/concepts/run_data.js';
import { answerCompletion, withChatServer, type ChatRequest } from '../helpers/chat_server.js';

const KEY = 'sk-cli-SECRET-9876543210fedcba';

/** Runs the CLI without blocking this process (the test's server must keep answering). */
function htaf(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/htaf.js'), 'icbm', 'name', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** A chat-completions server whose every reply is content(the request's user message). */
function withLlm(fn: (url: string, seen: ChatRequest[]) => Promise<void>, content: (user: string) => string): Promise<void> {
  return withChatServer((request, res) => answerCompletion(res, content(request.user)), fn);
}

const animalOrVehicle = (user: string) => (/Group A \(feature = 1\):\n- cat\n- dog\n/.test(user)
  ? '```json\n{"name": "Animal", "zero": "a vehicle", "one": "an animal"}\n```'
  : '{"name": "Vehicle", "zero": "an animal", "one": "a vehicle"}');

async function withRun(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-cli-name-'));
  try {
    writeIcbmRun(join(dir, 'run'), handMadeRun());
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('htaf icbm name --llm-url: --json names, concept_names.json, the key sent only as a header; a rerun sends nothing', async () => {
  await withRun(async (dir) => {
    const run = join(dir, 'run');
    await withLlm(async (url, seen) => {
      const args = ['--run', run, '--llm-url', url, '--llm-model', 'test-model', '--api-key-env', 'HTAF_TEST_LLM_KEY', '--json'];
      const r = await htaf(args, { HTAF_TEST_LLM_KEY: KEY });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
      assert.deepEqual(out.names.map((n: { node: number; name: string }) => `${n.node}:${n.name}`), ['0:Animal', '2:Vehicle', '3:Animal']);
      assert.deepEqual(out.names, readConceptNames(run));
      assert.deepEqual([out.summary.mode, out.summary.constant, out.summary.requests, out.summary.fromCache], ['llm', [1], 2, 1]);
      assert.equal(seen.length, 2);
      assert.ok(seen.every((s) => s.auth === `Bearer ${KEY}`));
      assert.match(r.stderr, /node 2 \(2\/3\): Vehicle \[0: an animal; 1: a vehicle\]/);
      assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
      for (const f of filesUnder(run)) assert.ok(!readFileSync(f).includes(KEY), `the key is in ${f}`);

      // Rerun in plain text: the cache answers, nothing is sent.
      const again = await htaf(args.slice(0, -1), { HTAF_TEST_LLM_KEY: KEY });
      assert.equal(again.status, 0, again.stderr);
      assert.equal(seen.length, 2);
      assert.match(again.stdout, /^node +concept +0 +1\n0 +Animal +a vehicle +an animal\n2 +Vehicle +an animal +a vehicle\n3 +Animal/m);
      assert.match(again.stdout, /named 3 of all 4 nodes with test-model at .*\/v1\/chat\/completions \(3 from the cache, 0 requests sent\)/);
      assert.match(again.stdout, /constant \(all classes on one side\), not named: 1/);
    }, animalOrVehicle);
  });
});

test('htaf icbm name --dry-run writes the prompts and sends nothing; --candidates names offline', async () => {
  await withRun(async (dir) => {
    const run = join(dir, 'run');
    const dry = await htaf(['--run', run, '--dry-run', '--top-k', '1']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: 2 prompts for 3 nodes \(each class's top 1 by importance\) written to .*prompts; nothing was sent/);
    assert.deepEqual(readdirSync(join(run, 'prompts')).sort(), ['node-0.json', 'node-2.json']);
    assert.deepEqual(readConceptNames(run), []);

    const csv = join(dir, 'attributes.csv');
    writeFileSync(csv, 'class,has wheels,is large\ncat,0,0\ndog,0,1\ncar,1,1\ntruck,1,1\n');
    const off = await htaf(['--run', run, '--candidates', csv, '--nodes', '0-2', '--json']);
    assert.equal(off.status, 0, off.stderr);
    const out = JSON.parse(off.stdout.trim().split('\n').pop()!);
    assert.deepEqual(out.names, [
      { node: 0, name: 'has wheels', zero: 'has wheels', one: 'no wheels', source: 'candidates', score: 1 },
      { node: 2, name: 'has wheels', zero: 'no wheels', one: 'has wheels', source: 'candidates', score: 1 },
    ]);
    assert.deepEqual(readConceptNames(run), out.names);
  });
});

test('htaf icbm name: a node without a valid reply exits 1 naming it, after saving the others', async () => {
  await withRun(async (dir) => {
    const run = join(dir, 'run');
    await withLlm(async (url) => {
      const r = await htaf(['--run', run, '--llm-url', url, '--llm-model', 'm', '--retries', '0']);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /not named: node 2: no valid reply .* after 1 attempt; last: reply content is not JSON: 'vehicles, I guess'/, `stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}`);
      assert.match(r.stderr, /htaf icbm name: 1 node not named \(no valid reply\): 2; the others were saved/);
      assert.deepEqual(readConceptNames(run).map((n) => n.node), [0, 3]);
    }, (user) => (/- cat\n- dog\n\nGroup B/.test(user) ? '{"name": "Animal", "zero": "a vehicle", "one": "an animal"}' : 'vehicles, I guess'));
  });
});

test('htaf icbm name: option errors name the option', async () => {
  await withRun(async (dir) => {
    const run = join(dir, 'run');
    const cases: [string[], RegExp][] = [
      [['--run', run], /htaf icbm name: nothing to name with: give --llm-url URL --llm-model NAME, --candidates FILE \(offline\), or --dry-run/],
      [['--run', run, '--dry-run', '--nodes', '1', '--top-k', '2'], /give --nodes or --top-k, not both/],
      [['--run', run, '--llm-url', 'http://127.0.0.1:9/v1'], /--llm-url and --llm-model go together \(got only --llm-url\)/],
      [['--run', run, '--dry-run', '--nodes', '1,x'], /--nodes must be a comma-separated list of node indices or ranges \(e\.g\. 3,7,10-12\), got '1,x'/],
      [['--run', run, '--dry-run', '--nodes', '9'], /htaf icbm name: nameConcepts: node 9 is not in \[0, 3\]/],
      [['--run', run, '--llm-url', 'http://127.0.0.1:9/v1', '--llm-model', 'm', '--api-key-env', 'HTAF_TEST_UNSET_KEY'], /the API key variable HTAF_TEST_UNSET_KEY \(apiKeyEnv\) is not set or empty/],
      [['--run', join(dir, 'nope'), '--dry-run'], /htaf icbm name: readIcbmRun: no run folder .*nope/],
    ];
    for (const [args, message] of cases) {
      const r = await htaf(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    assert.deepEqual(readdirSync(run).sort(), ['concepts.safetensors', 'run.json']);
  });
});
