// Checks on the errors the API throws: an Error whose message holds every given part.
import assert from 'node:assert/strict';

/** Asserts fn throws an Error whose message contains every part (strings verbatim, or matching RegExps). */
export function throwsWith(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  let message = '';
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error, 'an Error');
    message = err.message;
    return true;
  });
  for (const p of parts) {
    if (typeof p === 'string') assert.ok(message.includes(p), `message ${JSON.stringify(message)} should include ${JSON.stringify(p)}`);
    else assert.match(message, p);
  }
}
