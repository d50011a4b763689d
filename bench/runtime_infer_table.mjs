// Summarizes bench/runtime_infer.sh's JSON lines: per model family and engine, the median images/s over
// the rounds, its ratio to libtorch's exact mode (float32) in the same rounds, the peak activation bytes
// per batch, and the file's weight bytes against float32.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const families = [...new Set(lines.map((l) => l.family))];
const engines = ['libtorch', 'onnxruntime', 'js', 'wasm', 'native'];
console.log('| model | engine | images/s | × libtorch | ms/batch | peak activation bytes | ones (first 3 step/LIF layers) |');
console.log('|---|---|---:|---:|---:|---:|---|');
for (const f of families) {
  const of = (e) => lines.filter((l) => l.family === f && l.engine === e);
  const base = median(of('libtorch').map((l) => l.images_per_second));
  for (const e of engines) {
    const runs = of(e);
    if (runs.length === 0) continue;
    const ips = median(runs.map((l) => l.images_per_second));
    const ones = runs[0].activity ? runs[0].activity.slice(0, 3).map((a) => a.ones.toFixed(3)).join(', ') : '';
    console.log(`| ${f} | ${e} | ${ips.toFixed(0)} | ${(ips / base).toFixed(2)} | ${median(runs.map((l) => l.ms_per_batch)).toFixed(1)} | ${runs[0].peak_activation_bytes} | ${ones} |`);
  }
}
console.log('\n| model | weights in the file (bytes) | the same as float32 | ratio |');
console.log('|---|---:|---:|---:|');
for (const f of families) {
  const l = lines.find((x) => x.family === f && x.parameter_bytes !== undefined);
  if (l) console.log(`| ${f} | ${l.parameter_bytes} | ${l.float32_parameter_bytes} | ${(l.float32_parameter_bytes / l.parameter_bytes).toFixed(1)} |`);
}
