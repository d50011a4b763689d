// What stops a resume: the fields a checkpoint or journal was written with that differ from the ones given
// now. Values are compared as JSON. Used by the run state (run_state.ts) and the journal (journal.ts).

/** The keys (of `keys`, or of either object) whose values differ, in order. */
export function differingKeys<T extends object>(saved: T, now: T, keys?: readonly (keyof T & string)[]): string[] {
  const all = keys ?? [...new Set([...Object.keys(saved), ...Object.keys(now)])];
  return all.filter((k) => JSON.stringify((saved as Record<string, unknown>)[k]) !== JSON.stringify((now as Record<string, unknown>)[k]));
}

/** Each of `keys` whose value differs, as 'key: checkpoint X, now Y'. */
export function configDiff<T extends object>(keys: readonly (keyof T & string)[], checkpoint: T, now: T): string[] {
  return differingKeys(checkpoint, now, keys).map((k) => `${k}: checkpoint ${JSON.stringify((checkpoint as Record<string, unknown>)[k])}, now ${JSON.stringify((now as Record<string, unknown>)[k])}`);
}
