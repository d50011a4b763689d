#!/usr/bin/python3
"""PyTorch's multi-step LIF and IF neurons, for htaf's golden neuron tests (test/golden/neurons.test.ts).

Run (Debian's python with torch):  /usr/bin/python3 tools/golden/neuron_fixtures.py
Writes test/golden/fixtures/neurons.safetensors.

The neurons are composed of torch ops per time step with spikingjelly's torch-backend formulas
(its LIFNode with decay_input=True and IFNode, multi-step):
    charge  LIF: h = v + (x - (v - v_reset)) / tau   (soft reset: h = v + (x - v) / tau)
            IF:  h = v + x
    fire    s = spike_fn(h - v_th)
    reset   s_d = s.detach() if detach_reset else s
            hard: v = (1 - s_d) * h + s_d * v_reset;  soft: v = h - s_d * v_th
with v = v_reset (0 for the soft reset) before the first step. The spike functions are htaf's
(docs/method.md): HTAF sigmoid(beta tanh(alpha u)) and SS sigmoid(gamma u) as smooth functions;
the STE's Heaviside forward (u >= 0) with a surrogate derivative (sigmoid k sig(ku) sig(-ku),
tanh (k/2)(1 - tanh^2(ku)), rect (1/a) 1[|u| < a/2]); 'heaviside' forward only.

Every case runs on the same input x [T, B] and weights g for the loss sum(s * g); it stores the
spikes and dL/dx. The cases (neuron, options, htaf method spec) are in the metadata under `cases`.
Deterministic: fixed seed, one thread; two runs write the same bytes.
"""

import json
import os
import sys

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save_file, load_file  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "test", "golden", "fixtures", "neurons.safetensors")

torch.set_num_threads(1)


def surrogate(slope):
    """An STE: Heaviside forward, `slope(u)` backward (spikingjelly's surrogate.* pattern)."""

    class Ste(torch.autograd.Function):
        @staticmethod
        def forward(ctx, u):
            ctx.save_for_backward(u)
            return (u >= 0).to(u)

        @staticmethod
        def backward(ctx, g):
            (u,) = ctx.saved_tensors
            return g * slope(u)

    return Ste.apply


def sigmoid_slope(k):
    return lambda u: k * torch.sigmoid(k * u) * torch.sigmoid(-k * u)


def tanh_slope(k):
    return lambda u: (k / 2) * (1 - torch.tanh(k * u) ** 2)


def rect_slope(a):
    return lambda u: (u.abs() < a / 2).to(u) / a


# htaf method spec -> PyTorch spike function of u = h - v_th.
SPIKES = {
    "htaf:alpha=2,beta=11": lambda u: torch.sigmoid(11 * torch.tanh(2 * u)),
    "htaf:alpha=1,beta=5": lambda u: torch.sigmoid(5 * torch.tanh(1 * u)),
    "ss:gamma=22": lambda u: torch.sigmoid(22 * u),
    "ste:sigmoid,k=4": surrogate(sigmoid_slope(4.0)),
    "ste:tanh,k=2": surrogate(tanh_slope(2.0)),
    "ste:rect,a=1": surrogate(rect_slope(1.0)),
    "heaviside": lambda u: (u >= 0).to(u),
}

# (label, options as htaf's LIFNode/IFNode take them)
RESETS = [
    ("hard", {"vThreshold": 1.0, "vReset": 0.0}),
    ("hard_shifted", {"vThreshold": 0.8, "vReset": -0.2}),
    ("soft", {"vThreshold": 1.0, "vReset": None}),
]


def run_neuron(x, neuron, tau, spike_fn, v_th, v_reset, detach_reset):
    soft = v_reset is None
    rest = 0.0 if soft else v_reset
    v = torch.full_like(x[0], rest)
    spikes = []
    for t in range(x.shape[0]):
        h = v + (x[t] - (v - rest)) / tau if neuron == "lif" else v + x[t]
        s = spike_fn(h - v_th)
        s_d = s.detach() if detach_reset else s
        v = h - s_d * v_th if soft else (1.0 - s_d) * h + s_d * v_reset
        spikes.append(s)
    return torch.stack(spikes)


def build():
    torch.manual_seed(0)
    T, B = 6, 64
    x = (torch.randn(T, B) * 1.5).contiguous()
    g = torch.randn(T, B).contiguous()
    tensors = {"x": x, "g": g}
    cases = []
    for neuron, tau in (("lif", 2.0), ("lif", 3.0), ("if", None)):
        for reset_name, reset in RESETS:
            for detach in (False, True):
                for spec, fn in SPIKES.items():
                    if tau == 3.0 and (reset_name != "hard_shifted" or detach):
                        continue  # tau 3: one reset mode is enough to check the leak
                    name = f"{neuron}{'' if tau in (None, 2.0) else '_tau3'}.{reset_name}.{'detach' if detach else 'attached'}.{spec}"
                    xi = x.clone().requires_grad_(spec != "heaviside")
                    s = run_neuron(xi, neuron, tau, fn, reset["vThreshold"], reset["vReset"], detach)
                    tensors[f"{name}.spikes"] = s.detach().clone()
                    options = {**reset, "detachReset": detach, "method": spec}
                    if neuron == "lif":
                        options["tau"] = tau
                    case = {"name": name, "neuron": neuron, "options": options}
                    if spec != "heaviside":
                        (s * g).sum().backward()
                        tensors[f"{name}.grad"] = xi.grad.detach().clone()
                        case["grad"] = True
                    cases.append(case)
    meta = {"torch": torch.__version__, "T": str(T), "B": str(B), "cases": json.dumps(cases)}
    return tensors, meta


def main():
    tensors, meta = build()
    save_file(tensors, OUT, metadata=meta)
    back, _ = load_file(OUT)
    assert all(torch.equal(back[k], v) for k, v in tensors.items())
    n = len(json.loads(meta["cases"]))
    print(f"wrote {OUT}: {n} cases, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
