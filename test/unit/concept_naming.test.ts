// Naming concepts end to end on a hand-made ICBM run (4 classes, 4 nodes, written with writeIcbmRun):
// the class groups at q >= 0.5 and the prompt text, naming through a local chat-completions server (names
// merged into concept_names.json, constant nodes skipped, identical groups asked once, a rerun answered by
// the cache with no request), node choice by list / top-k / all, the dry run (prompts only, nothing sent),
// a node whose replies never validate, and a refused request that stops the run after saving what it had.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConceptNames, readIcbmRun, writeConceptNames, writeIcbmRun } from '../../src/concepts/run_data.js';
import type { IcbmRunData } from '../../src/concepts/types.js';
import { CLASSES, handMadeRun } from './concept_naming_fixture.js';
import { ACTIVATION_THRESHOLD, conceptMessages, nodeGroups } from '../../src/concepts/prompts.js';
import { nameConcepts, type NameConceptsOptions } from '../../src/concepts/naming.js';
import { llmCacheKey } from '../../src/concepts/llm_cache.js';
import { answerCompletion, answerJson, withChatServer, type ChatRequest } from '../helpers/chat_server.js';

const ANIMAL = { name: 'Animal', zero: 'a vehicle', one: 'an animal' };
const VEHICLE = { name: 'Vehicle', zero: 'an animal', one: 'a vehicle' };

/** A server that names {cat, dog} as Animal and {car, truck} as Vehicle, unless `override` answers the i-th request. */
function withLlm(fn: (url: string, requests: ChatRequest[]) => Promise<void>, override?: (i: number, res: ServerResponse) => boolean): Promise<void> {
  return withChatServer((request, res) => {
    if (override?.(request.index, res)) return;
    const animalsOn = /Group A \(feature = 1\):\n- cat\n- dog\n/.test(request.user);
    answerCompletion(res, JSON.stringify(animalsOn ? ANIMAL : VEHICLE));
  }, fn);
}

function withRun(fn: (dir: string, run: IcbmRunData) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-naming-'));
  writeIcbmRun(dir, handMadeRun());
  return fn(dir, readIcbmRun(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const llm = (url: string) => ({ url, model: 'test-model', env: {}, timeoutMs: 2000, retries: 1, sleep: async () => {} });

test('nodeGroups: classes with q >= 0.5 are activated, in label order; one-sided nodes are constant; classes without images are in neither group', () => {
  assert.equal(ACTIVATION_THRESHOLD, 0.5);
  // q is K x M: rows cat, dog, car, truck; columns nodes 0..2
  const q = new Float64Array([1, 1, 0.49, 0.5, 1, 0, 0, 1, NaN, 0.2, 1, 1]);
  const g0 = nodeGroups(q, CLASSES, 3, 0);
  assert.deepEqual([g0.activated, g0.unactivated, g0.constant], [['cat', 'dog'], ['car', 'truck'], false]);
  assert.deepEqual([g0.activatedClasses, g0.unactivatedClasses], [[0, 1], [2, 3]]);
  const g1 = nodeGroups(q, CLASSES, 3, 1);
  assert.equal(g1.constant, true);
  const g2 = nodeGroups(q, CLASSES, 3, 2);
  assert.deepEqual([g2.activated, g2.unactivated], [['truck'], ['cat', 'dog']]); // cat at 0.49 is below; car (NaN: no images) in neither
  assert.throws(() => nodeGroups(q, CLASSES, 3, 3), /nodeGroups: node must be an integer in \[0, 2\], got 3/);
  assert.throws(() => nodeGroups(new Float64Array(5), CLASSES, 3, 0), /q must be a Float64Array of 4 classes x 3 concepts = 12 values, got 5/);
});

test('conceptMessages: both class lists and the candidates, no node number; the same groups give the same text; constant nodes are refused', () => {
  const q = new Float64Array([1, 1, 1, 1, 0, 0, 0, 0]); // 4 classes x 2 nodes: node 0 = {cat, dog}, node 1 = {cat, dog} too
  const a = conceptMessages(nodeGroups(q, CLASSES, 2, 0), ['furry', ' has  wheels ', 'furry']);
  const b = conceptMessages(nodeGroups(q, CLASSES, 2, 1), ['furry', 'has wheels']);
  assert.deepEqual(a, b);
  assert.equal(a.length, 2);
  assert.equal(a[0].role, 'system');
  const user = a[1].content;
  assert.match(user, /Group A \(feature = 1\):\n- cat\n- dog\n\nGroup B \(feature = 0\):\n- car\n- truck\n/);
  assert.match(user, /Candidate concepts \(use one if it fits, or give a better one\):\n- furry\n- has wheels\n/);
  assert.match(user, /"name".*"zero".*"one"/);
  assert.ok(!/node/i.test(user));
  assert.ok(!conceptMessages(nodeGroups(q, CLASSES, 2, 0))[1].content.includes('Candidate'));
  const constant = nodeGroups(new Float64Array([1, 1, 1, 1]), CLASSES, 1, 0);
  assert.throws(() => conceptMessages(constant), /conceptMessages: node 0 is constant/);
});

test('nameConcepts via an LLM: every non-constant node named and saved; identical groups asked once; a rerun sends nothing', async () => {
  await withRun(async (dir, run) => {
    await withLlm(async (url, requests) => {
      const lines: string[] = [];
      const r = await nameConcepts(run, { dir, llm: llm(url), onProgress: (l) => lines.push(l) });
      const expected = [
        { node: 0, ...ANIMAL, source: 'llm' },
        { node: 2, ...VEHICLE, source: 'llm' },
        { node: 3, ...ANIMAL, source: 'llm' },
      ];
      assert.deepEqual(r.names, expected);
      assert.deepEqual(readConceptNames(dir), expected);
      assert.equal(requests.length, 2, 'nodes 0 and 3 have the same groups: one request');
      const s = r.summary;
      assert.deepEqual([s.mode, s.selection, s.nodes, s.constant, s.failed, s.named, s.fromCache, s.requests], ['llm', 'all', [0, 1, 2, 3], [1], [], 3, 1, 2]);
      assert.equal(s.endpoint, `${url}/chat/completions`);
      assert.equal(s.cacheDir, join(dir, 'llm-cache'));
      assert.equal(readdirSync(join(dir, 'llm-cache')).length, 2);
      assert.ok(lines.some((l) => /not named: node 1/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => l.startsWith('node 3 (3/3): Animal') && l.endsWith('(cached)')), lines.join('\n'));

      const again = await nameConcepts(readIcbmRun(dir), { dir, llm: llm(url) });
      assert.deepEqual(again.names, expected);
      assert.equal(requests.length, 2, 'the rerun is answered by the cache');
      assert.deepEqual([again.summary.fromCache, again.summary.requests], [3, 0]);
    });
  });
});

test('nameConcepts: top-k is the union of each class\'s top-k nodes; a node list names only those and keeps the other names', async () => {
  await withRun(async (dir, run) => {
    await withLlm(async (url) => {
      const top = await nameConcepts(run, { dir, llm: llm(url), topK: 1 });
      assert.deepEqual(top.summary.nodes, [0, 1, 2]); // cat, dog: node 2; car: node 0; truck: node 1
      assert.equal(top.summary.selection, 'top-k');
      assert.deepEqual(top.names.map((n) => n.node), [0, 2]);
      writeConceptNames(dir, [{ node: 2, name: 'Mine', zero: 'no', one: 'yes', source: 'user' }]);
      const one = await nameConcepts(run, { dir, llm: llm(url), nodes: [3, 3] });
      assert.deepEqual(one.summary.nodes, [3]);
      assert.deepEqual(readConceptNames(dir).map((n) => `${n.node}:${n.name}:${n.source}`), ['0:Animal:llm', '2:Mine:user', '3:Animal:llm']);
      await assert.rejects(nameConcepts(run, { dir, llm: llm(url), nodes: [4] }), /nameConcepts: node 4 is not in \[0, 3\] \(the run has M = 4 concepts\)/);
      await assert.rejects(nameConcepts(run, { dir, llm: llm(url), nodes: [0], topK: 1 }), /give nodes or topK, not both/);
      await assert.rejects(nameConcepts(run, { dir, llm: llm(url), topK: 0 }), /topK must be a positive integer, got 0/);
      await assert.rejects(nameConcepts(run, { dir } as NameConceptsOptions), /nothing to name with/);
    });
  });
});

test('nameConcepts dry run: one prompt file per non-constant node, nothing sent, nothing named or cached', async () => {
  await withRun(async (dir, run) => {
    await withLlm(async (url, requests) => {
      const lines: string[] = [];
      // A dry run reads no key: a key variable that is not set does not stop it.
      const r = await nameConcepts(run, { dir, llm: { ...llm(url), apiKeyEnv: 'HTAF_TEST_UNSET_KEY' }, dryRun: true, onProgress: (l) => lines.push(l) });
      assert.equal(requests.length, 0);
      assert.deepEqual(r.names, []);
      assert.equal(r.summary.mode, 'dry-run');
      assert.equal(r.summary.prompts, 3);
      assert.equal(r.summary.promptsDir, join(dir, 'prompts'));
      assert.deepEqual(readdirSync(join(dir, 'prompts')).sort(), ['node-0.json', 'node-2.json', 'node-3.json']);
      assert.ok(!existsSync(join(dir, 'llm-cache')));
      assert.ok(!existsSync(join(dir, 'concept_names.json')));
      const p = JSON.parse(readFileSync(join(dir, 'prompts', 'node-2.json'), 'utf8'));
      assert.deepEqual([p.node, p.activated, p.unactivated], [2, ['car', 'truck'], ['cat', 'dog']]);
      assert.equal(p.endpoint, `${url}/chat/completions`);
      assert.equal(p.cacheKey, llmCacheKey(p.endpoint, 'test-model', p.messages));
      // The prompt is exactly what the LLM run sends: after it, the cache file of node 2 has that key.
      await nameConcepts(run, { dir, llm: llm(url), nodes: [2] });
      assert.ok(existsSync(join(dir, 'llm-cache', `${p.cacheKey}.json`)));
      // Without an endpoint, a dry run still writes the prompts.
      rmSync(join(dir, 'prompts'), { recursive: true });
      const bare = await nameConcepts(run, { dir, dryRun: true, nodes: [0, 1] });
      assert.deepEqual(readdirSync(join(dir, 'prompts')), ['node-0.json']);
      assert.deepEqual(bare.summary.constant, [1]);
      assert.equal(JSON.parse(readFileSync(join(dir, 'prompts', 'node-0.json'), 'utf8')).endpoint, undefined);
    });
  });
});

test('nameConcepts: a node whose replies never validate is reported and the others are named; nothing invalid is cached', async () => {
  await withRun(async (dir, run) => {
    // Every request about {car, truck} gets prose instead of JSON.
    await withLlm(async (url, requests) => {
      const r = await nameConcepts(run, { dir, llm: llm(url) });
      assert.deepEqual(r.names.map((n) => n.node), [0, 3]);
      assert.equal(r.summary.failed.length, 1);
      assert.equal(r.summary.failed[0].node, 2);
      assert.match(r.summary.failed[0].error, /^no valid reply from .* after 2 attempts; last: reply content is not JSON: 'It is about vehicles.'$/);
      assert.equal(requests.length, 3); // node 0, node 2 twice; node 3 from the cache
      assert.equal(readdirSync(join(dir, 'llm-cache')).length, 1);
      assert.deepEqual(readConceptNames(dir).map((n) => n.node), [0, 3]);
    }, (i, res) => {
      if (i === 1 || i === 2) {
        answerCompletion(res, 'It is about vehicles.');
        return true;
      }
      return false;
    });
  });
});

test('nameConcepts: a refused request stops the run, keeps the names obtained before it, and says so', async () => {
  await withRun(async (dir, run) => {
    await withLlm(async (url) => {
      await assert.rejects(nameConcepts(run, { dir, llm: llm(url) }), (err: Error) => {
        assert.match(err.message, /^nameConcepts: stopped at node 2: .* refused the request \(model test-model\): HTTP 403: quota exceeded; the 1 name obtained before it is saved in .*concept_names\.json \(replies are cached: a rerun resumes\)$/);
        return true;
      });
      assert.deepEqual(readConceptNames(dir).map((n) => n.node), [0]);
    }, (i, res) => {
      if (i === 1) {
        answerJson(res, 403, { error: { message: 'quota exceeded' } });
        return true;
      }
      return false;
    });
  });
});

const ATTRIBUTES = 'class,has fur,has wheels,is large\ncat,1,0,0\ndog,1,0,1\ncar,0,1,1\ntruck,0,1,1\n';

test('nameConcepts with candidates: offline, each node named by its best attribute (Jaccard), saved with its score', async () => {
  await withRun(async (dir, run) => {
    const file = join(dir, 'attributes.csv');
    writeFileSync(file, ATTRIBUTES);
    const lines: string[] = [];
    const r = await nameConcepts(run, { dir, candidatesFile: file, onProgress: (l) => lines.push(l) });
    assert.deepEqual(r.names, [
      { node: 0, name: 'has fur', zero: 'no fur', one: 'has fur', source: 'candidates', score: 1 },
      // {car, truck} is also exactly the complement of 'has fur', listed first: ties go to the first attribute.
      { node: 2, name: 'has fur', zero: 'has fur', one: 'no fur', source: 'candidates', score: 1 },
      { node: 3, name: 'has fur', zero: 'no fur', one: 'has fur', source: 'candidates', score: 1 },
    ]);
    assert.deepEqual(readConceptNames(dir), r.names);
    assert.deepEqual([r.summary.mode, r.summary.constant, r.summary.failed, r.summary.requests], ['candidates', [1], [], 0]);
    assert.ok(lines.some((l) => l === 'node 2: has fur [0: has fur; 1: no fur] (Jaccard 1.000)'), lines.join('\n'));
    // A table whose classes are not the run's is refused, naming the file.
    const other = join(dir, 'other.csv');
    writeFileSync(other, 'class,has fur\ncat,1\ndog,1\ncar,0\n');
    await assert.rejects(nameConcepts(run, { dir, candidatesFile: other }), /other\.csv: no row for the run's class "truck"/);
  });
});

test('nameConcepts with an LLM and candidates: the attributes are offered in the prompt', async () => {
  await withRun(async (dir, run) => {
    const file = join(dir, 'attributes.csv');
    writeFileSync(file, ATTRIBUTES);
    await withLlm(async (url, requests) => {
      const r = await nameConcepts(run, { dir, llm: llm(url), candidatesFile: file, nodes: [2] });
      assert.deepEqual(r.names, [{ node: 2, ...VEHICLE, source: 'llm' }]);
      assert.equal(requests.length, 1);
      assert.match(requests[0].user, /Candidate concepts \(use one if it fits, or give a better one\):\n- has fur\n- has wheels\n- is large\n/);
    });
  });
});
