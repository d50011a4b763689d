#!/usr/bin/python3
"""PyTorch peer for `htaf bench step --nproc N --data fashion-mnist` (CPU, eager, torch.distributed gloo).

  /usr/bin/python3 bench/peer/ddp_step.py --model wrn --depth 16 --widen 1 --activation htaf \
      [--nproc N] [--batch 128] [--steps N] [--warmup N] [--threads T]

The model, activation and Adam(lr=1e-3) step are bench/peer/step.py's. --batch is the global batch: each
of N processes trains on batch/N images, wrapped in torch.nn.parallel.DistributedDataParallel (gloo,
a FileStore rendezvous in a temporary folder, PyTorch's defaults: 25 MiB buckets, broadcast_buffers).
With N = 1 the model is not wrapped. The images are htaf's (src/bench/step_batches.ts): batch k of rank r
holds the Fashion-MNIST training images k*B + r*B/N ... (mod 60000), scaled to [0, 1] and normalized with
mean 0.286 and std 0.353. Rank 0 prints one JSON line: the median time per step and images/s.
"""

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from step import _thread_env_from_argv  # noqa: E402

if __name__ == "__main__":
    _thread_env_from_argv(sys.argv[1:])

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from step import make_model  # noqa: E402

FASHION = os.environ.get("HTAF_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(name, offset):
    path = os.path.join(FASHION, name)
    opener = gzip.open if path.endswith(".gz") else open
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path, opener = path + ".gz", gzip.open
    with opener(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def batches(rows, count, rank, world):
    images = read_idx("train-images-idx3-ubyte", 16).reshape(-1, 28 * 28)
    labels = read_idx("train-labels-idx1-ubyte", 8)
    n = len(labels)
    out = []
    for k in range(count):
        idx = (k * rows * world + rank * rows + np.arange(rows)) % n
        x = torch.from_numpy(((images[idx].astype(np.float32) / 255 - 0.286) / 0.353).reshape(rows, 1, 28, 28))
        y = torch.from_numpy(labels[idx].astype(np.int64))
        out.append((x, y))
    return out


def worker(rank, a, store):
    torch.set_num_threads(a.threads)
    world = a.nproc
    if world > 1:
        dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=world)
    torch.manual_seed(a.seed)
    model = make_model("wrn", a.activation, a.depth, a.widen)
    net = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = batches(a.batch // world, a.warmup + a.steps, rank, world)

    def step(k):
        x, y = data[k]
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()  # DDP all-reduces the gradient buckets during backward
        opt.step()

    for k in range(a.warmup):
        step(k)
    times = []
    for k in range(a.steps):
        t0 = time.perf_counter()
        step(a.warmup + k)
        times.append((time.perf_counter() - t0) * 1e3)
    if rank == 0:
        ms = statistics.median(times)
        print(json.dumps({
            "impl": "pytorch", "model": "wrn", "activation": a.activation, "depth": a.depth, "widen": a.widen,
            "params": sum(p.numel() for p in model.parameters()), "data": "fashion-mnist",
            "batch": a.batch, "steps": a.steps, "threads": a.threads, "world_size": world,
            "ms_per_step": round(ms, 4), "stat": "median", "images_per_s": round(a.batch * 1000 / ms),
            "torch": torch.__version__,
        }), flush=True)
    if world > 1:
        dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=["wrn"], default="wrn")
    p.add_argument("--depth", type=int, default=16)
    p.add_argument("--widen", type=int, default=1)
    p.add_argument("--activation", default="htaf")
    p.add_argument("--nproc", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", choices=["fashion-mnist"], default="fashion-mnist")
    a = p.parse_args()
    if a.batch % a.nproc:
        sys.exit(f"ddp_step.py: --batch {a.batch} must be a multiple of --nproc {a.nproc}")
    with tempfile.TemporaryDirectory(prefix="ddp-peer-") as d:
        store = os.path.join(d, "store")
        if a.nproc == 1:
            worker(0, a, store)
        else:
            mp.spawn(worker, args=(a, store), nprocs=a.nproc, join=True)


if __name__ == "__main__":
    main()
