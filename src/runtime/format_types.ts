// The tensors of an .htafb file as the runtime holds them (format.ts reads them, plan.ts checks them).

export type RuntimeDtype = 'F32' | 'U8' | 'I32';

export interface RuntimeTensor {
  dtype: RuntimeDtype;
  shape: number[];
  data: Float32Array | Uint8Array | Int32Array;
}
