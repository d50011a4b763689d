#!/usr/bin/python3
"""PyTorch's seeded initial weights of single layers and backbones, for htaf's init tests.

Run (Debian's python with torch and torchvision):  /usr/bin/python3 tools/golden/layer_init_fixtures.py
Writes test/golden/fixtures/layer_init.safetensors, read by test/unit/nn_layers.test.ts and
test/unit/backbones.test.ts.

Each case seeds PyTorch's global generator with torch.manual_seed (htaf's manualSeed seeds the same
CPU generator of the libtorch it binds) and builds one layer or model with PyTorch's default
initialization; htaf must draw the same numbers in the same order. Tensor keys are
`<case>.<state-dict name>`; every case's recipe (the Python that made it) is in the metadata under
`recipe.<case>`. Whole tensors are stored, except for resnet18 (11 million parameters), where every
parameter keeps its first and last 8 elements (`<name>.head`, `<name>.tail`, flattened), which still
checks every draw in the model's order: a draw out of place shifts all later values.

Deterministic: fixed seeds, one thread; two runs write the same bytes.
"""

import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save_file, load_file  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "test", "golden", "fixtures", "layer_init.safetensors")

torch.set_num_threads(1)

TENSORS = {}
RECIPES = {}


def put(case, name, t):
    key = f"{case}.{name}"
    assert key not in TENSORS, key
    TENSORS[key] = t.detach().clone().contiguous()


def state(case, recipe, module):
    RECIPES[case] = recipe
    for name, t in module.state_dict().items():
        put(case, name, t)


def build():
    torch.manual_seed(0)
    state("linear", "torch.manual_seed(0); nn.Linear(45, 256)", nn.Linear(45, 256))

    torch.manual_seed(1)
    state("conv2d", "torch.manual_seed(1); nn.Conv2d(3, 8, 3)", nn.Conv2d(3, 8, 3))

    torch.manual_seed(2)
    state("embedding", "torch.manual_seed(2); nn.Embedding(10, 4, padding_idx=2)", nn.Embedding(10, 4, padding_idx=2))

    RECIPES["init"] = ("torch.manual_seed(3); t = torch.empty(20, 30); "
                       "nn.init.kaiming_normal_(t, mode='fan_out', nonlinearity='relu'); "
                       "t2 = torch.empty(20, 30); nn.init.xavier_uniform_(t2, nn.init.calculate_gain('tanh')); "
                       "gain_leaky_relu_0.2 = nn.init.calculate_gain('leaky_relu', 0.2) as float64")
    torch.manual_seed(3)
    t = torch.empty(20, 30)
    nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    t2 = torch.empty(20, 30)
    nn.init.xavier_uniform_(t2, nn.init.calculate_gain("tanh"))
    put("init", "kaiming_normal_fan_out_relu", t)
    put("init", "xavier_uniform_tanh", t2)
    put("init", "gain_leaky_relu_0.2", torch.tensor(nn.init.calculate_gain("leaky_relu", 0.2), dtype=torch.float64))

    RECIPES["gelu"] = "x = torch.tensor([-2, -0.5, 0, 1.5]); F.gelu(x) (approximate='none'), float32"
    x = torch.tensor([-2, -0.5, 0, 1.5], dtype=torch.float32)
    put("gelu", "x", x)
    put("gelu", "out", F.gelu(x))

    RECIPES["resnet18"] = ("torch.manual_seed(0); torchvision.models.resnet18(num_classes=10); for each "
                           "named parameter p: <name>.head = p.flatten()[:8], <name>.tail = p.flatten()[-8:]")
    torch.manual_seed(0)
    r = torchvision.models.resnet18(num_classes=10)
    for name, p in r.named_parameters():
        flat = p.detach().flatten()
        put("resnet18", name + ".head", flat[:8])
        put("resnet18", name + ".tail", flat[-8:])

    torch.manual_seed(0)
    state("mha", "torch.manual_seed(0); nn.MultiheadAttention(8, 2)", nn.MultiheadAttention(8, 2))


def main():
    build()
    meta = {"torch": torch.__version__, "torchvision": torchvision.__version__,
            "produced_by": "/usr/bin/python3 tools/golden/layer_init_fixtures.py"}
    meta.update({f"recipe.{k}": v for k, v in RECIPES.items()})
    n = save_file(TENSORS, OUT, meta)
    back, back_meta = load_file(OUT)
    assert list(back) == list(TENSORS) and back_meta == meta
    for k, v in TENSORS.items():
        assert back[k].dtype == v.dtype and torch.equal(back[k], v), k
    print(f"wrote {os.path.relpath(OUT, ROOT)} ({n:,d} bytes, {len(TENSORS)} tensors, cases {json.dumps(list(RECIPES))})")


if __name__ == "__main__":
    main()
