#!/usr/bin/python3
"""Golden fixtures for htaf's optimizers and LR schedules, computed with PyTorch 1.13.

Run (Debian's python with torch):  /usr/bin/python3 tools/golden/optim_fixtures.py
Writes test/golden/fixtures/optim.json, read by test/unit/optim_golden.test.ts.

Optimizer cases: float32 parameters get fixed gradients (assigned to .grad, no autograd) before
each of 3 steps; the file holds the parameters after every step and the optimizer's per-parameter
state after the last one. A null gradient means the parameter has no .grad at that step, so
PyTorch skips it. Option and state names are htaf's (camelCase); the script maps them to
PyTorch's keyword and state names.

Schedule cases: the learning rate of every param group right after construction (index 0) and
after each scheduler.step(), using PyTorch's own (recursive) schedulers, so htaf's closed forms
are checked against them.

Deterministic: fixed seeds, one thread; two runs write the same file.
"""

import json
import os
import subprocess
import sys
import warnings

import torch

sys.dont_write_bytecode = True

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "test", "golden", "fixtures", "optim.json")

torch.set_num_threads(1)
# SequentialLR calls scheduler.step(0) at each milestone, which PyTorch 1.13 warns about; it is
# its own documented behaviour, not ours.
warnings.filterwarnings("ignore", message="The epoch parameter")

OPTION_NAMES = {"lr": "lr", "momentum": "momentum", "dampening": "dampening", "weightDecay": "weight_decay",
                "nesterov": "nesterov", "maximize": "maximize", "betas": "betas", "eps": "eps",
                "amsgrad": "amsgrad"}
STATE_NAMES = {"momentum_buffer": "momentumBuffer", "exp_avg": "expAvg", "exp_avg_sq": "expAvgSq",
               "max_exp_avg_sq": "maxExpAvgSq", "step": "step"}
OPTIMIZERS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}


def torch_options(options):
    out = {}
    for k, v in options.items():
        out[OPTION_NAMES[k]] = tuple(v) if k == "betas" else v
    return out


def rand(gen, shape):
    return torch.randn(shape, generator=gen, dtype=torch.float32)


def optimizer_case(name, optimizer, options, shapes, groups=None, no_grad=(), steps=3, seed=0):
    """no_grad: (step, param index) pairs where that parameter has no gradient."""
    gen = torch.Generator().manual_seed(seed)
    params = [rand(gen, s).requires_grad_(True) for s in shapes]
    init = [p.detach().clone().tolist() for p in params]
    if groups is None:
        opt = OPTIMIZERS[optimizer](params, **torch_options(options))
    else:
        opt = OPTIMIZERS[optimizer](
            [dict(torch_options({k: v for k, v in g.items() if k != "params"}),
                  params=[params[i] for i in g["params"]]) for g in groups],
            **torch_options(options))
    grads, after = [], []
    for step in range(steps):
        step_grads = []
        for i, p in enumerate(params):
            g = rand(gen, p.shape) * 0.5  # drawn even when unused, so cases stay comparable
            if (step, i) in no_grad:
                p.grad = None
                step_grads.append(None)
            else:
                p.grad = g.clone()
                step_grads.append(g.tolist())
        opt.step()
        grads.append(step_grads)
        after.append([p.detach().clone().tolist() for p in params])
    state = {}
    for index, entry in opt.state_dict()["state"].items():
        state[str(index)] = {STATE_NAMES[k]: (int(v.item()) if k == "step" else v.tolist())
                             for k, v in entry.items() if v is not None}
    case = {"name": name, "optimizer": optimizer, "options": options, "params": init, "grads": grads,
            "after": after, "state": state}
    if groups is not None:
        case["groups"] = groups
    return case


def optimizer_cases():
    s = [[2, 3], [4], []]
    return [
        optimizer_case("sgd_plain", "SGD", {"lr": 0.1}, s, seed=1),
        optimizer_case("sgd_momentum_dampening_wd", "SGD",
                       {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weightDecay": 0.01}, s, seed=2),
        optimizer_case("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}, s, seed=3),
        optimizer_case("sgd_maximize_momentum", "SGD", {"lr": 0.1, "momentum": 0.5, "maximize": True}, s, seed=4),
        optimizer_case("adam_default", "Adam", {"lr": 0.001}, s, seed=5),
        optimizer_case("adam_wd_betas", "Adam",
                       {"lr": 0.01, "betas": [0.8, 0.95], "eps": 1e-6, "weightDecay": 0.1}, s, seed=6),
        optimizer_case("adam_amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}, s, seed=7),
        optimizer_case("adam_maximize", "Adam", {"lr": 0.01, "maximize": True}, s, seed=8),
        optimizer_case("adamw_default", "AdamW", {"lr": 0.01}, s, seed=9),
        optimizer_case("adamw_amsgrad_wd", "AdamW", {"lr": 0.02, "weightDecay": 0.5, "amsgrad": True}, s, seed=10),
        # Param groups with their own lr; param 2 never has a gradient (skipped, no state) and
        # param 1 misses one step (its Adam step count lags by one).
        optimizer_case("sgd_groups_skip", "SGD", {"lr": 0.1, "momentum": 0.9}, s,
                       groups=[{"params": [0]}, {"params": [1, 2], "lr": 0.01}],
                       no_grad={(0, 2), (1, 2), (2, 2), (1, 1)}, seed=11),
        optimizer_case("adam_groups_skip", "Adam", {"lr": 0.01}, s,
                       groups=[{"params": [0], "lr": 0.1, "weightDecay": 0.1}, {"params": [1, 2]}],
                       no_grad={(0, 2), (1, 2), (2, 2), (1, 1)}, seed=12),
    ]


SCHEDULERS = {
    "StepLR": (torch.optim.lr_scheduler.StepLR, {"stepSize": "step_size", "gamma": "gamma"}),
    "MultiStepLR": (torch.optim.lr_scheduler.MultiStepLR, {"milestones": "milestones", "gamma": "gamma"}),
    "CosineAnnealingLR": (torch.optim.lr_scheduler.CosineAnnealingLR, {"tMax": "T_max", "etaMin": "eta_min"}),
    "LinearLR": (torch.optim.lr_scheduler.LinearLR,
                 {"startFactor": "start_factor", "endFactor": "end_factor", "totalIters": "total_iters"}),
}


def make_scheduler(opt, spec):
    cls, names = SCHEDULERS[spec["scheduler"]]
    return cls(opt, **{names[k]: v for k, v in spec["options"].items()})


def schedule_case(name, spec, lrs, steps):
    params = [torch.zeros(1, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=lrs[0])
    if spec["scheduler"] == "SequentialLR":
        sched = torch.optim.lr_scheduler.SequentialLR(
            opt, [make_scheduler(opt, s) for s in spec["schedulers"]], milestones=spec["milestones"])
    else:
        sched = make_scheduler(opt, spec)
    values = [[g["lr"] for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        sched.step()
        values.append([g["lr"] for g in opt.param_groups])
    return dict(name=name, **spec, lrs=lrs, expected=values)


def schedule_cases():
    lrs = [0.1, 0.03]
    return [
        schedule_case("step_lr", {"scheduler": "StepLR", "options": {"stepSize": 3, "gamma": 0.5}}, lrs, 12),
        schedule_case("multi_step_lr", {"scheduler": "MultiStepLR",
                                        "options": {"milestones": [2, 5, 5, 9], "gamma": 0.1}}, lrs, 12),
        schedule_case("cosine", {"scheduler": "CosineAnnealingLR", "options": {"tMax": 10, "etaMin": 0.001}},
                      lrs, 25),
        schedule_case("linear_warmup", {"scheduler": "LinearLR",
                                        "options": {"startFactor": 0.25, "endFactor": 1.0, "totalIters": 4}},
                      lrs, 8),
        schedule_case("linear_decay", {"scheduler": "LinearLR",
                                       "options": {"startFactor": 1.0, "endFactor": 0.1, "totalIters": 5}},
                      lrs, 8),
        schedule_case("warmup_cosine", {
            "scheduler": "SequentialLR",
            "schedulers": [
                {"scheduler": "LinearLR", "options": {"startFactor": 0.1, "endFactor": 1.0, "totalIters": 5}},
                {"scheduler": "CosineAnnealingLR", "options": {"tMax": 15, "etaMin": 0.0}},
            ],
            "milestones": [5]}, lrs, 22),
        schedule_case("three_phases", {
            "scheduler": "SequentialLR",
            "schedulers": [
                {"scheduler": "LinearLR", "options": {"startFactor": 0.5, "endFactor": 1.0, "totalIters": 2}},
                {"scheduler": "StepLR", "options": {"stepSize": 2, "gamma": 0.5}},
                {"scheduler": "CosineAnnealingLR", "options": {"tMax": 4, "etaMin": 0.0001}},
            ],
            "milestones": [3, 7]}, lrs, 14),
    ]


def main():
    try:
        package = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"],
                                 capture_output=True, text=True, timeout=10).stdout.strip() or None
    except Exception:
        package = None
    doc = {"torch": torch.__version__, "torch_package": package,
           "produced_by": "/usr/bin/python3 tools/golden/optim_fixtures.py",
           "optimizers": optimizer_cases(), "schedules": schedule_cases()}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
