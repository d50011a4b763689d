#!/usr/bin/python3
"""PyTorch peer for htaf's training-step benchmark (CPU, eager mode).

  /usr/bin/python3 bench/peer/step.py --model mlp|cnn --activation relu|htaf|ss|ste \
      [--batch N] [--steps N] [--threads T] [--warmup N]

mlp: Linear(45,256)-act-Linear(256,256)-act-Linear(256,128)-act-Linear(128,1), MSE,
     Adam(lr=1e-3), default batch 256, x ~ N(0,1), y ~ N(0,1).
wrn: WideResNet-depth-widen (pre-activation, CIFAR layout) on (B,1,28,28), 10 classes, cross-entropy,
     Adam(lr=1e-3), default batch 128 (htaf's WideResNet, src/models/wideresnet.ts).
sew: SEW-ResNet-depth (htaf's src/models/sew_resnet.ts at the zoo's SNN size: base width 16, small-image
     stem, one block per stage for depth 10) over T steps (--T, default 4) on (B,1,28,28), direct encoding,
     multi-step LIF neurons composed per time step with spikingjelly's torch-backend formulas (tau 2,
     v_th 1, v_reset 0, decay_input, hard reset, reset not detached), the spike function --activation:
     htaf/ss smooth, ste the Heaviside with the sigmoid surrogate (k = 4); cross-entropy, Adam(lr=1e-3),
     default batch 128.
cnn: Conv2d(1,32,3,p=1)-act-MaxPool2d(2)-Conv2d(32,64,3,p=1)-act-MaxPool2d(2)-Flatten-
     Linear(3136,128)-act-Linear(128,10), cross-entropy, Adam(lr=1e-3), default batch 128,
     x ~ N(0,1) of shape (B,1,28,28), labels uniform in 0..9.
One timed step = zero_grad + forward + loss + backward + optimizer.step() on a batch
generated beforehand. Prints one JSON line.
"""

import argparse
import ctypes
import json
import os
import statistics
import sys
import time


def _thread_env_from_argv(argv):
    """OpenBLAS reads its thread count when it is loaded: set it before torch is imported."""
    for i, a in enumerate(argv):
        v = None
        if a == "--threads" and i + 1 < len(argv):
            v = argv[i + 1]
        elif a.startswith("--threads="):
            v = a.split("=", 1)[1]
        if v is not None:
            os.environ["OPENBLAS_NUM_THREADS"] = v
            os.environ["OMP_NUM_THREADS"] = v


if __name__ == "__main__":
    _thread_env_from_argv(sys.argv[1:])

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


# ---- activations, composed in eager PyTorch --------------------------------------------

class HTAF(nn.Module):
    """sigmoid(beta * tanh(alpha * x)), alpha=2, beta=11."""

    def __init__(self, alpha=2.0, beta=11.0):
        super().__init__()
        self.alpha, self.beta = alpha, beta

    def forward(self, x):
        return torch.sigmoid(self.beta * torch.tanh(self.alpha * x))


class ScaledSigmoid(nn.Module):
    """sigmoid(gamma * x), gamma = 22 (= alpha*beta of HTAF(2, 11))."""

    def __init__(self, gamma=22.0):
        super().__init__()
        self.gamma = gamma

    def forward(self, x):
        return torch.sigmoid(self.gamma * x)


class STE(nn.Module):
    """Heaviside forward (H(0)=1), sigmoid surrogate k=4 backward, by the detach trick."""

    def __init__(self, k=4.0):
        super().__init__()
        self.k = k

    def forward(self, x):
        s = torch.sigmoid(self.k * x)
        h = (x >= 0).to(x.dtype)
        return s + (h - s).detach()


ACTIVATIONS = {"relu": nn.ReLU, "htaf": HTAF, "ss": ScaledSigmoid, "ste": STE}


# ---- the SNN: SEW-ResNet with multi-step LIF neurons ----------------------------------------------------

class MultiStepLIF(nn.Module):
    """spikingjelly's LIFNode (torch backend, multi-step): per step h = v + (x - (v - v_reset)) / tau,
    s = spike(h - v_th), v = h * (1 - s) + v_reset * s; v starts at v_reset. x: [T, B, ...]."""

    def __init__(self, spike, tau=2.0, v_th=1.0, v_reset=0.0):
        super().__init__()
        self.spike, self.tau, self.v_th, self.v_reset = spike, tau, v_th, v_reset

    def forward(self, x_seq):
        v = torch.full_like(x_seq[0], self.v_reset)
        out = []
        for t in range(x_seq.shape[0]):
            h = v + (x_seq[t] - (v - self.v_reset)) / self.tau
            s = self.spike(h - self.v_th)
            v = h * (1.0 - s) + self.v_reset * s
            out.append(s)
        return torch.stack(out)


def per_step(x, *layers):
    """Per-image layers on a spike train [T, B, ...]: T folded into the batch (SeqToANNContainer)."""
    y = x.flatten(0, 1)
    for layer in layers:
        y = layer(y)
    return y.reshape(x.shape[0], x.shape[1], *y.shape[1:])


class SewBlock(nn.Module):
    def __init__(self, cin, cout, stride, neuron):
        super().__init__()
        self.conv1, self.bn1, self.sn1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), neuron()
        self.conv2, self.bn2, self.sn2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), neuron()
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))
            self.down_sn = neuron()

    def forward(self, x):
        out = self.sn2(per_step(self.sn1(per_step(x, self.conv1, self.bn1)), self.conv2, self.bn2))
        return out + (x if self.down is None else self.down_sn(per_step(x, self.down)))


SEW_LAYERS = {10: [1, 1, 1, 1], 18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}


class SewResNet(nn.Module):
    def __init__(self, depth, act, T=4, width=16, in_channels=1, num_classes=10):
        super().__init__()
        A = ACTIVATIONS[act]
        neuron = lambda: MultiStepLIF(A())  # noqa: E731
        self.T = T
        self.conv1, self.bn1, self.sn1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), neuron()
        blocks, cin = [], width
        for i, n in enumerate(SEW_LAYERS[depth]):
            planes = width * 2 ** i
            for b in range(n):
                blocks.append(SewBlock(cin, planes, 2 if b == 0 and i > 0 else 1, neuron))
                cin = planes
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        h = self.sn1(per_step(x.unsqueeze(0).repeat(self.T, 1, 1, 1, 1), self.conv1, self.bn1))
        h = self.blocks(h)
        return self.fc(F.adaptive_avg_pool2d(h.flatten(0, 1), 1).flatten(1).reshape(self.T, x.shape[0], -1).mean(0))


class WideBasic(nn.Module):
    """Zagoruyko & Komodakis' pre-activation block: BN-act-conv3x3-BN-act-conv3x3 + shortcut."""

    def __init__(self, cin, cout, stride, A):
        super().__init__()
        self.bn1, self.act1 = nn.BatchNorm2d(cin), A()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.act2 = nn.BatchNorm2d(cout), A()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = None if cin == cout and stride == 1 else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        o = self.act1(self.bn1(x))
        y = self.conv2(self.act2(self.bn2(self.conv1(o))))
        return y + (x if self.shortcut is None else self.shortcut(o))


class WideResNet(nn.Module):
    """WRN-depth-widen for small images (CIFAR layout): widths 16, 16k, 32k, 64k; (depth-4)/6 blocks per group."""

    def __init__(self, depth, widen, A, in_channels=1, num_classes=10):
        super().__init__()
        n = (depth - 4) // 6
        widths = [16, 16 * widen, 32 * widen, 64 * widen]
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        blocks, cin = [], widths[0]
        for g, stride in enumerate([1, 2, 2]):
            for i in range(n):
                blocks.append(WideBasic(cin, widths[g + 1], stride if i == 0 else 1, A))
                cin = widths[g + 1]
        self.blocks = nn.Sequential(*blocks)
        self.bn, self.act = nn.BatchNorm2d(cin), A()
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.act(self.bn(self.blocks(self.conv1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def make_model(model, act, depth=10, widen=2, T=4):
    A = ACTIVATIONS[act]
    if model == "sew":
        if act == "relu":
            raise ValueError("--model sew needs a spike function: --activation htaf, ss or ste")
        return SewResNet(depth, act, T)
    if model == "wrn":
        return WideResNet(depth, widen, A)
    if model == "mlp":
        return nn.Sequential(nn.Linear(45, 256), A(), nn.Linear(256, 256), A(),
                             nn.Linear(256, 128), A(), nn.Linear(128, 1))
    if model == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), A(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), A(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), A(), nn.Linear(128, 10))
    raise ValueError(model)


# ---- BLAS identification ------------------------------------------------------------------

def _loaded_libs():
    libs = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and parts[5].startswith("/") and ".so" in parts[5]:
                    if parts[5] not in libs:
                        libs.append(parts[5])
    except OSError:
        pass
    return libs


def blas_info(threads=None):
    """What BLAS torch really calls. Debian's torch says BLAS_INFO=generic and links
    libblas.so.3, an alternatives link; the mapped file tells which library it is."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()  # make sure BLAS is loaded
    cfg = torch.__config__.show()
    build = None
    for tok in cfg.replace(",", " ").split():
        if tok.startswith("BLAS_INFO="):
            build = tok.split("=", 1)[1]
    libs = _loaded_libs()
    cands = [p for p in libs if any(s in os.path.basename(p).lower() for s in ("blas", "mkl_rt", "libmkl", "blis", "atlas"))]
    real = [os.path.realpath(p) for p in cands]
    name = "unknown"
    joined = " ".join(real).lower()
    for key, label in (("openblas", "openblas"), ("mkl", "mkl"), ("blis", "blis"), ("atlas", "atlas"), ("libblas", "reference")):
        if key in joined:
            name = label
            break
    variant = None
    if name == "openblas":
        for key in ("pthread", "openmp", "serial"):
            if key in joined:
                variant = key
                break
    info = {"name": name, "build_blas_info": build, "libs": real}
    if variant:
        info["variant"] = variant
    if name == "openblas":
        for p in real:
            try:
                lib = ctypes.CDLL(p)
                if threads is not None and hasattr(lib, "openblas_set_num_threads"):
                    lib.openblas_set_num_threads(int(threads))
                if hasattr(lib, "openblas_get_num_threads"):
                    info["threads"] = lib.openblas_get_num_threads()
                if hasattr(lib, "openblas_get_config"):
                    lib.openblas_get_config.restype = ctypes.c_char_p
                    info["config"] = lib.openblas_get_config().decode(errors="replace").strip()
                break
            except OSError:
                continue
    return info


def timing_stats(times_ms):
    return {
        "stat": "median",
        "mean_ms": round(statistics.fmean(times_ms), 4),
        "min_ms": round(min(times_ms), 4),
        "max_ms": round(max(times_ms), 4),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=["mlp", "cnn", "wrn", "sew"], required=True)
    p.add_argument("--T", type=int, default=4, help="sew time steps")
    p.add_argument("--depth", type=int, default=10, help="wrn depth (6n+4)")
    p.add_argument("--widen", type=int, default=2, help="wrn widening factor k")
    p.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu")
    p.add_argument("--batch", type=int, default=None, help="default 256 (mlp), 128 (cnn)")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    batch = a.batch or (256 if a.model == "mlp" else 128)

    torch.set_num_threads(a.threads)
    blas = blas_info(a.threads)
    torch.manual_seed(a.seed)
    model = make_model(a.model, a.activation, a.depth, a.widen, a.T)
    if a.model == "mlp":
        x = torch.randn(batch, 45)
        y = torch.randn(batch, 1)
        loss_fn = F.mse_loss
    else:
        x = torch.randn(batch, 1, 28, 28)
        y = torch.randint(0, 10, (batch,))
        loss_fn = F.cross_entropy
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    times = []
    loss = None
    for _ in range(a.steps):
        t0 = time.perf_counter()
        loss = step()
        times.append((time.perf_counter() - t0) * 1e3)

    res = {
        "impl": "pytorch",
        "model": a.model,
        "activation": a.activation,
        **({"depth": a.depth, "widen": a.widen, "params": sum(p.numel() for p in model.parameters())} if a.model == "wrn" else {}),
        **({"depth": a.depth, "T": a.T, "params": sum(p.numel() for p in model.parameters())} if a.model == "sew" else {}),
        "batch": batch,
        "steps": a.steps,
        "warmup": a.warmup,
        "threads": a.threads,
        "ms_per_step": round(statistics.median(times), 4),
    }
    res.update(timing_stats(times))
    res.update({
        "final_loss": float(loss.item()) if loss is not None else None,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "blas": blas["name"] + (f"-{blas['variant']}" if blas.get("variant") else ""),
        "blas_detail": blas,
        "mkldnn": torch.backends.mkldnn.is_available(),
    })
    print(json.dumps(res))


if __name__ == "__main__":
    main()
