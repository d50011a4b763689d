// Where the htaf package lives (the addon, the built-in datasets), found from this file's location so it
// works from the sources, from dist/ and from node_modules alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'htaf') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('htaf: cannot find the package root (package.json named "htaf") above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
