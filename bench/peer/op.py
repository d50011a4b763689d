#!/usr/bin/python3
"""PyTorch peer for htaf's activation micro-benchmark (CPU, eager mode).

  /usr/bin/python3 bench/peer/op.py --op htaf|ss|ste|relu [--shape 128,64,28,28] \
      [--steps N] [--threads T] [--warmup N]

One timed step = forward of the composed activation (as in step.py: htaf =
sigmoid(11*tanh(2x)), ss = sigmoid(22x), ste = sigmoid-surrogate k=4 by the detach trick,
relu) on a random float32 tensor with requires_grad, then backward with a ones-like
gradient generated beforehand. Prints one JSON line with "ms_fwd_bwd" (median).
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

if __name__ == "__main__":
    # OpenBLAS reads its thread count when loaded: set it before step.py imports torch.
    for _i, _a in enumerate(sys.argv[1:]):
        _v = sys.argv[_i + 2] if _a == "--threads" and _i + 2 < len(sys.argv) else (
            _a.split("=", 1)[1] if _a.startswith("--threads=") else None)
        if _v is not None:
            os.environ["OPENBLAS_NUM_THREADS"] = _v
            os.environ["OMP_NUM_THREADS"] = _v

import torch  # noqa: E402
from step import ACTIVATIONS, blas_info, timing_stats  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--op", choices=sorted(ACTIVATIONS), required=True)
    p.add_argument("--shape", default="128,64,28,28")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    shape = [int(s) for s in a.shape.split(",") if s]

    torch.set_num_threads(a.threads)
    blas = blas_info(a.threads)
    torch.manual_seed(a.seed)
    act = ACTIVATIONS[a.op]()
    x = torch.randn(*shape, requires_grad=True)
    gy = torch.ones_like(x)

    def step():
        x.grad = None
        y = act(x)
        y.backward(gy)

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)

    res = {
        "impl": "pytorch",
        "op": a.op,
        "shape": shape,
        "numel": x.numel(),
        "steps": a.steps,
        "warmup": a.warmup,
        "threads": a.threads,
        "ms_fwd_bwd": round(statistics.median(times), 4),
    }
    res.update(timing_stats(times))
    res.update({
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "blas": blas["name"] + (f"-{blas['variant']}" if blas.get("variant") else ""),
    })
    print(json.dumps(res))


if __name__ == "__main__":
    main()
