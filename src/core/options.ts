// The options-object check every layer uses, so a typo in an option name ({ pading: 1 }, weight_decay)
// fails at once, naming the owner and the allowed names, instead of being silently ignored.
import { showValue } from './show.js';

/** Throws `${owner}: unknown ${noun} '${key}'; allowed: a, b` for the first key of `obj` that is not allowed. */
export function checkKnownKeys(owner: string, obj: object, allowed: readonly string[], noun = 'option'): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new Error(`${owner}: unknown ${noun} '${key}'; allowed: ${allowed.join(', ')}`);
  }
}

/**
 * An options argument: undefined reads as {}; anything but an object (null, an array, a number, a string)
 * is refused (`${owner}: the options argument must be an object with any of: a, b; got ...`), and so is
 * an unknown key (checkKnownKeys). Returns the object itself.
 */
export function checkOptionsObject<T extends object>(owner: string, options: T | undefined, allowed: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${owner}: the options argument must be an object with any of: ${allowed.join(', ')}; got ${showValue(options)}`);
  }
  checkKnownKeys(owner, options, allowed);
  return options;
}

/**
 * An error about one option of a library call, with the option's name and what is wrong kept apart:
 * its message is `${owner}: ${option} ${detail}` (`buildImageModel: depth must be 6n + 4 ...; got 12`),
 * and a command line that took the option from a flag says `--depth must be ...` from the fields, without
 * parsing the message.
 */
export class OptionError extends Error {
  constructor(readonly owner: string, readonly option: string, readonly detail: string) {
    super(`${owner}: ${option} ${detail}`);
  }
}
