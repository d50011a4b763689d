// JSON files written atomically (src/io/atomic_file.ts).
import { writeBytesAtomically } from '../io/atomic_file.js';

export function writeJsonAtomically(path: string, value: unknown): void {
  writeBytesAtomically(path, JSON.stringify(value, null, 2) + '\n', 'write JSON');
}
