// The LLM client and its cache against a local HTTP server that speaks chat completions: the request it
// sends, success, 500 then success, 429 with Retry-After (seconds, HTTP date, capped), timeouts, network
// errors, non-JSON and incomplete JSON content, exhausted retries, a 4xx that is not retried, the
// response_format fallback; the API key never in errors or cache files; a cache that stores only valid
// replies and answers a rerun without any request. Sleeps are injected, so nothing here waits for a backoff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  ChatCompletionsClient, LlmError, chatCompletionsUrl, parseConceptReply, parseRetryAfter, type ChatMessage, type LlmClientOptions,
} from '../../src/concepts/llm_client.js';
import { LlmCache, cachedConceptReply, llmCacheKey } from '../../src/concepts/llm_cache.js';

const KEY = 'sk-test-SECRET-0123456789abcdef';
const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You name concepts.' },
  { role: 'user', content: 'Group A: cat, dog. Group B: car, truck.' },
];
const GOOD = { name: 'Animal', zero: 'not an animal', one: 'an animal' };

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}
type Handler = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;

/** A chat-completions server that answers the i-th request with handlers[i] (the last one repeats). */
async function withServer(handlers: Handler[], fn: (url: string, seen: Seen[]) => Promise<void>): Promise<void> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      handlers[Math.min(seen.length - 1, handlers.length - 1)](req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}/v1`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };
}
const reply = (content: unknown): Handler => json(200, { id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
const ok = reply(JSON.stringify(GOOD));
const never: Handler = () => { /* no answer */ };

/** Options with the key in an injected environment and sleeps recorded instead of waited. */
function opts(url: string, sleeps: number[], extra: Partial<LlmClientOptions> = {}): LlmClientOptions {
  return { url, model: 'test-model', env: { OPENAI_API_KEY: KEY }, timeoutMs: 2000, sleep: async (ms) => { sleeps.push(ms); }, ...extra };
}

async function rejectsWith(p: Promise<unknown>, ...parts: (string | RegExp)[]): Promise<LlmError> {
  let error: unknown;
  await assert.rejects(p, (err: unknown) => {
    error = err;
    return true;
  });
  assert.ok(error instanceof LlmError, `an LlmError, got ${String(error)}`);
  for (const part of parts) {
    if (typeof part === 'string') assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} should include ${JSON.stringify(part)}`);
    else assert.match(error.message, part);
  }
  assert.ok(!error.message.includes(KEY), 'the API key must not be in an error message');
  return error;
}

test('chatCompletionsUrl: appends /chat/completions unless present; refuses non-http URLs and credentials in the URL', () => {
  assert.equal(chatCompletionsUrl('http://localhost:8080/v1'), 'http://localhost:8080/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://localhost:8080/v1/'), 'http://localhost:8080/v1/chat/completions');
  assert.equal(chatCompletionsUrl('https://api.openai.com/v1/chat/completions'), 'https://api.openai.com/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://h:1'), 'http://h:1/chat/completions');
  assert.throws(() => chatCompletionsUrl('ftp://h/v1'), /url must be an http\(s\) URL, got 'ftp:\/\/h\/v1'/);
  assert.throws(() => chatCompletionsUrl('not a url'), /url must be an http\(s\) URL/);
  assert.throws(() => chatCompletionsUrl('http://user:pw@h/v1'), /must not hold credentials/);
});

test('success: one POST to …/chat/completions with model, messages, temperature 0, response_format, the key as a Bearer header', async () => {
  await withServer([ok], async (url, seen) => {
    const sleeps: number[] = [];
    const client = new ChatCompletionsClient(opts(url, sleeps));
    assert.equal(client.endpoint, `${url}/chat/completions`);
    const r = await client.nameConcept(MESSAGES, 'node 3');
    assert.deepEqual(r, GOOD);
    assert.equal(seen.length, 1);
    assert.equal(client.requests, 1);
    assert.equal(seen[0].path, '/v1/chat/completions');
    assert.equal(seen[0].headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(seen[0].body, { model: 'test-model', messages: MESSAGES, temperature: 0, response_format: { type: 'json_object' } });
    assert.deepEqual(sleeps, []);
  });
});

test('no key: the default variable unset sends no Authorization header; a variable named explicitly must be set', async () => {
  await withServer([ok], async (url, seen) => {
    const client = new ChatCompletionsClient({ url, model: 'm', env: {} });
    await client.nameConcept(MESSAGES, 'node 0');
    assert.equal(seen[0].headers.authorization, undefined);
  });
  assert.throws(() => new ChatCompletionsClient({ url: 'http://h/v1', model: 'm', apiKeyEnv: 'MY_LLM_KEY', env: {} }), /API key variable MY_LLM_KEY \(apiKeyEnv\) is not set/);
  assert.throws(() => new ChatCompletionsClient({ url: 'http://h/v1', model: 'm', apiKeyEnv: 'not a name' }), /apiKeyEnv must be an environment variable name/);
  assert.throws(() => new ChatCompletionsClient({ url: 'http://h/v1', model: '' }), /model must be a non-empty string/);
  assert.throws(() => new ChatCompletionsClient({ url: 'http://h/v1', model: 'm', retries: -1 }), /retries must be an integer >= 0, got -1/);
  assert.throws(() => new ChatCompletionsClient({ url: 'http://h/v1', model: 'm', timeoutMs: 0 }), /timeoutMs must be a finite number > 0, got 0/);
  // The key is read from the named variable and kept out of the object's printable state.
  const c = new ChatCompletionsClient({ url: 'http://h/v1', model: 'm', apiKeyEnv: 'MY_LLM_KEY', env: { MY_LLM_KEY: KEY } });
  assert.ok(!JSON.stringify(c).includes(KEY));
  assert.ok(!inspect(c, { depth: 5, showHidden: true }).includes(KEY));
});

test('500 then success: one retry after a jittered backoff in [50%, 100%] of backoffMs', async () => {
  await withServer([json(500, { error: { message: 'boom' } }), ok], async (url, seen) => {
    const sleeps: number[] = [];
    const retries: string[] = [];
    const client = new ChatCompletionsClient(opts(url, sleeps, { backoffMs: 1000, onRetry: (e) => retries.push(`${e.what} ${e.attempt}/${e.maxAttempts}: ${e.reason}`) }));
    assert.deepEqual(await client.nameConcept(MESSAGES, 'node 1'), GOOD);
    assert.equal(seen.length, 2);
    assert.equal(sleeps.length, 1);
    assert.ok(sleeps[0] >= 500 && sleeps[0] <= 1000, String(sleeps[0]));
    assert.deepEqual(retries, ['node 1 1/5: HTTP 500: boom']);
  });
});

test('backoff doubles per retry, is capped, and its jitter is seeded (same seed, same waits)', async () => {
  const waits = async (seed: number) => {
    let out: number[] = [];
    await withServer([json(503, {}), json(503, {}), json(503, {}), json(503, {}), ok], async (url) => {
      const sleeps: number[] = [];
      await new ChatCompletionsClient(opts(url, sleeps, { backoffMs: 100, maxBackoffMs: 500, seed })).nameConcept(MESSAGES, 'node 0');
      out = sleeps;
    });
    return out;
  };
  const a = await waits(7);
  assert.equal(a.length, 4);
  [100, 200, 400, 500].forEach((cap, i) => assert.ok(a[i] >= cap / 2 && a[i] <= cap, `wait ${i}: ${a[i]} not in [${cap / 2}, ${cap}]`));
  assert.deepEqual(await waits(7), a);
  assert.notDeepEqual(await waits(8), a);
});

test('429 with Retry-After: the wait is the header\'s seconds, or its HTTP date against the clock, capped by maxRetryAfterMs', async () => {
  await withServer([json(429, { error: { message: 'slow down' } }, { 'retry-after': '7' }), ok], async (url, seen) => {
    const sleeps: number[] = [];
    assert.deepEqual(await new ChatCompletionsClient(opts(url, sleeps)).nameConcept(MESSAGES, 'node 2'), GOOD);
    assert.equal(seen.length, 2);
    assert.deepEqual(sleeps, [7000]);
  });
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  await withServer([json(429, {}, { 'retry-after': new Date(now + 3000).toUTCString() }), ok], async (url) => {
    const sleeps: number[] = [];
    await new ChatCompletionsClient(opts(url, sleeps, { now: () => now })).nameConcept(MESSAGES, 'node 2');
    assert.deepEqual(sleeps, [3000]);
  });
  await withServer([json(429, {}, { 'retry-after': '3600' }), ok], async (url) => {
    const sleeps: number[] = [];
    await new ChatCompletionsClient(opts(url, sleeps, { maxRetryAfterMs: 20_000 })).nameConcept(MESSAGES, 'node 2');
    assert.deepEqual(sleeps, [20_000]);
  });
  assert.equal(parseRetryAfter('2.5', 0), 2500);
  assert.equal(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000), 6000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 20_000), 0);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter(null, 0), undefined);
});

test('timeout: a server that never answers costs retries + 1 attempts of timeoutMs each, then a clear error', async () => {
  await withServer([never], async (url, seen) => {
    const sleeps: number[] = [];
    const t0 = Date.now();
    const err = await rejectsWith(
      new ChatCompletionsClient(opts(url, sleeps, { timeoutMs: 40, retries: 2 })).nameConcept(MESSAGES, 'node 4'),
      'node 4: no valid reply from', `${url}/chat/completions`, 'after 3 attempts', 'no response within 40 ms',
    );
    assert.equal(err.kind, 'timeout');
    assert.equal(err.attempts, 3);
    assert.equal(seen.length, 3);
    assert.equal(sleeps.length, 2);
    assert.ok(Date.now() - t0 < 2000, 'each attempt is cut at timeoutMs');
  });
});

test('timeout while reading the body: headers sent, the body stalls; the attempt is cut at timeoutMs too', async () => {
  const stall: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"choices": [');
  };
  await withServer([stall, ok], async (url, seen) => {
    const sleeps: number[] = [];
    assert.deepEqual(await new ChatCompletionsClient(opts(url, sleeps, { timeoutMs: 40 })).nameConcept(MESSAGES, 'node 4'), GOOD);
    assert.equal(seen.length, 2);
    assert.equal(sleeps.length, 1);
  });
  await withServer([stall], async (url) => {
    const err = await rejectsWith(new ChatCompletionsClient(opts(url, [], { timeoutMs: 40, retries: 1 })).nameConcept(MESSAGES, 'node 4'), 'after 2 attempts', 'no response within 40 ms');
    assert.equal(err.kind, 'timeout');
  });
});

test('timeout then success: an answer after a timed-out attempt is accepted', async () => {
  await withServer([never, ok], async (url, seen) => {
    const r = await new ChatCompletionsClient(opts(url, [], { timeoutMs: 40 })).nameConcept(MESSAGES, 'node 4');
    assert.deepEqual(r, GOOD);
    assert.equal(seen.length, 2);
  });
});

test('network error (nothing listening): bounded retries, then an error naming it', async () => {
  let url = '';
  await withServer([ok], async (u) => { url = u; });
  const sleeps: number[] = [];
  const err = await rejectsWith(new ChatCompletionsClient(opts(url, sleeps, { retries: 1 })).nameConcept(MESSAGES, 'node 5'), 'node 5', 'after 2 attempts', 'network error');
  assert.equal(err.kind, 'network');
  assert.equal(sleeps.length, 1);
});

test('non-JSON content is retried; if it never becomes valid, the error names the node and quotes the content', async () => {
  await withServer([reply('I think it is fur.'), ok], async (url, seen) => {
    assert.deepEqual(await new ChatCompletionsClient(opts(url, [])).nameConcept(MESSAGES, 'node 6'), GOOD);
    assert.equal(seen.length, 2);
  });
  await withServer([reply('I think it is fur.')], async (url, seen) => {
    const err = await rejectsWith(new ChatCompletionsClient(opts(url, [], { retries: 2 })).nameConcept(MESSAGES, 'node 6'),
      'node 6: no valid reply', 'after 3 attempts', "reply content is not JSON: 'I think it is fur.'");
    assert.equal(err.kind, 'invalid-reply');
    assert.equal(seen.length, 3);
  });
  // A body that is not a chat completion at all, and one without message content.
  await withServer([(_q, res) => { res.writeHead(200); res.end('<html>proxy</html>'); }], async (url) => {
    await rejectsWith(new ChatCompletionsClient(opts(url, [], { retries: 0 })).nameConcept(MESSAGES, 'node 6'), 'after 1 attempt;', "the response body is not JSON: '<html>proxy</html>'");
  });
  await withServer([json(200, { choices: [] })], async (url) => {
    await rejectsWith(new ChatCompletionsClient(opts(url, [], { retries: 0 })).nameConcept(MESSAGES, 'node 6'), 'no choices[0].message.content string');
  });
});

test('JSON missing fields, or with a wrong type, is retried and then named in the error', async () => {
  await withServer([reply('{"name": "Animal"}')], async (url, seen) => {
    const err = await rejectsWith(new ChatCompletionsClient(opts(url, [], { retries: 1 })).nameConcept(MESSAGES, 'node 7'),
      'node 7', 'after 2 attempts', 'reply JSON is missing "zero", "one" (has "name")');
    assert.equal(err.kind, 'invalid-reply');
    assert.equal(seen.length, 2);
  });
  await withServer([reply('{"name": "Animal", "zero": 0, "one": "an animal"}'), ok], async (url, seen) => {
    assert.deepEqual(await new ChatCompletionsClient(opts(url, [])).nameConcept(MESSAGES, 'node 7'), GOOD);
    assert.equal(seen.length, 2);
  });
});

test('parseConceptReply: trims, collapses whitespace, accepts a ```json fence and a leading <think> block, enforces length limits', () => {
  assert.deepEqual(parseConceptReply('```json\n{"name": "  Has\\n wheels ", "zero": "no wheels", "one": "wheels"}\n```', 'node 1'), { name: 'Has wheels', zero: 'no wheels', one: 'wheels' });
  assert.deepEqual(parseConceptReply('```\n{"name":"a","zero":"b","one":"c","why":"extra fields are ignored"}\n```', 'node 1'), { name: 'a', zero: 'b', one: 'c' });
  assert.deepEqual(parseConceptReply('<think>hmm</think>\n{"name":"a","zero":"b","one":"c"}', 'node 1'), { name: 'a', zero: 'b', one: 'c' });
  assert.throws(() => parseConceptReply('{"name":"","zero":"b","one":"c"}', 'node 1'), /node 1: reply field "name" is empty/);
  assert.throws(() => parseConceptReply(JSON.stringify({ name: 'x'.repeat(81), zero: 'b', one: 'c' }), 'node 1'), /node 1: reply field "name" has 81 characters, more than 80/);
  assert.throws(() => parseConceptReply(JSON.stringify({ name: 'a', zero: 'b'.repeat(201), one: 'c' }), 'node 1'), /"zero" has 201 characters, more than 200/);
  assert.throws(() => parseConceptReply('[1,2]', 'node 9'), /node 9: reply must be a JSON object \{"name", "zero", "one"\}, got an array/);
});

test('a 4xx other than 408/429 is not retried: one request, an error with the status and the endpoint\'s message, the key redacted', async () => {
  // The server echoes the key back, as some gateways do.
  const echo: Handler = (req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${String(req.headers.authorization).slice(7)}` } }));
  };
  await withServer([echo], async (url, seen) => {
    const sleeps: number[] = [];
    const err = await rejectsWith(new ChatCompletionsClient(opts(url, sleeps)).nameConcept(MESSAGES, 'node 8'),
      'node 8', `${url}/chat/completions refused the request (model test-model): HTTP 401: Incorrect API key provided: [redacted]`);
    assert.equal(err.status, 401);
    assert.equal(err.kind, 'http');
    assert.equal(seen.length, 1);
    assert.deepEqual(sleeps, []);
  });
  await withServer([json(404, { error: { message: 'The model `nope` does not exist' } })], async (url, seen) => {
    await rejectsWith(new ChatCompletionsClient(opts(url, [])).nameConcept(MESSAGES, 'node 8'), 'HTTP 404: The model `nope` does not exist');
    assert.equal(seen.length, 1);
  });
});

test('exhausted retries on 5xx: retries + 1 requests, the last status and message in the error, the key redacted', async () => {
  const echo: Handler = (req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `overloaded (auth ${String(req.headers.authorization)})` }));
  };
  await withServer([echo], async (url, seen) => {
    const sleeps: number[] = [];
    const retryReasons: string[] = [];
    const err = await rejectsWith(new ChatCompletionsClient(opts(url, sleeps, { onRetry: (e) => retryReasons.push(e.reason) })).nameConcept(MESSAGES, 'node 9'),
      'node 9: no valid reply', 'after 5 attempts', 'HTTP 503: overloaded (auth Bearer [redacted])');
    assert.equal(err.status, 503);
    assert.equal(err.attempts, 5);
    assert.equal(seen.length, 5);
    assert.equal(sleeps.length, 4);
    for (const r of retryReasons) assert.ok(!r.includes(KEY));
  });
});

test('a 400 that names response_format: asked once more without it, and not sent again by this client (422 too)', async () => {
  const picky: Handler = (_req, res, body) => {
    if ('response_format' in body) json(400, { error: { message: "Unsupported parameter: 'response_format'" } })(_req, res, body);
    else ok(_req, res, body);
  };
  await withServer([picky], async (url, seen) => {
    const sleeps: number[] = [];
    const client = new ChatCompletionsClient(opts(url, sleeps, { retries: 0 }));
    assert.deepEqual(await client.nameConcept(MESSAGES, 'node 1'), GOOD);
    assert.equal(seen.length, 2);
    assert.ok('response_format' in seen[0].body);
    assert.ok(!('response_format' in seen[1].body));
    assert.equal(client.sendsResponseFormat, false);
    await client.nameConcept(MESSAGES, 'node 2');
    assert.equal(seen.length, 3);
    assert.ok(!('response_format' in seen[2].body));
    assert.deepEqual(sleeps, []);
  });
  await withServer([json(422, { detail: 'response_format: extra fields not permitted' }), ok], async (url, seen) => {
    const client = new ChatCompletionsClient(opts(url, [], { retries: 0 }));
    assert.deepEqual(await client.nameConcept(MESSAGES, 'node 1'), GOOD);
    assert.equal(seen.length, 2);
    assert.ok(!('response_format' in seen[1].body));
  });
  // Any other 400 fails at once; responseFormat: false never sends it.
  await withServer([json(400, { error: { message: 'context too long' } })], async (url, seen) => {
    await rejectsWith(new ChatCompletionsClient(opts(url, [])).nameConcept(MESSAGES, 'node 1'), 'HTTP 400: context too long');
    assert.equal(seen.length, 1);
  });
  await withServer([ok], async (url, seen) => {
    await new ChatCompletionsClient(opts(url, [], { responseFormat: false })).nameConcept(MESSAGES, 'node 1');
    assert.ok(!('response_format' in seen[0].body));
  });
});

test('cache: keyed by endpoint, model and exact messages; stores only valid replies; a rerun sends nothing; no key in its files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-llm-cache-'));
  try {
    const cacheDir = join(dir, 'llm-cache');
    const other: ChatMessage[] = [MESSAGES[0], { role: 'user', content: 'Group A: car. Group B: cat.' }];
    await withServer([reply('not json'), reply('{"name": "x"}'), ok], async (url, seen) => {
      const cache = new LlmCache(cacheDir);
      // First request: invalid twice, then valid; with retries: 1 it fails and nothing is stored.
      await rejectsWith(cachedConceptReply(new ChatCompletionsClient(opts(url, [], { retries: 1 })), cache, MESSAGES, 'node 1'), 'node 1', 'missing "zero"');
      assert.equal(seen.length, 2);
      assert.throws(() => readdirSync(cacheDir), /ENOENT/, 'no cache folder, no file, after a failure');
      // Then it succeeds (third reply) and is stored once.
      const client = new ChatCompletionsClient(opts(url, []));
      assert.deepEqual(await cachedConceptReply(client, cache, MESSAGES, 'node 1'), { reply: GOOD, cached: false });
      assert.equal(seen.length, 3);
      assert.equal(readdirSync(cacheDir).length, 1);
      const file = cache.file(client.endpoint, client.model, MESSAGES);
      assert.equal(file, join(cacheDir, `${llmCacheKey(client.endpoint, client.model, MESSAGES)}.json`));
      const text = readFileSync(file, 'utf8');
      assert.ok(!text.includes(KEY), 'no key in a cache file');
      assert.deepEqual(JSON.parse(text).reply, GOOD);
      // A rerun (a new client and cache object) sends nothing.
      const again = new ChatCompletionsClient(opts(url, []));
      const cache2 = new LlmCache(cacheDir);
      assert.deepEqual(await cachedConceptReply(again, cache2, MESSAGES, 'node 1'), { reply: GOOD, cached: true });
      assert.equal(again.requests, 0);
      assert.equal(seen.length, 3);
      assert.equal(cache2.hits, 1);
      // Other messages, another model or another endpoint are other keys.
      assert.equal(cache2.get(client.endpoint, client.model, other), undefined);
      assert.equal(cache2.get(client.endpoint, 'other-model', MESSAGES), undefined);
      assert.equal(cache2.get('http://elsewhere/v1/chat/completions', client.model, MESSAGES), undefined);
      assert.notEqual(llmCacheKey(client.endpoint, client.model, MESSAGES), llmCacheKey(client.endpoint, client.model, other));
      // A cache file that was tampered with into an invalid reply is a miss, not an answer.
      writeFileSync(file, text.replace('"Animal"', '""'));
      assert.equal(cache2.get(client.endpoint, client.model, MESSAGES), undefined);
      writeFileSync(file, '{ half');
      assert.equal(cache2.get(client.endpoint, client.model, MESSAGES), undefined);
      // put refuses an invalid reply and writes nothing.
      assert.throws(() => cache2.put(client.endpoint, client.model, other, { name: 'x', zero: '', one: 'y' }), /LlmCache.put: reply field "zero" is empty/);
      assert.equal(cache2.get(client.endpoint, client.model, other), undefined);
      assert.equal(readdirSync(cacheDir).length, 1);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
