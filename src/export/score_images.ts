// Scoring images with an exported image model (htaf predict --dataset | --images): the pixels are
// standardized with the run's statistics (they travel in the file) and run through the runtime in
// batches, so memory stays bounded however many images there are.
import type { ImageDataset } from '../data/images/index.js';
import type { RuntimeModel } from '../runtime/index.js';

export interface ScoredImages {
  classes: Int32Array;
  /** rows × classes logits. */
  logits: Float32Array;
  /** Share of images whose predicted class is the label (when labels are known). */
  accuracy?: number;
  /** Per step/LIF layer, the share of ones over all the images. */
  activity: { layer: string; ones: number }[];
  peakActivationBytes: number;
}

/** Predicts every image of `ds` (labels < 0 count as unknown) in batches of `batch`. */
export function scoreImages(model: RuntimeModel, ds: ImageDataset, batch = 256, where = 'htaf predict'): ScoredImages {
  const g = model.graph;
  if (g.kind !== 'image') throw new Error(`${where}: the model is a tabular one; score it with --data FILE.csv`);
  const [c, h, w] = g.input;
  if (ds.channels !== c || ds.height !== h || ds.width !== w) {
    throw new Error(`${where}: the images are ${ds.channels}×${ds.height}×${ds.width}; the model takes ${c}×${h}×${w}`);
  }
  const n = ds.labels.length;
  const per = c * h * w;
  const classes = new Int32Array(n);
  const logits = new Float32Array(n * g.outputs);
  const ones = new Map<string, number>();
  let peak = 0;
  for (let start = 0; start < n; start += batch) {
    const rows = Math.min(batch, n - start);
    const p = model.predict(model.standardize(ds.images.subarray(start * per, (start + rows) * per), rows), rows);
    classes.set(p.classes!, start);
    logits.set(p.outputs, start * g.outputs);
    for (const a of p.activity) ones.set(a.layer, (ones.get(a.layer) ?? 0) + a.ones * rows);
    peak = Math.max(peak, p.peakActivationBytes);
  }
  let known = 0;
  let right = 0;
  for (let i = 0; i < n; i++) {
    if (ds.labels[i] < 0) continue;
    known++;
    if (classes[i] === ds.labels[i]) right++;
  }
  return {
    classes, logits, ...(known === n && n > 0 ? { accuracy: right / n } : {}),
    activity: [...ones].map(([layer, s]) => ({ layer, ones: s / n })), peakActivationBytes: peak,
  };
}
