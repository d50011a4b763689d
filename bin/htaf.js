#!/usr/bin/env node
// `npx htaf`: the CLI lives in src/cli (compiled to dist/).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
