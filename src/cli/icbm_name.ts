// `htaf icbm name`: names the concepts of an ICBM run (docs/method.md §4, Table 3) through any OpenAI-compatible
// chat-completions endpoint (OpenAI, llama.cpp, vLLM ...), offline from a class × attribute table
// (--candidates), or writes the prompts only (--dry-run). The API key is read from the environment variable
// --api-key-env names, never from the command line (which shells and process lists keep). Progress goes
// to stderr; the names (a table, or one JSON line with --json) to stdout.
import { InvalidArgumentError, type Command } from 'commander';
import { readIcbmRun } from '../concepts/run_data.js';
import { nameConcepts, type NameConceptsOptions, type NameConceptsResult } from '../concepts/naming.js';
import { DEFAULT_API_KEY_ENV, DEFAULT_LLM_RETRIES, DEFAULT_LLM_TIMEOUT_MS } from '../concepts/llm_client.js';
import { nonNegativeInt, positiveInt } from './options.js';

interface IcbmNameOptions {
  run: string;
  nodes?: number[];
  topK?: number;
  llmUrl?: string;
  llmModel?: string;
  apiKeyEnv?: string;
  candidates?: string;
  dryRun?: boolean;
  timeoutMs: number;
  retries: number;
  json?: boolean;
}

/** `3,7,10-12` → [3, 7, 10, 11, 12]. */
export function nodeList(value: string): number[] {
  const bad = () => new InvalidArgumentError(`--nodes must be a comma-separated list of node indices or ranges (e.g. 3,7,10-12), got '${value}'`);
  const nodes: number[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw bad();
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || b < a || b - a > 1_000_000) throw bad();
    for (let j = a; j <= b; j++) nodes.push(j);
  }
  return nodes;
}

function table(rows: string[][]): string[] {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd());
}

function report(r: NameConceptsResult, o: IcbmNameOptions): string[] {
  const s = r.summary;
  const lines: string[] = [];
  const chosen = s.selection === 'all' ? `all ${s.nodes.length} nodes` : s.selection === 'top-k' ? `${s.nodes.length} nodes (each class's top ${o.topK} by importance)` : `${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'}`;
  if (s.mode === 'dry-run') {
    lines.push(`dry run: ${s.prompts} prompt${s.prompts === 1 ? '' : 's'} for ${chosen} written to ${s.promptsDir}; nothing was sent`);
  } else {
    if (r.names.length > 0) {
      const withScore = s.mode === 'candidates';
      lines.push(...table([
        ['node', 'concept', '0', '1', ...(withScore ? ['jaccard'] : [])],
        ...r.names.map((n) => [String(n.node), n.name, n.zero, n.one, ...(withScore ? [n.score === undefined ? '' : n.score.toFixed(3)] : [])]),
      ]));
    }
    const via = s.mode === 'llm' ? `${s.model} at ${s.endpoint} (${s.fromCache} from the cache, ${s.requests} request${s.requests === 1 ? '' : 's'} sent)` : `candidates in ${o.candidates}`;
    lines.push(`named ${s.named} of ${chosen} with ${via}`);
    if (s.namesFile !== undefined) lines.push(`saved: ${s.namesFile}`);
  }
  if (s.constant.length > 0) lines.push(`constant (all classes on one side), not named: ${s.constant.join(', ')}`);
  for (const f of s.failed) lines.push(`not named: node ${f.node}: ${f.error}`);
  return lines;
}

async function runIcbmName(o: IcbmNameOptions): Promise<void> {
  const at = 'htaf icbm name';
  if (o.nodes !== undefined && o.topK !== undefined) throw new Error(`${at}: give --nodes or --top-k, not both`);
  if ((o.llmUrl === undefined) !== (o.llmModel === undefined)) throw new Error(`${at}: --llm-url and --llm-model go together (got only ${o.llmUrl === undefined ? '--llm-model' : '--llm-url'})`);
  if (o.apiKeyEnv !== undefined && o.llmUrl === undefined) throw new Error(`${at}: --api-key-env is for --llm-url; there is no endpoint to send a key to`);
  if (o.llmUrl === undefined && o.candidates === undefined && !o.dryRun) {
    throw new Error(`${at}: nothing to name with: give --llm-url URL --llm-model NAME, --candidates FILE (offline), or --dry-run (prompts only)`);
  }
  let result: NameConceptsResult;
  try {
    const run = readIcbmRun(o.run);
    const options: NameConceptsOptions = {
      dir: o.run,
      ...(o.nodes !== undefined ? { nodes: o.nodes } : {}),
      ...(o.topK !== undefined ? { topK: o.topK } : {}),
      ...(o.llmUrl !== undefined ? {
        llm: {
          url: o.llmUrl, model: o.llmModel!, timeoutMs: o.timeoutMs, retries: o.retries,
          ...(o.apiKeyEnv !== undefined ? { apiKeyEnv: o.apiKeyEnv } : {}),
        },
      } : {}),
      ...(o.candidates !== undefined ? { candidatesFile: o.candidates } : {}),
      ...(o.dryRun ? { dryRun: true } : {}),
      onProgress: (line) => process.stderr.write(`${line}\n`),
    };
    result = await nameConcepts(run, options);
  } catch (err) {
    throw new Error(`${at}: ${(err as Error).message}`);
  }
  if (o.json) console.log(JSON.stringify({ names: result.names, summary: result.summary }));
  else console.log(report(result, o).join('\n'));
  if (result.summary.mode === 'llm' && result.summary.failed.length > 0) {
    const nodes = result.summary.failed.map((f) => f.node);
    throw new Error(`${at}: ${nodes.length} node${nodes.length === 1 ? '' : 's'} not named (no valid reply): ${nodes.join(', ')}; the others were saved`);
  }
}

/** Adds `name` to the `htaf icbm` command. */
export function registerIcbmName(icbm: Command): void {
  icbm
    .command('name')
    .description('name concepts through an OpenAI-compatible chat-completions endpoint (cached), offline with --candidates, or write the prompts with --dry-run')
    .requiredOption('--run <dir>', 'the ICBM run folder (htaf icbm train --out)')
    .option('--nodes <list>', 'nodes to name, e.g. 3,7,10-12 (default: all)', nodeList)
    .option('--top-k <k>', "name each class's k most important nodes (|head weight|)", positiveInt('--top-k'))
    .option('--llm-url <url>', 'OpenAI-compatible endpoint: base URL (…/v1) or the full …/chat/completions URL')
    .option('--llm-model <name>', 'model name the endpoint serves')
    .option('--api-key-env <var>', `environment variable holding the API key (default ${DEFAULT_API_KEY_ENV}; unset: no key, as local servers need)`)
    .option('--candidates <file>', 'class × attribute CSV: names offline by Jaccard match; with --llm-url, its attributes are offered to the model as candidates')
    .option('--dry-run', 'write the prompts to <run>/prompts/node-<j>.json and call nothing')
    .option('--timeout-ms <ms>', 'time one request may take', positiveInt('--timeout-ms'), DEFAULT_LLM_TIMEOUT_MS)
    .option('--retries <n>', 'retries on timeouts, 429/5xx and malformed replies', nonNegativeInt('--retries'), DEFAULT_LLM_RETRIES)
    .option('--json', 'print {names, summary} as one JSON line')
    .action((o: IcbmNameOptions) => runIcbmName(o));
}
