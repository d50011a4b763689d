// The on-disk cache of LLM concept names: one JSON file per request, keyed by the sha256 of the endpoint
// URL, the model and the exact messages, so a rerun of `htaf icbm name` sends nothing and gives the same
// names (a paper's table should not change because a server sampled again). Only validated replies are
// stored, each written atomically; a file that is unreadable, does not match its request or no longer
// validates is a miss, not an answer. The API key is not part of the key or the files.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { validateConceptReply, type ChatMessage, type ConceptReply } from './llm_client.js';

/** The cache's folder inside a run folder. */
export const LLM_CACHE_DIR = 'llm-cache';
const CACHE_FORMAT = 'htaf-llm-cache/1';

/** What one cache file holds. */
export interface LlmCacheEntry {
  readonly format: string;
  readonly key: string;
  readonly endpoint: string;
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly reply: ConceptReply;
  readonly createdAt: string;
}

function request(endpoint: string, model: string, messages: readonly ChatMessage[]): string {
  // A JSON array frames the parts, so no two different requests serialize alike.
  return JSON.stringify([CACHE_FORMAT, endpoint, model, messages.map((m) => [m.role, m.content])]);
}

/** sha256 (hex) of the endpoint URL, the model and the exact messages (roles and contents, in order). */
export function llmCacheKey(endpoint: string, model: string, messages: readonly ChatMessage[]): string {
  return createHash('sha256').update(request(endpoint, model, messages), 'utf8').digest('hex');
}

export class LlmCache {
  /** Lookups answered from disk, and lookups that were not. */
  hits = 0;
  misses = 0;

  constructor(readonly dir: string) {
    if (typeof dir !== 'string' || dir === '') throw new Error(`LlmCache: dir must be a folder path, got ${JSON.stringify(dir)}`);
  }

  /** The file a request's reply is (or would be) kept in. */
  file(endpoint: string, model: string, messages: readonly ChatMessage[]): string {
    return join(this.dir, `${llmCacheKey(endpoint, model, messages)}.json`);
  }

  /** The stored reply to exactly this request, or undefined. */
  get(endpoint: string, model: string, messages: readonly ChatMessage[]): ConceptReply | undefined {
    const reply = this.#read(endpoint, model, messages);
    if (reply === undefined) this.misses++;
    else this.hits++;
    return reply;
  }

  #read(endpoint: string, model: string, messages: readonly ChatMessage[]): ConceptReply | undefined {
    const path = this.file(endpoint, model, messages);
    if (!existsSync(path)) return undefined;
    try {
      const entry = JSON.parse(readFileSync(path, 'utf8')) as LlmCacheEntry;
      if (entry?.format !== CACHE_FORMAT || request(entry.endpoint, entry.model, entry.messages) !== request(endpoint, model, messages)) return undefined;
      return validateConceptReply(entry.reply, `LlmCache ${path}`);
    } catch {
      return undefined; // unreadable or no longer valid: ask again, and the new reply replaces it
    }
  }

  /** Stores a reply, after validating it again (an invalid one throws and nothing is written). Returns the file. */
  put(endpoint: string, model: string, messages: readonly ChatMessage[], reply: ConceptReply): string {
    const valid = validateConceptReply(reply, 'LlmCache.put');
    const key = llmCacheKey(endpoint, model, messages);
    const entry: LlmCacheEntry = {
      format: CACHE_FORMAT, key, endpoint, model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      reply: { name: valid.name, zero: valid.zero, one: valid.one },
      createdAt: new Date().toISOString(),
    };
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `${key}.json`);
    writeBytesAtomically(path, JSON.stringify(entry, null, 2) + '\n', 'LlmCache.put');
    return path;
  }
}

/**
 * A concept's name from the cache, or else from the client (then stored). A failed or invalid reply throws
 * before anything is stored. `cached` says which it was.
 */
export async function cachedConceptReply(
  client: { readonly endpoint: string; readonly model: string; nameConcept(messages: readonly ChatMessage[], what: string): Promise<ConceptReply> },
  cache: LlmCache | undefined,
  messages: readonly ChatMessage[],
  what: string,
): Promise<{ reply: ConceptReply; cached: boolean }> {
  const hit = cache?.get(client.endpoint, client.model, messages);
  if (hit !== undefined) return { reply: hit, cached: true };
  const reply = await client.nameConcept(messages, what);
  cache?.put(client.endpoint, client.model, messages, reply);
  return { reply, cached: false };
}
