"""Writes test/golden/fixtures/safetensors_io_small.safetensors with safetensors_io.py.

test/unit/safetensors.test.ts checks that htaf's writer produces these exact bytes for the same
tensors and metadata (and that htaf reads them). Values are simple closed forms so the test can
rebuild them without the file. Run with Debian's python3:
    /usr/bin/python3 tools/golden/make_safetensors_io_fixture.py
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "golden", "fixtures",
                   "safetensors_io_small.safetensors")


def tensors():
    return {
        "f32": (torch.arange(6, dtype=torch.float32) * 0.5 - 1.25).reshape(2, 3),
        "f64": torch.tensor([1.0 / 3.0, -2.5e-300, 1e300, 0.0], dtype=torch.float64),
        "i64": torch.tensor([[1, -2], [3, -(2 ** 40)]], dtype=torch.int64),
        "i32": torch.tensor([7, -8, 2 ** 31 - 1], dtype=torch.int32),
        "u8": torch.tensor([0, 255, 3], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True, True]),
        "10": torch.tensor([10.0, 20.0], dtype=torch.float32),  # integer-like name: order must still be kept
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
        "t\u00e9/\u03b1.weight": torch.tensor([[1.5], [-1.5]]),  # non-ASCII name (escaped as Python does)
        "transposed": torch.arange(6.0).reshape(2, 3).t(),  # written contiguous: 0 3 1 4 2 5
    }


METADATA = {"format": "pt", "note": "caf\u00e9 \"quoted\" \\ tab\t end", "json": '{"a": [1, 2]}'}

if __name__ == "__main__":
    n = safetensors_io.save_file(tensors(), OUT, METADATA)
    back, meta = safetensors_io.load_file(OUT)
    assert meta == METADATA and list(back) == list(tensors())
    print(f"wrote {os.path.normpath(OUT)} ({n} bytes)")
