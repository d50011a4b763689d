// Scoring a CSV with an exported tabular model: the rows are encoded by the preprocessing fitted in
// training (it travels in the .htafb file), then run by the dependency-free runtime. Behind `htaf predict`.
import { readFileSync } from 'node:fs';
import { readCsv } from '../data/csv.js';
import { preprocessorFromJSON } from '../data/preprocess.js';
import { jsKernels, loadModel, type Kernels, type Prediction, type RuntimeModel } from '../runtime/index.js';

export interface ScoredRows {
  model: RuntimeModel;
  prediction: Prediction;
  /** Per row, the true class index or target value when the CSV holds the target column (NaN otherwise). */
  target: Float32Array;
  /** Share of rows whose predicted class is the true one (classification with a target column). */
  accuracy?: number;
  /** The target's unscaling, for regression outputs in the target's units. */
  unscale: (v: number) => number;
}

/** Reads the model, encodes `csvFile`'s rows as in training, and predicts them. */
export function scoreCsv(modelFile: string, csvFile: string, kernels: Kernels = jsKernels): ScoredRows {
  const model = loadModel(new Uint8Array(readFileSync(modelFile)), { kernels });
  const pre = model.info().metadata.preprocessor;
  if (pre === undefined) throw new Error(`htaf predict --model '${modelFile}': the model holds no preprocessing (only tabular exports score CSV rows)`);
  const preprocessor = preprocessorFromJSON(JSON.parse(pre));
  const encoded = preprocessor.encodeTable(readCsv(csvFile));
  if (encoded.features !== model.graph.input[0] || model.graph.kind !== 'mlp') throw new Error(`htaf predict: ${csvFile} encodes to ${encoded.features} features, the model takes [${model.graph.input}]`);
  const prediction = model.predict(encoded.x, encoded.rows);
  const result: ScoredRows = { model, prediction, target: encoded.y, unscale: (v) => preprocessor.unscaleTarget(v) };
  if (prediction.classes && encoded.rows > 0 && !Number.isNaN(encoded.y[0])) {
    let right = 0;
    for (let i = 0; i < encoded.rows; i++) if (prediction.classes[i] === encoded.y[i]) right++;
    result.accuracy = right / encoded.rows;
  }
  return result;
}
