/** Element types, spelled as the API and error messages spell them. */
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** 'cpu', 'cuda' or 'cuda:N'. CUDA needs htaf built against a CUDA libtorch (LIBTORCH=...). */
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

export type Reduction = 'none' | 'mean' | 'sum';

/** An opaque native tensor handle (a tagged JS object wrapping the native tensor). Only src/core, src/tensor and the layers that bind ops touch it. */
export type NativeHandle = object & { readonly __htafNativeHandle: unique symbol };

export const DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
