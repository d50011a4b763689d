// A client for any OpenAI-compatible chat-completions endpoint (OpenAI, a local llama.cpp or vLLM server),
// used to name ICBM concepts (docs/method.md §4). Naming a few hundred nodes meets every way a remote call fails, so
// the client owns that: a timeout per attempt, bounded retries with seeded exponential backoff on timeouts,
// network errors, 429 (honouring Retry-After), 5xx and malformed replies, and a clear error otherwise.
// The API key is read from an environment variable and lives only in the Authorization header: it is
// never part of an error, a log line, a cache key or a file. Node 20's global fetch, no dependency.
import { hashSeed, mulberry32 } from '../data/random.js';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** A validated answer for one concept: a short name and the meaning of its two values. */
export interface ConceptReply {
  readonly name: string;
  readonly zero: string;
  readonly one: string;
}

/** Why a call failed: 'http' (a non-retryable status, or retries spent on 429/5xx), 'timeout', 'network', 'invalid-reply' (content that is not the JSON asked for), 'config'. */
export type LlmErrorKind = 'http' | 'timeout' | 'network' | 'invalid-reply' | 'config';

export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  /** The HTTP status of the last response, when there was one. */
  readonly status: number | undefined;
  /** Requests sent (0 for a configuration error). */
  readonly attempts: number;
  constructor(message: string, kind: LlmErrorKind, attempts: number, status?: number) {
    super(message);
    this.name = 'LlmError';
    this.kind = kind;
    this.attempts = attempts;
    this.status = status;
  }
}

/** What a retry is about to wait for (for progress lines and tests). */
export interface LlmRetryEvent {
  /** What the request was for, e.g. 'node 12'. */
  readonly what: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** Attempts allowed in all (retries + 1). */
  readonly maxAttempts: number;
  readonly delayMs: number;
  readonly reason: string;
}

export interface LlmClientOptions {
  /** The server's base URL (…/v1), or the full …/chat/completions URL. */
  readonly url: string;
  readonly model: string;
  /** The environment variable holding the API key (default OPENAI_API_KEY). Unset default: no Authorization header (local servers); an unset variable named here explicitly is an error. */
  readonly apiKeyEnv?: string;
  /** Where environment variables are read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Milliseconds one attempt may take, reading the body included (default 60,000). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default 4). */
  readonly retries?: number;
  /** First backoff in milliseconds (default 1,000); doubles per retry, with jitter in [50%, 100%]. */
  readonly backoffMs?: number;
  /** Largest backoff (default 30,000 ms). */
  readonly maxBackoffMs?: number;
  /** Largest wait a Retry-After header may ask for (default 60,000 ms). */
  readonly maxRetryAfterMs?: number;
  /** Send response_format {type: 'json_object'} (default true). A 400 or 422 that names it turns it off for this client (one extra request). */
  readonly responseFormat?: boolean;
  /** Seed of the backoff jitter (default 0). */
  readonly seed?: number;
  /** Injectable for tests: the wait between attempts, the clock (HTTP-date Retry-After) and fetch. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  readonly onRetry?: (event: LlmRetryEvent) => void;
}

export const DEFAULT_API_KEY_ENV = 'OPENAI_API_KEY';
export const DEFAULT_LLM_TIMEOUT_MS = 60_000;
export const DEFAULT_LLM_RETRIES = 4;
/** Longest accepted concept name and 0/1 meaning, in characters. */
export const CONCEPT_NAME_MAX_CHARS = 80;
export const CONCEPT_MEANING_MAX_CHARS = 200;

const JITTER_SALT = 0x11a7c0de;
const MESSAGE_PREVIEW_CHARS = 300;

/** `{url}/chat/completions`, or `url` itself when it already ends so; refuses what is not an http(s) URL. */
export function chatCompletionsUrl(url: string): string {
  if (typeof url !== 'string' || url.trim() === '') throw new LlmError(`LLM client: url must be an http(s) URL, got ${JSON.stringify(url)}`, 'config', 0);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new LlmError(`LLM client: url must be an http(s) URL, got '${url}'`, 'config', 0);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new LlmError(`LLM client: url must be an http(s) URL, got '${url}'`, 'config', 0);
  if (parsed.username !== '' || parsed.password !== '') throw new LlmError('LLM client: url must not hold credentials; put the API key in an environment variable (apiKeyEnv)', 'config', 0);
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith('/chat/completions') ? path : `${path}/chat/completions`;
  return parsed.toString();
}

function preview(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MESSAGE_PREVIEW_CHARS ? `${t.slice(0, MESSAGE_PREVIEW_CHARS)}…` : t;
}

/** The reply content without a ```json fence or a leading <think>…</think> block (reasoning models on llama.cpp). */
function unwrapContent(content: string): string {
  let t = content.trim();
  t = t.replace(/^<think>[\s\S]*?<\/think>/i, '').trim();
  const fence = /^```[A-Za-z]*[ \t]*\r?\n?([\s\S]*?)\r?\n?```$/.exec(t);
  return fence ? fence[1].trim() : t;
}

/**
 * Parses and validates a reply's content as {name, zero, one}: each a non-empty string (trimmed, inner
 * whitespace collapsed), the name at most CONCEPT_NAME_MAX_CHARS and the meanings CONCEPT_MEANING_MAX_CHARS.
 * Extra fields are ignored. Throws an LlmError ('invalid-reply') naming `what` and what was wrong.
 */
export function parseConceptReply(content: string, what: string): ConceptReply {
  const bad = (why: string) => new LlmError(`${what}: ${why}`, 'invalid-reply', 0);
  if (typeof content !== 'string') throw bad(`reply content must be a string, got ${content === null ? 'null' : typeof content}`);
  let value: unknown;
  try {
    value = JSON.parse(unwrapContent(content));
  } catch {
    throw bad(`reply content is not JSON: '${preview(content)}'`);
  }
  return validateConceptReply(value, what);
}

/** Validates an already parsed reply (also what the cache re-checks on reading). */
export function validateConceptReply(value: unknown, what: string): ConceptReply {
  const bad = (why: string) => new LlmError(`${what}: ${why}`, 'invalid-reply', 0);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`reply must be a JSON object {"name", "zero", "one"}, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  const obj = value as Record<string, unknown>;
  const missing = ['name', 'zero', 'one'].filter((k) => !(k in obj));
  if (missing.length > 0) throw bad(`reply JSON is missing ${missing.map((k) => `"${k}"`).join(', ')} (has ${Object.keys(obj).map((k) => `"${k}"`).join(', ') || 'no fields'})`);
  const field = (key: 'name' | 'zero' | 'one', max: number): string => {
    const v = obj[key];
    if (typeof v !== 'string') throw bad(`reply field "${key}" must be a string, got ${v === null ? 'null' : typeof v}`);
    const t = v.replace(/\s+/g, ' ').trim();
    if (t === '') throw bad(`reply field "${key}" is empty`);
    if (t.length > max) throw bad(`reply field "${key}" has ${t.length} characters, more than ${max}: '${preview(t)}'`);
    return t;
  };
  return { name: field('name', CONCEPT_NAME_MAX_CHARS), zero: field('zero', CONCEPT_MEANING_MAX_CHARS), one: field('one', CONCEPT_MEANING_MAX_CHARS) };
}

/** Milliseconds a Retry-After header asks for (delay-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const h = header.trim();
  if (h === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(h)) return Number(h) * 1000;
  const at = Date.parse(h);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The endpoint's own error message from a response body (OpenAI {error: {message}}, or {message}/{detail}/{error: "..."}), else the text. */
function endpointMessage(body: string): string {
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    const err = v?.error;
    if (typeof err === 'object' && err !== null && typeof (err as Record<string, unknown>).message === 'string') return preview((err as Record<string, string>).message);
    for (const k of ['error', 'message', 'detail']) if (typeof v?.[k] === 'string') return preview(v[k] as string);
  } catch { /* not JSON */ }
  return preview(body) || '(empty body)';
}

function checkNonNegativeInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0) throw new LlmError(`LLM client: ${name} must be an integer >= 0, got ${String(v)}`, 'config', 0);
  return v;
}

function checkPositive(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new LlmError(`LLM client: ${name} must be a finite number > 0, got ${String(v)}`, 'config', 0);
  return v;
}

interface Failure {
  readonly kind: LlmErrorKind;
  readonly reason: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
}

export class ChatCompletionsClient {
  /** The URL requests go to. */
  readonly endpoint: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly retries: number;
  /** Whether requests still carry response_format (turned off after a 400 that names it). */
  get sendsResponseFormat(): boolean {
    return this.#responseFormat;
  }
  /** HTTP requests sent so far (tests and summaries count them). */
  get requests(): number {
    return this.#requests;
  }

  readonly #apiKey: string | undefined;
  #responseFormat: boolean;
  #requests = 0;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #onRetry: ((e: LlmRetryEvent) => void) | undefined;

  constructor(options: LlmClientOptions) {
    if (typeof options !== 'object' || options === null) throw new LlmError('LLM client: options must be an object {url, model, ...}', 'config', 0);
    this.endpoint = chatCompletionsUrl(options.url);
    if (typeof options.model !== 'string' || options.model.trim() === '') throw new LlmError(`LLM client: model must be a non-empty string, got ${JSON.stringify(options.model)}`, 'config', 0);
    this.model = options.model.trim();
    const keyEnv = options.apiKeyEnv ?? DEFAULT_API_KEY_ENV;
    if (typeof keyEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyEnv)) throw new LlmError(`LLM client: apiKeyEnv must be an environment variable name, got ${JSON.stringify(keyEnv)}`, 'config', 0);
    const key = (options.env ?? process.env)[keyEnv];
    if ((key === undefined || key === '') && options.apiKeyEnv !== undefined) {
      throw new LlmError(`LLM client: the API key variable ${keyEnv} (apiKeyEnv) is not set or empty`, 'config', 0);
    }
    this.#apiKey = key === undefined || key === '' ? undefined : key;
    this.timeoutMs = checkPositive('timeoutMs', options.timeoutMs, DEFAULT_LLM_TIMEOUT_MS);
    this.retries = checkNonNegativeInt('retries', options.retries, DEFAULT_LLM_RETRIES);
    this.#backoffMs = checkPositive('backoffMs', options.backoffMs, 1000);
    this.#maxBackoffMs = checkPositive('maxBackoffMs', options.maxBackoffMs, 30_000);
    this.#maxRetryAfterMs = checkPositive('maxRetryAfterMs', options.maxRetryAfterMs, 60_000);
    this.#responseFormat = options.responseFormat ?? true;
    this.#random = mulberry32(hashSeed(JITTER_SALT, checkNonNegativeInt('seed', options.seed, 0)));
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#onRetry = options.onRetry;
  }

  /** Asks for a concept's name; `what` (e.g. 'node 12') prefixes every error. Resolves with a validated reply. */
  nameConcept(messages: readonly ChatMessage[], what: string): Promise<ConceptReply> {
    return this.completeJson(messages, (content) => parseConceptReply(content, what), what);
  }

  /**
   * Sends `messages` and returns `parse(content)` of the assistant message. Retries (up to `retries` times)
   * on timeouts, network errors, 408/429/5xx and on replies that are not a chat completion or that `parse`
   * rejects; other statuses fail at once with the endpoint's message.
   */
  async completeJson<T>(messages: readonly ChatMessage[], parse: (content: string) => T, what: string): Promise<T> {
    checkMessages(messages, what);
    const maxAttempts = this.retries + 1;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(messages, parse, what, attempt);
      if (outcome.ok) return outcome.value;
      const f = outcome.failure;
      if (attempt >= maxAttempts) {
        throw new LlmError(
          this.#redact(`${what}: no valid reply from ${this.endpoint} (model ${this.model}) after ${attempt} attempt${attempt === 1 ? '' : 's'}; last: ${f.reason}`),
          f.kind, attempt, f.status,
        );
      }
      const backoff = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** (attempt - 1)) * (0.5 + 0.5 * this.#random());
      const delayMs = Math.round(f.retryAfterMs === undefined ? backoff : Math.min(f.retryAfterMs, this.#maxRetryAfterMs));
      this.#onRetry?.({ what, attempt, maxAttempts, delayMs, reason: this.#redact(f.reason) });
      await this.#sleep(delayMs);
    }
  }

  async #attempt<T>(messages: readonly ChatMessage[], parse: (content: string) => T, what: string, attempt: number):
    Promise<{ ok: true; value: T } | { ok: false; failure: Failure }> {
    let res = await this.#post(messages);
    if ('failure' in res) return { ok: false, failure: res.failure };
    if ((res.status === 400 || res.status === 422) && this.#responseFormat && /response[_ ]?format/i.test(res.body)) {
      // llama.cpp and some vLLM builds refuse response_format; ask once more without it, and from now on.
      this.#responseFormat = false;
      res = await this.#post(messages);
      if ('failure' in res) return { ok: false, failure: res.failure };
    }
    const { status, body, retryAfter } = res;
    if (status < 200 || status >= 300) {
      const reason = `HTTP ${status}: ${endpointMessage(body)}`;
      if (status === 408 || status === 429 || status >= 500) {
        return { ok: false, failure: { kind: 'http', reason, status, retryAfterMs: parseRetryAfter(retryAfter, this.#now()) } };
      }
      throw new LlmError(this.#redact(`${what}: ${this.endpoint} refused the request (model ${this.model}): ${reason}`), 'http', attempt, status);
    }
    let content: unknown;
    try {
      const json = JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] };
      content = json?.choices?.[0]?.message?.content;
    } catch {
      return { ok: false, failure: { kind: 'invalid-reply', reason: `the response body is not JSON: '${preview(body)}'`, status } };
    }
    if (typeof content !== 'string') {
      return { ok: false, failure: { kind: 'invalid-reply', reason: `the response has no choices[0].message.content string: '${preview(body)}'`, status } };
    }
    try {
      return { ok: true, value: parse(content) };
    } catch (err) {
      const m = (err as Error).message;
      return { ok: false, failure: { kind: 'invalid-reply', reason: m.startsWith(`${what}: `) ? m.slice(what.length + 2) : m, status } };
    }
  }

  async #post(messages: readonly ChatMessage[]): Promise<{ status: number; body: string; retryAfter: string | null } | { failure: Failure }> {
    const body: Record<string, unknown> = { model: this.model, messages, temperature: 0 };
    if (this.#responseFormat) body.response_format = { type: 'json_object' };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    this.#requests++;
    try {
      const res = await this.#fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
      const text = await res.text();
      return { status: res.status, body: text, retryAfter: res.headers.get('retry-after') };
    } catch (err) {
      if (timedOut) return { failure: { kind: 'timeout', reason: `no response within ${this.timeoutMs} ms` } };
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const detail = e.cause?.code ?? e.cause?.message ?? e.message;
      return { failure: { kind: 'network', reason: `network error: ${detail}` } };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Removes the API key from any text leaving the client (an endpoint may echo it back). */
  #redact(text: string): string {
    const key = this.#apiKey;
    return key === undefined ? text : text.split(key).join('[redacted]');
  }
}

function checkMessages(messages: readonly ChatMessage[], what: string): void {
  if (!Array.isArray(messages) || messages.length === 0) throw new LlmError(`${what}: messages must be a non-empty array of {role, content}`, 'config', 0);
  messages.forEach((m, i) => {
    if (typeof m !== 'object' || m === null || !['system', 'user', 'assistant'].includes(m.role) || typeof m.content !== 'string') {
      throw new LlmError(`${what}: messages[${i}] must be {role: 'system'|'user'|'assistant', content: string}`, 'config', 0);
    }
  });
}
