"""Minimal safetensors writer/reader (no dependency on the `safetensors` package).

Format:
  8 bytes   little-endian u64 N = header length
  N bytes   UTF-8 JSON header, padded with spaces to a multiple of 8:
            {"name": {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}, ...,
             "__metadata__": {"key": "string"}}
            offsets are relative to the start of the data section
  rest      raw little-endian tensor data, packed in header order
"""

import json
import struct
import sys

import torch

_DTYPE_TO_STR = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}
_STR_TO_DTYPE = {v: k for k, v in _DTYPE_TO_STR.items()}

if sys.byteorder != "little":  # pragma: no cover
    raise RuntimeError("safetensors_io assumes a little-endian host")


def _tensor_bytes(t):
    t = t.detach()
    if t.device.type != "cpu":
        raise ValueError("tensor must be on CPU")
    t = t.contiguous()
    if t.dtype == torch.bool:
        # one byte per element, 0 or 1
        return t.to(torch.uint8).numpy().tobytes()
    return t.numpy().tobytes()


def encode(tensors, metadata=None):
    """tensors: dict name -> torch.Tensor (insertion order is kept). Returns bytes."""
    header = {}
    chunks = []
    offset = 0
    for name, t in tensors.items():
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name}: not a tensor")
        if t.dtype not in _DTYPE_TO_STR:
            raise TypeError(f"{name}: unsupported dtype {t.dtype}")
        if name == "__metadata__":
            raise ValueError("reserved name")
        b = _tensor_bytes(t)
        header[name] = {
            "dtype": _DTYPE_TO_STR[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(b)],
        }
        chunks.append(b)
        offset += len(b)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    pad = (-len(hbytes)) % 8
    hbytes += b" " * pad
    return struct.pack("<Q", len(hbytes)) + hbytes + b"".join(chunks)


def save_file(tensors, path, metadata=None):
    data = encode(tensors, metadata)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def decode(data):
    """Returns (dict name -> tensor in header order, metadata dict)."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    expected = 0
    for name, info in header.items():
        dt = _STR_TO_DTYPE[info["dtype"]]
        b, e = info["data_offsets"]
        if b != expected:
            raise ValueError(f"{name}: tensors not packed in order")
        expected = e
        raw = bytearray(data[base + b:base + e])
        shape = info["shape"]
        if dt == torch.bool:
            t = torch.frombuffer(raw, dtype=torch.uint8).to(torch.bool) if raw else torch.empty(0, dtype=torch.bool)
        else:
            t = torch.frombuffer(raw, dtype=dt) if raw else torch.empty(0, dtype=dt)
        out[name] = t.reshape(shape).clone()
    if base + expected != len(data):
        raise ValueError("trailing bytes after data section")
    return out, meta


def load_file(path):
    with open(path, "rb") as f:
        return decode(f.read())


def _selfcheck():
    g = torch.Generator().manual_seed(0)
    ts = {
        "f32": torch.randn(2, 3, generator=g),
        "f64": torch.randn(4, generator=g, dtype=torch.float64),
        "i64": torch.tensor([[1, -2], [3, 4]], dtype=torch.int64),
        "i32": torch.tensor([7, -8], dtype=torch.int32),
        "u8": torch.tensor([0, 255, 3], dtype=torch.uint8),
        "b": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
        "noncontig": torch.arange(6.0).reshape(2, 3).t(),
    }
    data = encode(ts, {"k": "v"})
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0
    back, meta = decode(data)
    assert meta == {"k": "v"}, meta
    assert list(back) == list(ts)
    for k, v in ts.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape, k
        assert torch.equal(back[k], v.contiguous()), k
    print("safetensors_io self-check OK")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        for p in sys.argv[1:]:
            ts, meta = load_file(p)
            print(p, "metadata:", meta)
            for k, v in ts.items():
                print(f"  {k}: {str(v.dtype).replace('torch.', '')} {list(v.shape)}")
    else:
        _selfcheck()
