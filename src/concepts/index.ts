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
