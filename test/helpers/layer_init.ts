// PyTorch's seeded initial weights, read from test/golden/fixtures/layer_init.safetensors (written by
// /usr/bin/python3 tools/golden/layer_init_fixtures.py; each case's recipe is in the file's metadata).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSafetensors, type Tensor } from '../../src/index.js';

const FILE = join(import.meta.dirname, '../../../test/golden/fixtures/layer_init.safetensors');

/** One stored tensor as plain numbers (float32 and float64 values are exact as JS numbers). */
export interface GoldenValues {
  key: string;
  dtype: string;
  shape: number[];
  values: number[];
}

export interface LayerInitCase {
  /** The Python that made the case (metadata `recipe.<case>`). */
  recipe: string;
  /** The case's tensor names (without the `<case>.` prefix), in file order. */
  names: string[];
  get(name: string): GoldenValues;
}

/** The tensors `<caseName>.*` of the fixture, copied out as numbers; no tensor stays alive. */
export function layerInit(caseName: string): LayerInitCase {
  const { tensors, metadata } = loadSafetensors(FILE);
  const byName = new Map<string, GoldenValues>();
  try {
    for (const [key, t] of tensors) {
      if (!key.startsWith(caseName + '.')) continue;
      byName.set(key.slice(caseName.length + 1), { key, dtype: t.dtype, shape: [...t.shape], values: t.toFlatArray() as number[] });
    }
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  const recipe = metadata[`recipe.${caseName}`];
  assert.ok(recipe, `layer_init.safetensors has no case '${caseName}' (tools/golden/layer_init_fixtures.py)`);
  assert.ok(byName.size > 0, `layer_init.safetensors has no tensors for case '${caseName}'`);
  return {
    recipe,
    names: [...byName.keys()],
    get(name: string): GoldenValues {
      const v = byName.get(name);
      assert.ok(v, `layer_init.safetensors has no tensor '${caseName}.${name}'`);
      return v;
    },
  };
}

/**
 * Asserts that actual holds exactly PyTorch's values (bit for bit: the same generator, the same draws in
 * the same order). A tensor must also have the stored dtype and shape; plain numbers are compared flat.
 */
export function assertSameValues(actual: Tensor | number[], expected: GoldenValues, what = expected.key): void {
  let values: number[];
  if (Array.isArray(actual)) {
    values = actual;
  } else {
    assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
    assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
    values = actual.toFlatArray() as number[];
  }
  assert.equal(values.length, expected.values.length, `${what}: number of values`);
  const differ = values.reduce((n, v, i) => n + (Object.is(v, expected.values[i]) || v === expected.values[i] ? 0 : 1), 0);
  if (differ > 0) {
    const i = values.findIndex((v, j) => !(Object.is(v, expected.values[j]) || v === expected.values[j]));
    assert.fail(`${what}: ${differ} of ${values.length} values differ from PyTorch's (${expected.key}); first at flat index ${i}: got ${values[i]}, expected ${expected.values[i]}`);
  }
}
