// Concept tools for ICBM: run data, naming (LLM client, candidates), explanations, interventions.
export type { IcbmRunData, IcbmRunMeta, ConceptName, ConceptNameSource } from './types.js';
