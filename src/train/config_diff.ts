// What stops a resume: the config fields a checkpoint was trained with that differ from the ones given now.

/** Each of `keys` whose value (compared as JSON) differs, as 'key: checkpoint X, now Y'. */
export function configDiff<T extends object>(keys: readonly (keyof T & string)[], checkpoint: T, now: T): string[] {
  return keys
    .filter((k) => JSON.stringify(checkpoint[k]) !== JSON.stringify(now[k]))
    .map((k) => `${k}: checkpoint ${JSON.stringify(checkpoint[k])}, now ${JSON.stringify(now[k])}`);
}
