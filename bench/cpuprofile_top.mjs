// Summarizes a V8 CPU profile (node --cpu-prof) by self time per function name: where an inference
// benchmark's time goes. A native kernel's time is charged to the JS function that calls it (the
// runtime's convBinary, step, … in src/runtime/kernels.ts), so the kernels show by name.
//   node --cpu-prof --cpu-prof-dir=DIR bin/htaf.js bench infer --model F.htafb --engine native ...
//   node bench/cpuprofile_top.mjs DIR/*.cpuprofile [--top 12]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '12' } } });
if (positionals.length !== 1) {
  console.error('usage: node bench/cpuprofile_top.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const sampled = new Map();
profile.samples.forEach((id, i) => sampled.set(id, (sampled.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const self = new Map();
for (const node of profile.nodes) {
  const frame = node.callFrame;
  const name = frame.functionName || `(${frame.url.split('/').pop() || frame.url || 'program'})`;
  self.set(name, (self.get(name) ?? 0) + (sampled.get(node.id) ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log('| function | self ms | share |');
console.log('|---|---:|---:|');
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`| ${name} | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% |`);
}
