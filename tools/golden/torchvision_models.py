"""Golden fixtures for htaf's image backbones, from torchvision 0.14 (Debian's python3-torchvision).

Run with Debian's python:  /usr/bin/python3 tools/golden/torchvision_models.py

1. Full-size models without committing their weights. torchvision's resnet18(), wide_resnet50_2() and
   vit_b_32() (1000 classes, 224x224) get every state-dict tensor from a counter-based formula that
   test/golden/torchvision.test.ts reproduces bit for bit (see fill_value below), so only the formula,
   the state-dict names/shapes and the logits are committed (torchvision_logits.json). The test loads
   the same values into htaf's models by torchvision's names (strict) and compares the logits.

2. Weights as PyTorch writes them. Small models with PyTorch's own random initialization (seeded),
   batch-norm statistics from a few training-mode batches, saved as safetensors
   (torchvision_small_*.safetensors, with tools/golden/safetensors_io.py) beside their logits:
   - torchvision's VisionTransformer class (image 32, patch 8, 2 layers, 2 heads, width 32, MLP 64);
   - torchvision's ResNet class (BasicBlock and Bottleneck, [1, 1, 1, 1]) rebuilt by its own
     _make_layer at stage widths 8w (basic: w = 8; bottleneck: w = 4) with a CIFAR stem (3x3 conv1, no max-pool) on 1x28x28;
   - the common PyTorch WideResNet (xternalz/WideResNet-pytorch, copied below), WRN-10-1 on 1x28x28.

The fill formula, for a tensor named NAME with n elements (flat C order, index i = 0..n-1):
   seed  = FNV-1a 32-bit hash of NAME's UTF-8 bytes
   x     = seed XOR (i * 0x9E3779B9 mod 2^32), then murmur3's fmix32:
           x ^= x >> 16; x *= 0x85EBCA6B; x ^= x >> 13; x *= 0xC2B2AE35; x ^= x >> 16   (all mod 2^32)
   u     = x / 2^32                                     (float64 in [0, 1))
   value = by NAME's ending and rank, in float64, then rounded to float32:
     num_batches_tracked        untouched (0)
     running_var                0.5 + u
     running_mean               (2u - 1) * 0.1
     rank >= 2, ends in weight  (2u - 1) * sqrt(3 / fan_in),  fan_in = product of shape[1:]
     rank 1, ends in weight     0.5 + 0.5 u                  (batch/layer norm scales)
     anything else              (2u - 1) * 0.1               (biases, class_token, pos_embedding)
The input image batch is the tensor named "input", value 2u - 1.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
from torchvision.models.vision_transformer import VisionTransformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "golden", "fixtures")
FORMULA_VERSION = "fnv1a-fmix32-v1"


# ---- the fill formula (mirrored in test/golden/torchvision.test.ts) --------------------------------

def seed_of(name):
    h = 0x811C9DC5
    for b in name.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def uniform01(name, n):
    i = np.arange(n, dtype=np.uint32)
    x = np.uint32(seed_of(name)) ^ (i * np.uint32(0x9E3779B9))
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x85EBCA6B)
    x ^= x >> np.uint32(13)
    x *= np.uint32(0xC2B2AE35)
    x ^= x >> np.uint32(16)
    return x.astype(np.float64) / 4294967296.0


def fill_value(name, shape):
    """float32 numpy array for the tensor NAME of this shape, or None where it stays untouched."""
    if name.endswith("num_batches_tracked"):
        return None
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform01(name, n)
    if name.endswith("running_var"):
        v = 0.5 + u
    elif name.endswith("running_mean"):
        v = (u * 2.0 - 1.0) * 0.1
    elif name.endswith("weight") and len(shape) >= 2:
        fan_in = int(np.prod(shape[1:]))
        v = (u * 2.0 - 1.0) * math.sqrt(3.0 / fan_in)
    elif name.endswith("weight"):
        v = 0.5 + 0.5 * u
    else:
        v = (u * 2.0 - 1.0) * 0.1
    return v.astype(np.float32).reshape(shape)


def formula_input(shape, name="input"):
    n = int(np.prod(shape))
    return torch.from_numpy(((uniform01(name, n) * 2.0 - 1.0).astype(np.float32)).reshape(shape))


def fill_model(model):
    with torch.no_grad():
        for name, t in model.state_dict().items():
            v = fill_value(name, list(t.shape))
            if v is not None:
                t.copy_(torch.from_numpy(v))


def state_list(model):
    return [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in model.state_dict().items()]


def floats(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


# ---- the reference WideResNet (xternalz/WideResNet-pytorch, MIT), unchanged but for a global pool ----

class WrnBasicBlock(nn.Module):
    def __init__(self, in_planes, out_planes, stride, dropRate=0.0):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_planes)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_planes, out_planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.droprate = dropRate
        self.equalInOut = in_planes == out_planes
        self.convShortcut = (not self.equalInOut) and nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, padding=0, bias=False) or None

    def forward(self, x):
        if not self.equalInOut:
            x = self.relu1(self.bn1(x))
        else:
            out = self.relu1(self.bn1(x))
        out = self.relu2(self.bn2(self.conv1(out if self.equalInOut else x)))
        if self.droprate > 0:
            out = F.dropout(out, p=self.droprate, training=self.training)
        out = self.conv2(out)
        return torch.add(x if self.equalInOut else self.convShortcut(x), out)


class NetworkBlock(nn.Module):
    def __init__(self, nb_layers, in_planes, out_planes, block, stride, dropRate=0.0):
        super().__init__()
        self.layer = nn.Sequential(*[block(i == 0 and in_planes or out_planes, out_planes, i == 0 and stride or 1, dropRate) for i in range(int(nb_layers))])

    def forward(self, x):
        return self.layer(x)


class ReferenceWideResNet(nn.Module):
    def __init__(self, depth, num_classes, widen_factor=1, dropRate=0.0, in_channels=3):
        super().__init__()
        nChannels = [16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        assert (depth - 4) % 6 == 0
        n = (depth - 4) / 6
        self.conv1 = nn.Conv2d(in_channels, nChannels[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.block1 = NetworkBlock(n, nChannels[0], nChannels[1], WrnBasicBlock, 1, dropRate)
        self.block2 = NetworkBlock(n, nChannels[1], nChannels[2], WrnBasicBlock, 2, dropRate)
        self.block3 = NetworkBlock(n, nChannels[2], nChannels[3], WrnBasicBlock, 2, dropRate)
        self.bn1 = nn.BatchNorm2d(nChannels[3])
        self.relu = nn.ReLU(inplace=True)
        self.fc = nn.Linear(nChannels[3], num_classes)
        self.nChannels = nChannels[3]
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def forward(self, x):
        out = self.conv1(x)
        out = self.block1(out)
        out = self.block2(out)
        out = self.block3(out)
        out = self.relu(self.bn1(out))
        out = F.adaptive_avg_pool2d(out, 1)  # the reference's avg_pool2d(out, 8) on 32x32; global on any size
        out = out.view(-1, self.nChannels)
        return self.fc(out)


# ---- small torchvision ResNets: torchvision's class and _make_layer at smaller widths ------------

class SmallTorchvisionResNet(ResNet):
    """torchvision's ResNet with stage widths w, 2w, 4w, 8w (its own _make_layer) and a CIFAR stem."""

    def __init__(self, block, layers, width, in_channels, num_classes):
        super().__init__(block, layers, num_classes=num_classes)
        self.inplanes = width
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.maxpool = nn.Identity()
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, 2 * width, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * width, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 8 * width, layers[3], stride=2)
        self.fc = nn.Linear(8 * width * block.expansion, num_classes)
        for m in self.modules():  # torchvision's init, on the rebuilt layers
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


def warm_batch_norm(model, shape, steps=3):
    """A few training-mode batches so running statistics and num_batches_tracked are not the defaults."""
    model.train()
    with torch.no_grad():
        for _ in range(steps):
            model(torch.randn(*shape) * 2 + 0.5)
    model.eval()


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(FIXTURES, exist_ok=True)
    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__, "numpy": np.__version__}

    # 1. full-size torchvision models, filled by the formula
    full = {}
    builders = {
        "resnet18": ("torchvision.models.resnet18(num_classes=1000)", lambda: torchvision.models.resnet18(num_classes=1000)),
        "wide_resnet50_2": ("torchvision.models.wide_resnet50_2(num_classes=1000)", lambda: torchvision.models.wide_resnet50_2(num_classes=1000)),
        "vit_b_32": ("torchvision.models.vit_b_32(num_classes=1000)", lambda: torchvision.models.vit_b_32(num_classes=1000)),
    }
    input_shape = [1, 3, 224, 224]
    x = formula_input(input_shape)
    for key, (text, build) in builders.items():
        model = build().eval()
        fill_model(model)
        with torch.no_grad():
            logits = model(x)
        full[key] = {"builder": text, "input_shape": input_shape, "state": state_list(model), "logits": floats(logits)}
        print(f"{key}: {sum(p.numel() for p in model.parameters())} parameters, logits std {logits.std().item():.4f}, |max| {logits.abs().max().item():.4f}")
        del model
    # a few tensors of the formula, so a mismatch in the TypeScript copy shows here, not as a logits difference
    probes = []
    for name, shape in [("layer1.0.conv1.weight", [64, 64, 3, 3]), ("bn1.running_var", [64]), ("bn1.running_mean", [64]),
                        ("encoder.layers.encoder_layer_0.ln_1.weight", [768]), ("encoder.pos_embedding", [1, 50, 768]),
                        ("encoder.layers.encoder_layer_0.self_attention.in_proj_weight", [2304, 768])]:
        v = fill_value(name, shape).reshape(-1)
        probes.append({"name": name, "shape": shape, "first": [float(a) for a in v[:6]], "last": float(v[-1]), "sum": float(v.astype(np.float64).sum())})
    xi = x.reshape(-1).numpy()
    probes.append({"name": "input", "shape": input_shape, "first": [float(a) for a in xi[:6]], "last": float(xi[-1]), "sum": float(xi.astype(np.float64).sum())})
    with open(os.path.join(FIXTURES, "torchvision_logits.json"), "w") as f:
        json.dump({"versions": versions, "formula": FORMULA_VERSION, "input": "formula tensor named 'input', value 2u - 1", "probes": probes, "models": full}, f, separators=(",", ":"))
        f.write("\n")

    # 2. small models with PyTorch's own initialization, saved as safetensors
    small = {}
    torch.manual_seed(0)
    cases = {
        "vit": (
            "torchvision.models.vision_transformer.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=10)",
            lambda: VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=10),
            [2, 3, 32, 32],
        ),
        "resnet_basic": (
            "SmallTorchvisionResNet(BasicBlock, [1, 1, 1, 1], width=8, in_channels=1, num_classes=10)",
            lambda: SmallTorchvisionResNet(BasicBlock, [1, 1, 1, 1], 8, 1, 10),
            [2, 1, 28, 28],
        ),
        "resnet_bottleneck": (
            "SmallTorchvisionResNet(Bottleneck, [1, 1, 1, 1], width=4, in_channels=3, num_classes=10)",
            lambda: SmallTorchvisionResNet(Bottleneck, [1, 1, 1, 1], 4, 3, 10),
            [2, 3, 32, 32],
        ),
        "wrn": (
            "ReferenceWideResNet(depth=10, num_classes=10, widen_factor=1, in_channels=1)",
            lambda: ReferenceWideResNet(10, 10, widen_factor=1, in_channels=1),
            [2, 1, 28, 28],
        ),
    }
    for key, (text, build, shape) in cases.items():
        model = build()
        if key == "vit":
            # torchvision zeroes the head and the class token: give them values so the logits test something
            with torch.no_grad():
                nn.init.normal_(model.heads.head.weight, std=0.5)
                nn.init.normal_(model.heads.head.bias, std=0.1)
                nn.init.normal_(model.class_token, std=0.5)
            model.eval()
        else:
            warm_batch_norm(model, shape)
            # PyTorch's default fc init gives logits of std ~0.05 here; a wider head makes 1e-5 a sharp test
            with torch.no_grad():
                nn.init.normal_(model.fc.weight, std=4.0 / math.sqrt(model.fc.in_features))
        x = formula_input(shape, f"input.{key}")
        with torch.no_grad():
            logits = model(x)
        file = f"torchvision_small_{key}.safetensors"
        size = safetensors_io.save_file(dict(model.state_dict()), os.path.join(FIXTURES, file), {"model": text, "torch": torch.__version__, "torchvision": torchvision.__version__})
        small[key] = {"model": text, "file": file, "input_name": f"input.{key}", "input_shape": shape, "logits_shape": list(logits.shape), "logits": floats(logits)}
        print(f"{key}: {sum(p.numel() for p in model.parameters())} parameters, {size} bytes, logits std {logits.std().item():.4f}")
    with open(os.path.join(FIXTURES, "torchvision_small.json"), "w") as f:
        json.dump({"versions": versions, "formula": FORMULA_VERSION, "input": "formula tensor named input_name, value 2u - 1", "models": small}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
