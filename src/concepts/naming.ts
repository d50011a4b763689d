// Naming ICBM concepts (docs/method.md §4, Table 3) for `htaf icbm name`: picks the nodes (a list, each class's
// top-k by importance, or all), splits the classes of each node by class specificity, and names it through
// an OpenAI-compatible LLM (cached on disk, so a rerun sends nothing), offline from a class × attribute
// table (candidates.ts), or writes the prompts only (dry run). Names are merged into the run's
// concept_names.json, which the report and explanations read.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { classSpecificity, importance, topNodes } from '../metrics/concepts.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { ChatCompletionsClient, LlmError, chatCompletionsUrl, type ChatMessage, type LlmClientOptions } from './llm_client.js';
import { LLM_CACHE_DIR, LlmCache, cachedConceptReply, llmCacheKey } from './llm_cache.js';
import { conceptMessages, nodeGroups, type NodeGroups } from './prompts.js';
import { CONCEPT_NAMES_FILE, writeConceptNames } from './run_data.js';
import { candidateAttributes, nameByCandidates } from './candidates.js';
import type { ConceptName, IcbmRunData } from './types.js';

/** The dry run's folder inside a run folder. */
export const PROMPTS_DIR = 'prompts';
export const PROMPT_FORMAT = 'htaf-concept-prompt';

export interface NameConceptsOptions {
  /** The run folder: names are merged into its concept_names.json; prompts/ and llm-cache/ go there. */
  readonly dir: string;
  /** Name these nodes (each in [0, M)). */
  readonly nodes?: readonly number[];
  /** Or name the union of every class's k most important nodes (|w[c][j]| of the head). Neither: all nodes. */
  readonly topK?: number;
  /** Name through this endpoint and model (with candidates as hints in the prompt when candidatesFile is given too). */
  readonly llm?: LlmClientOptions;
  /** A class × attribute table: without `llm`, names each node by the attribute whose classes match its own best (Jaccard). */
  readonly candidatesFile?: string;
  /** Write the prompts to <dir>/prompts/node-<j>.json and call nothing. */
  readonly dryRun?: boolean;
  /** Where replies are cached (default <dir>/llm-cache); null: no cache. */
  readonly cacheDir?: string | null;
  /** One line per node and per retry, for long runs. */
  readonly onProgress?: (line: string) => void;
}

export type NamingMode = 'llm' | 'candidates' | 'dry-run';

export interface NameConceptsSummary {
  readonly mode: NamingMode;
  /** How the nodes were chosen. */
  readonly selection: 'nodes' | 'top-k' | 'all';
  /** The nodes chosen, ascending. */
  readonly nodes: readonly number[];
  /** Which images the class groups come from (the training images when the run has any). */
  readonly groupsFrom: 'train' | 'test';
  /** Nodes named in this call. */
  readonly named: number;
  /** Nodes whose classes fall in one group only: nothing to name, not sent. */
  readonly constant: readonly number[];
  /** Nodes left unnamed: no valid reply, or no attribute for candidates. */
  readonly failed: readonly { readonly node: number; readonly error: string }[];
  /** LLM: replies from the cache, and HTTP requests sent. */
  readonly fromCache: number;
  readonly requests: number;
  readonly endpoint?: string;
  readonly model?: string;
  readonly cacheDir?: string;
  /** Dry run: where the prompts went, and how many. */
  readonly promptsDir?: string;
  readonly prompts?: number;
  /** The names file, when names were written. */
  readonly namesFile?: string;
  readonly seconds: number;
}

export interface NameConceptsResult {
  /** The names this call produced, by node. */
  readonly names: ConceptName[];
  readonly summary: NameConceptsSummary;
}

function chooseNodes(run: IcbmRunData, o: NameConceptsOptions): { selection: NameConceptsSummary['selection']; nodes: number[] } {
  const m = run.meta.concepts;
  const k = run.meta.classes.length;
  if (o.nodes !== undefined && o.topK !== undefined) throw new Error('nameConcepts: give nodes or topK, not both');
  if (o.nodes !== undefined) {
    if (!Array.isArray(o.nodes) || o.nodes.length === 0) throw new Error('nameConcepts: nodes must be a non-empty array of node indices');
    for (const j of o.nodes) {
      if (!Number.isInteger(j) || j < 0 || j >= m) throw new Error(`nameConcepts: node ${String(j)} is not in [0, ${m - 1}] (the run has M = ${m} concepts)`);
    }
    return { selection: 'nodes', nodes: [...new Set(o.nodes)].sort((a, b) => a - b) };
  }
  if (o.topK !== undefined) {
    if (!Number.isInteger(o.topK) || o.topK <= 0) throw new Error(`nameConcepts: topK must be a positive integer, got ${String(o.topK)}`);
    const imp = importance(run.headWeight, k, m);
    const chosen = new Set<number>();
    for (let c = 0; c < k; c++) for (const j of topNodes(imp, c, o.topK, m)) chosen.add(j);
    return { selection: 'top-k', nodes: [...chosen].sort((a, b) => a - b) };
  }
  return { selection: 'all', nodes: Array.from({ length: m }, (_, j) => j) };
}

function modeOf(o: NameConceptsOptions): NamingMode {
  if (o.dryRun) return 'dry-run';
  if (o.llm !== undefined) return 'llm';
  if (o.candidatesFile !== undefined) return 'candidates';
  throw new Error('nameConcepts: nothing to name with: give llm {url, model}, a candidatesFile, or dryRun');
}

function promptFile(dir: string, node: number): string {
  return join(dir, `node-${node}.json`);
}

/**
 * Names the chosen concepts of an ICBM run. Nodes whose classes all fall on one side are reported as
 * constant and skipped. With an LLM, a node whose replies never validate is reported in `failed` and the
 * others go on; any other failure (a refused request, retries spent on timeouts or 5xx) stops the call
 * after writing the names obtained so far (their replies are cached, so a rerun resumes). Names are merged
 * into <dir>/concept_names.json by node.
 */
export async function nameConcepts(run: IcbmRunData, options: NameConceptsOptions): Promise<NameConceptsResult> {
  const t0 = Date.now();
  if (typeof options?.dir !== 'string' || options.dir === '') throw new Error('nameConcepts: dir (the run folder) is required');
  const mode = modeOf(options);
  const { selection, nodes } = chooseNodes(run, options);
  const m = run.meta.concepts;
  const classes = run.meta.classes;
  const groupsFrom = run.trainLabels.length > 0 ? 'train' : 'test';
  const q = groupsFrom === 'train'
    ? classSpecificity(run.trainBits, run.trainLabels, m, classes.length)
    : classSpecificity(run.testBits, run.testLabels, m, classes.length);
  const groups = nodes.map((j) => nodeGroups(q, classes, m, j));
  const constant = groups.filter((g) => g.constant).map((g) => g.node);
  const live = groups.filter((g) => !g.constant);
  const progress = options.onProgress ?? (() => {});
  const base = { mode, selection, nodes, groupsFrom, constant } as const;
  if (constant.length > 0) progress(`constant (all classes on one side), not named: node${constant.length > 1 ? 's' : ''} ${constant.join(', ')}`);

  if (mode === 'candidates') {
    const names = nameByCandidates(run, options.candidatesFile!, { nodes: live.map((g) => g.node), specificity: q });
    const namedNodes = new Set(names.map((n) => n.node));
    const failed = live.filter((g) => !namedNodes.has(g.node)).map((g) => ({ node: g.node, error: 'no attribute matches its classes (Jaccard 0 for every attribute and its complement)' }));
    if (names.length > 0) writeConceptNames(options.dir, names);
    for (const n of names) progress(`node ${n.node}: ${n.name} [0: ${n.zero}; 1: ${n.one}] (Jaccard ${n.score?.toFixed(3) ?? 'n/a'})`);
    return {
      names,
      summary: {
        ...base, named: names.length, failed, fromCache: 0, requests: 0,
        ...(names.length > 0 ? { namesFile: join(options.dir, CONCEPT_NAMES_FILE) } : {}), seconds: (Date.now() - t0) / 1000,
      },
    };
  }

  const candidates = options.candidatesFile === undefined ? [] : candidateAttributes(options.candidatesFile);
  const messagesOf = (g: NodeGroups): ChatMessage[] => conceptMessages(g, candidates);

  if (mode === 'dry-run') {
    const promptsDir = join(options.dir, PROMPTS_DIR);
    mkdirSync(promptsDir, { recursive: true });
    // Resolved as the client would, without reading the key: a dry run needs none.
    const endpoint = options.llm === undefined ? undefined : chatCompletionsUrl(options.llm.url);
    const model = options.llm?.model?.trim();
    for (const g of live) {
      const messages = messagesOf(g);
      const prompt = {
        format: PROMPT_FORMAT, node: g.node, activated: g.activated, unactivated: g.unactivated, candidates, messages,
        ...(endpoint !== undefined && model ? { endpoint, model, cacheKey: llmCacheKey(endpoint, model, messages) } : {}),
      };
      writeBytesAtomically(promptFile(promptsDir, g.node), JSON.stringify(prompt, null, 2) + '\n', 'nameConcepts (dry run)');
    }
    progress(`dry run: ${live.length} prompt${live.length === 1 ? '' : 's'} written to ${promptsDir}; nothing sent`);
    return {
      names: [],
      summary: { ...base, named: 0, failed: [], fromCache: 0, requests: 0, promptsDir, prompts: live.length, seconds: (Date.now() - t0) / 1000 },
    };
  }

  // LLM
  const onRetry = options.llm!.onRetry;
  const client = new ChatCompletionsClient({
    ...options.llm!,
    onRetry: (e) => {
      progress(`${e.what}: attempt ${e.attempt}/${e.maxAttempts} failed (${e.reason}); retrying in ${(e.delayMs / 1000).toFixed(1)} s`);
      onRetry?.(e);
    },
  });
  const cacheDir = options.cacheDir === null ? undefined : options.cacheDir ?? join(options.dir, LLM_CACHE_DIR);
  const cache = cacheDir === undefined ? undefined : new LlmCache(cacheDir);
  const names: ConceptName[] = [];
  const failed: { node: number; error: string }[] = [];
  let fromCache = 0;
  const summary = (): NameConceptsSummary => ({
    ...base, named: names.length, failed, fromCache, requests: client.requests, endpoint: client.endpoint, model: client.model,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    ...(names.length > 0 ? { namesFile: join(options.dir, CONCEPT_NAMES_FILE) } : {}), seconds: (Date.now() - t0) / 1000,
  });
  for (const [i, g] of live.entries()) {
    const what = `node ${g.node}`;
    try {
      const { reply, cached } = await cachedConceptReply(client, cache, messagesOf(g), what);
      if (cached) fromCache++;
      names.push({ node: g.node, name: reply.name, zero: reply.zero, one: reply.one, source: 'llm' });
      progress(`${what} (${i + 1}/${live.length}): ${reply.name} [0: ${reply.zero}; 1: ${reply.one}]${cached ? ' (cached)' : ''}`);
    } catch (err) {
      if (err instanceof LlmError && err.kind === 'invalid-reply') {
        const error = err.message.startsWith(`${what}: `) ? err.message.slice(what.length + 2) : err.message;
        failed.push({ node: g.node, error });
        progress(`${what} (${i + 1}/${live.length}): not named: ${error}`);
        continue;
      }
      if (names.length > 0) writeConceptNames(options.dir, names);
      const n = names.length;
      const kept = n > 0 ? `the ${n} name${n === 1 ? '' : 's'} obtained before it ${n === 1 ? 'is' : 'are'} saved in ${join(options.dir, CONCEPT_NAMES_FILE)}` : 'no names were written';
      throw new Error(`nameConcepts: stopped at ${(err as Error).message}; ${kept}${cache !== undefined ? ' (replies are cached: a rerun resumes)' : ''}`);
    }
  }
  if (names.length > 0) writeConceptNames(options.dir, names);
  return { names, summary: summary() };
}
