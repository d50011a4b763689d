// Concept tools for ICBM: run data, naming (LLM client, candidates), explanations, interventions.
export type { IcbmRunData, IcbmRunMeta, ConceptName, ConceptNameSource } from './types.js';
// Run data on disk (run.json + concepts.safetensors + concept_names.json), validated on read.
export {
  writeIcbmRun, readIcbmRun, validateIcbmRun, writeConceptNames, readConceptNames,
  RUN_FILE, CONCEPTS_FILE, CONCEPT_NAMES_FILE, RUN_FORMAT, CONCEPT_NAMES_FORMAT, RUN_FORMAT_VERSION,
} from './run_data.js';
// Offline naming from a class × attribute CSV: each node's best attribute (or its complement) by Jaccard.
export {
  readAttributeTable, attributeTableFrom, candidateAttributes, jaccard, negateAttribute, matchCandidates, candidateName, nameByCandidates,
} from './candidates.js';
export type { AttributeTable, CandidateMatch, MatchCandidatesOptions, NameByCandidatesOptions } from './candidates.js';
// Explanations (Figure 5b) and concept interventions from one image's bits, and the Table 3 analog.
export {
  conceptModel, conceptModelFromRun, usualBit, headLogits, classEvidence, explainBits, intervene, formatExplanation, formatIntervention,
} from './explain.js';
export type { ConceptModel, ConceptModelParts, NodeEvidence, ClassEvidence, Explanation, ExplainOptions, Intervention } from './explain.js';
export { conceptTable, UNNAMED } from './concept_table.js';
export type { ConceptTable, ConceptTableRow, ConceptTableOptions } from './concept_table.js';
// Naming through an OpenAI-compatible chat-completions endpoint: the client (timeouts, retries with backoff,
// validated JSON replies, key from the environment), its on-disk cache, the prompts, and nameConcepts.
export {
  ChatCompletionsClient, LlmError, chatCompletionsUrl, parseConceptReply, validateConceptReply, parseRetryAfter,
  DEFAULT_API_KEY_ENV, DEFAULT_LLM_TIMEOUT_MS, DEFAULT_LLM_RETRIES, CONCEPT_NAME_MAX_CHARS, CONCEPT_MEANING_MAX_CHARS,
} from './llm_client.js';
export type { ChatMessage, ConceptReply, LlmClientOptions, LlmErrorKind, LlmRetryEvent } from './llm_client.js';
export { LlmCache, llmCacheKey, cachedConceptReply, LLM_CACHE_DIR } from './llm_cache.js';
export type { LlmCacheEntry } from './llm_cache.js';
export { nodeGroups, conceptMessages, ACTIVATION_THRESHOLD, CONCEPT_SYSTEM_PROMPT } from './prompts.js';
export type { NodeGroups } from './prompts.js';
export { nameConcepts, PROMPTS_DIR, PROMPT_FORMAT } from './naming.js';
export type { NameConceptsOptions, NameConceptsResult, NameConceptsSummary, NamingMode } from './naming.js';
