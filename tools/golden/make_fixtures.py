#!/usr/bin/python3
"""Golden fixtures from PyTorch for htaf's libtorch-backed TypeScript toolkit.

Run (Debian's python with torch):  /usr/bin/python3 tools/golden/make_fixtures.py
Writes into test/golden/fixtures/ (see tools/golden/README.md for the layout):
  ops.safetensors + ops.json           per-op golden cases (forward + gradients)
  mlp_adam.safetensors                 MLP 45-256-256-128-1, ReLU, MSE, one Adam step
  mlp_htaf_adam.safetensors            same, HTAF(alpha=2, beta=11) instead of ReLU
  cnn_adam.safetensors                 small CNN on 28x28x1, cross-entropy, one Adam step

Everything is deterministic: fixed seeds (each op case seeds its own generator from a
CRC32 of its name, so adding a case does not change the others), one thread.
"""

import json
import os
import subprocess
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save_file, load_file  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "golden", "fixtures")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def _torch_package_version():
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"],
                              capture_output=True, text=True, timeout=10).stdout.strip() or None
    except Exception:
        return None


# ----------------------------------------------------------------------------------------
# Op cases
# ----------------------------------------------------------------------------------------

TENSORS = {}   # key -> tensor (insertion order = file order)
CASES = []


def _gen(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode("utf-8")))


def _put(key, t):
    assert key not in TENSORS, key
    TENSORS[key] = t.detach().clone().contiguous()
    return key


def _resolve(module, op):
    if module == "torch":
        return getattr(torch, op)
    if module == "torch.nn.functional":
        return getattr(F, op)
    raise ValueError(module)


def case(name, op, inputs, kwargs=None, module="torch", nondiff=(), list_arg=None,
         out_names=None, inplace_outputs=None, notes=None):
    """Register one golden case and compute it by calling module.op(**inputs, **kwargs).

    inputs: list of (arg_name, tensor). With list_arg set, all inputs form that one
            sequence argument (torch.cat / torch.stack).
    nondiff: arg names of float inputs that do not get a gradient.
    inplace_outputs: arg names of inputs updated in place (batch_norm running stats);
            their values after the call are stored as extra outputs.
    """
    kwargs = dict(kwargs or {})
    g = _gen(name + "/g")
    fn = _resolve(module, op)
    arg_names = [a for a, _ in inputs]
    assert len(set(arg_names)) == len(arg_names) or list_arg
    live = []
    keys = []
    for i, (a, t) in enumerate(inputs):
        suffix = f"{a}{i}" if list_arg else a
        keys.append(_put(f"{name}.{suffix}", t))
        x = t.detach().clone()
        if x.is_floating_point() and a not in nondiff:
            x.requires_grad_(True)
        live.append(x)
    if list_arg:
        call_kwargs = {list_arg: live}
    else:
        call_kwargs = dict(zip(arg_names, live))
    result = fn(**call_kwargs, **kwargs)

    if isinstance(result, torch.Tensor):
        outs = [result]
        names = out_names or ["out"]
    else:
        outs = list(result)
        if out_names:
            names = out_names
        elif getattr(type(result), "__match_args__", None):  # torch.return_types.* (values, indices)
            names = list(type(result).__match_args__)
        else:
            names = [f"out{i}" for i in range(len(outs))]
    assert len(names) == len(outs), (name, names)
    out_keys = [_put(f"{name}.{n}", o) for n, o in zip(names, outs)]
    if inplace_outputs:
        for a in inplace_outputs:
            t = live[arg_names.index(a)]
            out_keys.append(_put(f"{name}.{a}_after", t))
            names.append(f"{a}_after")

    entry = {
        "name": name,
        "module": module,
        "op": op,
        "inputs": keys,
        "arg_names": arg_names,
    }
    if list_arg:
        entry["list_arg"] = list_arg
    entry["kwargs"] = kwargs
    entry["outputs"] = out_keys
    entry["output_names"] = names

    diff_inputs = [(k, a, x) for k, a, x in zip(keys, arg_names, live) if x.requires_grad]
    diff_outs = [(k, o) for k, o in zip(out_keys, outs) if o.requires_grad]
    if diff_inputs and diff_outs:
        gkeys = []
        loss = 0.0
        for i, (k, o) in enumerate(diff_outs):
            w = torch.randn(o.shape, generator=g, dtype=o.dtype)
            gkeys.append(_put(f"{name}.g" if len(diff_outs) == 1 else f"{name}.g{i}", w))
            loss = loss + (o * w).sum()
        grads = torch.autograd.grad(loss, [x for _, _, x in diff_inputs], allow_unused=True)
        grad_keys = []
        for (k, a, x), gr in zip(diff_inputs, grads):
            if gr is None:
                gr = torch.zeros_like(x)
            suffix = k.split(".", 1)[1]
            grad_keys.append(_put(f"{name}.grad.{suffix}", gr))
        entry["grad_of"] = [k for k, _ in diff_outs]
        entry["grad_weights"] = gkeys[0] if len(gkeys) == 1 else gkeys
        entry["grad_inputs"] = [k for k, _, _ in diff_inputs]
        entry["grads"] = grad_keys
    if notes:
        entry["notes"] = notes
    CASES.append(entry)
    return entry


def rn(name, *shape, dtype=torch.float32):
    return torch.randn(*shape, generator=_gen(name), dtype=dtype)


def pos(name, *shape):
    return torch.rand(*shape, generator=_gen(name)) * 2.0 + 0.1


def away0(name, *shape):
    """Values with abs in [0.5, 2.5), random sign."""
    g = _gen(name)
    mag = torch.rand(*shape, generator=g) * 2.0 + 0.5
    sgn = torch.randint(0, 2, shape, generator=g).float() * 2 - 1
    return mag * sgn


def ints_as_float(name, *shape, lo=-2, hi=3):
    return torch.randint(lo, hi, shape, generator=_gen(name)).float()


def idx(name, high, *shape):
    return torch.randint(0, high, shape, generator=_gen(name), dtype=torch.int64)


def build_op_cases():
    FN = "torch.nn.functional"

    # --- elementwise binary, broadcasting ---
    case("add_broadcast", "add", [("input", rn("add_broadcast.a", 2, 3, 4)), ("other", rn("add_broadcast.b", 3, 1))])
    case("add_alpha", "add", [("input", rn("add_alpha.a", 3, 4)), ("other", rn("add_alpha.b", 4))], {"alpha": 2.5})
    case("add_same", "add", [("input", rn("add_same.a", 2, 5)), ("other", rn("add_same.b", 2, 5))])
    case("sub_broadcast", "sub", [("input", rn("sub_broadcast.a", 4, 1, 3)), ("other", rn("sub_broadcast.b", 2, 3))])
    case("mul_broadcast", "mul", [("input", rn("mul_broadcast.a", 2, 3, 4)), ("other", rn("mul_broadcast.b", 1, 3, 1))])
    case("div_broadcast", "div", [("input", rn("div_broadcast.a", 3, 4)), ("other", away0("div_broadcast.b", 4))])
    case("pow_scalar", "pow", [("input", pos("pow_scalar.a", 3, 4))], {"exponent": 2.5})
    case("pow_square", "pow", [("input", rn("pow_square.a", 3, 4))], {"exponent": 2})
    case("pow_tensor", "pow", [("input", pos("pow_tensor.a", 2, 3)), ("exponent", rn("pow_tensor.b", 2, 3))])

    # --- elementwise unary ---
    case("exp", "exp", [("input", rn("exp.x", 3, 5))])
    case("log", "log", [("input", pos("log.x", 3, 5))])
    case("abs", "abs", [("input", away0("abs.x", 3, 5))])
    case("sign", "sign", [("input", torch.cat([rn("sign.x", 11), torch.zeros(1)]).reshape(3, 4))],
         notes="includes an exact 0; sign(0)=0; gradient is zero everywhere")
    case("clamp", "clamp", [("input", rn("clamp.x", 4, 5) * 2)], {"min": -0.5, "max": 1.0})
    case("clamp_min", "clamp", [("input", rn("clamp_min.x", 4, 5))], {"min": 0.1})
    case("sigmoid", "sigmoid", [("input", rn("sigmoid.x", 3, 5) * 3)])
    case("tanh", "tanh", [("input", rn("tanh.x", 3, 5) * 2)])
    case("relu", "relu", [("input", rn("relu.x", 3, 5))])
    case("gelu", "gelu", [("input", rn("gelu.x", 3, 5) * 2)], {"approximate": "none"}, module=FN)
    case("gelu_tanh", "gelu", [("input", rn("gelu_tanh.x", 3, 5) * 2)], {"approximate": "tanh"}, module=FN)
    case("silu", "silu", [("input", rn("silu.x", 3, 5) * 2)], module=FN)
    case("softmax_last", "softmax", [("input", rn("softmax_last.x", 2, 3, 5) * 2)], {"dim": -1}, module=FN)
    case("softmax_dim1", "softmax", [("input", rn("softmax_dim1.x", 2, 4, 3) * 2)], {"dim": 1}, module=FN)
    case("log_softmax_last", "log_softmax", [("input", rn("log_softmax_last.x", 3, 5) * 3)], {"dim": -1}, module=FN)
    case("log_softmax_dim0", "log_softmax", [("input", rn("log_softmax_dim0.x", 4, 3) * 3)], {"dim": 0}, module=FN)

    # --- reductions ---
    case("sum_all", "sum", [("input", rn("sum_all.x", 3, 4, 2))])
    case("sum_dim", "sum", [("input", rn("sum_dim.x", 3, 4, 2))], {"dim": 1, "keepdim": False})
    case("sum_dims_keepdim", "sum", [("input", rn("sum_dims_keepdim.x", 3, 4, 2))], {"dim": [0, 2], "keepdim": True})
    case("mean_all", "mean", [("input", rn("mean_all.x", 3, 4, 2))])
    case("mean_dim", "mean", [("input", rn("mean_dim.x", 3, 4, 2))], {"dim": -1, "keepdim": False})
    case("mean_dim_keepdim", "mean", [("input", rn("mean_dim_keepdim.x", 3, 4, 2))], {"dim": 0, "keepdim": True})
    case("max_all", "max", [("input", rn("max_all.x", 3, 4))])
    case("max_dim", "max", [("input", rn("max_dim.x", 3, 4, 2))], {"dim": 1, "keepdim": False})
    case("max_dim_keepdim", "max", [("input", rn("max_dim_keepdim.x", 3, 4))], {"dim": -1, "keepdim": True})
    case("min_all", "min", [("input", rn("min_all.x", 3, 4))])
    case("min_dim", "min", [("input", rn("min_dim.x", 3, 4, 2))], {"dim": 0, "keepdim": False})
    case("argmax_dim", "argmax", [("input", rn("argmax_dim.x", 3, 5))], {"dim": 1, "keepdim": False})
    case("argmax_all", "argmax", [("input", rn("argmax_all.x", 3, 5))],
         notes="no dim: index into the flattened tensor")
    case("std_unbiased", "std", [("input", rn("std_unbiased.x", 3, 5))], {"dim": 1, "unbiased": True, "keepdim": False})
    case("std_biased", "std", [("input", rn("std_biased.x", 3, 5))], {"dim": 0, "unbiased": False, "keepdim": False})
    case("std_all", "std", [("input", rn("std_all.x", 3, 5))], {"unbiased": True})
    case("var_unbiased", "var", [("input", rn("var_unbiased.x", 3, 5))], {"dim": 1, "unbiased": True, "keepdim": True})
    case("var_biased", "var", [("input", rn("var_biased.x", 3, 5))], {"dim": 1, "unbiased": False, "keepdim": False})
    case("var_all", "var", [("input", rn("var_all.x", 4, 3))], {"unbiased": False})
    case("cumsum_dim1", "cumsum", [("input", rn("cumsum_dim1.x", 3, 5))], {"dim": 1})
    case("cumsum_dim0", "cumsum", [("input", rn("cumsum_dim0.x", 4, 3))], {"dim": 0})
    case("topk_largest", "topk", [("input", rn("topk_largest.x", 3, 6))], {"k": 3, "dim": -1, "largest": True, "sorted": True})
    case("topk_smallest", "topk", [("input", rn("topk_smallest.x", 5, 4))], {"k": 2, "dim": 0, "largest": False, "sorted": True})
    case("sort_asc", "sort", [("input", rn("sort_asc.x", 3, 5))], {"dim": -1, "descending": False})
    case("sort_desc", "sort", [("input", rn("sort_desc.x", 4, 3))], {"dim": 0, "descending": True})

    # --- comparisons (bool outputs); integer-valued floats so that ties happen ---
    for op in ["eq", "lt", "gt", "le", "ge", "ne"]:
        case(f"{op}_broadcast", op, [("input", ints_as_float(f"{op}.a", 3, 4)), ("other", ints_as_float(f"{op}.b", 4))])
    case("eq_i64", "eq", [("input", idx("eq_i64.a", 3, 3, 4)), ("other", idx("eq_i64.b", 3, 3, 4))])
    case("lt_scalar", "lt", [("input", rn("lt_scalar.x", 3, 4))], {"other": 0.25})

    # --- dtype cases ---
    case("add_f64", "add", [("input", rn("add_f64.a", 3, 4, dtype=torch.float64)), ("other", rn("add_f64.b", 4, dtype=torch.float64))])
    case("mul_f64", "mul", [("input", rn("mul_f64.a", 3, 4, dtype=torch.float64)), ("other", rn("mul_f64.b", 3, 4, dtype=torch.float64))])
    case("add_i64", "add", [("input", idx("add_i64.a", 10, 3, 4)), ("other", idx("add_i64.b", 10, 4))])
    case("sum_i64", "sum", [("input", idx("sum_i64.x", 10, 3, 4))], {"dim": 1})
    case("add_promote_f32_i64", "add", [("input", rn("add_promote.a", 3, 4)), ("other", idx("add_promote.b", 5, 4))],
         notes="type promotion: float32 + int64 -> float32")
    case("sum_bool", "sum", [("input", rn("sum_bool.x", 3, 5) > 0)], {"dim": 1}, notes="bool sums to int64")

    # --- matmul family ---
    case("matmul_2d", "matmul", [("input", rn("matmul_2d.a", 3, 4)), ("other", rn("matmul_2d.b", 4, 5))])
    case("matmul_batched", "matmul", [("input", rn("matmul_batched.a", 2, 3, 4)), ("other", rn("matmul_batched.b", 2, 4, 5))])
    case("matmul_broadcast", "matmul", [("input", rn("matmul_broadcast.a", 2, 1, 3, 4)), ("other", rn("matmul_broadcast.b", 3, 4, 5))])
    case("matmul_batch_2d", "matmul", [("input", rn("matmul_batch_2d.a", 2, 3, 4)), ("other", rn("matmul_batch_2d.b", 4, 2))])
    case("matmul_mv", "matmul", [("input", rn("matmul_mv.a", 3, 4)), ("other", rn("matmul_mv.b", 4))])
    case("matmul_vm", "matmul", [("input", rn("matmul_vm.a", 4)), ("other", rn("matmul_vm.b", 4, 3))])
    case("bmm", "bmm", [("input", rn("bmm.a", 3, 2, 4)), ("mat2", rn("bmm.b", 3, 4, 5))])
    case("linear", "linear", [("input", rn("linear.x", 2, 3, 5)), ("weight", rn("linear.w", 4, 5)), ("bias", rn("linear.b", 4))], module=FN)
    case("linear_nobias", "linear", [("input", rn("linear_nobias.x", 3, 5)), ("weight", rn("linear_nobias.w", 2, 5))], module=FN)

    # --- convolutions ---
    case("conv1d", "conv1d", [("input", rn("conv1d.x", 2, 3, 8)), ("weight", rn("conv1d.w", 4, 3, 3)), ("bias", rn("conv1d.b", 4))],
         {"stride": 1, "padding": 0, "dilation": 1, "groups": 1}, module=FN)
    case("conv1d_s2_p1_d2", "conv1d", [("input", rn("conv1d_s2.x", 2, 2, 9)), ("weight", rn("conv1d_s2.w", 3, 2, 3)), ("bias", rn("conv1d_s2.b", 3))],
         {"stride": 2, "padding": 1, "dilation": 2, "groups": 1}, module=FN)
    case("conv2d", "conv2d", [("input", rn("conv2d.x", 2, 3, 5, 5)), ("weight", rn("conv2d.w", 4, 3, 3, 3)), ("bias", rn("conv2d.b", 4))],
         {"stride": 1, "padding": 0, "dilation": 1, "groups": 1}, module=FN)
    case("conv2d_s2_p1", "conv2d", [("input", rn("conv2d_s2_p1.x", 2, 2, 6, 6)), ("weight", rn("conv2d_s2_p1.w", 3, 2, 3, 3)), ("bias", rn("conv2d_s2_p1.b", 3))],
         {"stride": 2, "padding": 1, "dilation": 1, "groups": 1}, module=FN)
    case("conv2d_asym", "conv2d", [("input", rn("conv2d_asym.x", 1, 2, 6, 5)), ("weight", rn("conv2d_asym.w", 2, 2, 3, 2)), ("bias", rn("conv2d_asym.b", 2))],
         {"stride": [2, 1], "padding": [1, 0], "dilation": 1, "groups": 1}, module=FN)
    case("conv2d_dil2", "conv2d", [("input", rn("conv2d_dil2.x", 2, 2, 6, 6)), ("weight", rn("conv2d_dil2.w", 3, 2, 2, 2)), ("bias", rn("conv2d_dil2.b", 3))],
         {"stride": 1, "padding": 1, "dilation": 2, "groups": 1}, module=FN)
    case("conv2d_groups2_nobias", "conv2d", [("input", rn("conv2d_groups2.x", 2, 4, 5, 5)), ("weight", rn("conv2d_groups2.w", 6, 2, 3, 3))],
         {"stride": 1, "padding": 1, "dilation": 1, "groups": 2}, module=FN)
    case("conv2d_depthwise", "conv2d", [("input", rn("conv2d_dw.x", 1, 3, 5, 5)), ("weight", rn("conv2d_dw.w", 3, 1, 3, 3)), ("bias", rn("conv2d_dw.b", 3))],
         {"stride": 1, "padding": 1, "dilation": 1, "groups": 3}, module=FN)

    # --- pooling ---
    case("max_pool2d_k2", "max_pool2d", [("input", rn("max_pool2d_k2.x", 2, 3, 6, 6))], {"kernel_size": 2, "stride": 2}, module=FN)
    case("max_pool2d_k3_s2_p1", "max_pool2d", [("input", rn("max_pool2d_k3.x", 1, 2, 5, 5))],
         {"kernel_size": 3, "stride": 2, "padding": 1}, module=FN)
    case("max_pool2d_ceil", "max_pool2d", [("input", rn("max_pool2d_ceil.x", 1, 2, 5, 5))],
         {"kernel_size": 2, "stride": 2, "ceil_mode": True}, module=FN)
    case("avg_pool2d_k2", "avg_pool2d", [("input", rn("avg_pool2d_k2.x", 2, 3, 6, 6))], {"kernel_size": 2, "stride": 2}, module=FN)
    case("avg_pool2d_k3_s2_p1", "avg_pool2d", [("input", rn("avg_pool2d_k3.x", 1, 2, 5, 5))],
         {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": True}, module=FN)
    case("avg_pool2d_k3_s2_p1_nopad", "avg_pool2d", [("input", rn("avg_pool2d_k3n.x", 1, 2, 5, 5))],
         {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}, module=FN)
    case("adaptive_avg_pool2d_1", "adaptive_avg_pool2d", [("input", rn("aap_1.x", 2, 3, 5, 4))], {"output_size": [1, 1]}, module=FN)
    case("adaptive_avg_pool2d_2x3", "adaptive_avg_pool2d", [("input", rn("aap_2x3.x", 1, 2, 5, 5))], {"output_size": [2, 3]}, module=FN)

    # --- normalization ---
    for nm, shape in [("batch_norm_train_4d", (4, 3, 3, 3)), ("batch_norm_train_2d", (6, 4))]:
        C = shape[1]
        case(nm, "batch_norm", [
            ("input", rn(nm + ".x", *shape) * 2 + 0.5),
            ("running_mean", rn(nm + ".rm", C) * 0.1),
            ("running_var", pos(nm + ".rv", C)),
            ("weight", rn(nm + ".w", C)),
            ("bias", rn(nm + ".b", C)),
        ], {"training": True, "momentum": 0.1, "eps": 1e-5}, module=FN,
            nondiff=("running_mean", "running_var"), inplace_outputs=("running_mean", "running_var"),
            notes="training: normalizes with the biased batch variance; running_var is updated "
                  "with the unbiased one: r <- (1-momentum)*r + momentum*stat")
    nm = "batch_norm_eval"
    case(nm, "batch_norm", [
        ("input", rn(nm + ".x", 4, 3, 3, 3)),
        ("running_mean", rn(nm + ".rm", 3) * 0.3),
        ("running_var", pos(nm + ".rv", 3)),
        ("weight", rn(nm + ".w", 3)),
        ("bias", rn(nm + ".b", 3)),
    ], {"training": False, "momentum": 0.1, "eps": 1e-5}, module=FN, nondiff=("running_mean", "running_var"))
    case("layer_norm_last", "layer_norm", [("input", rn("ln_last.x", 2, 3, 5) * 2 + 1), ("weight", rn("ln_last.w", 5)), ("bias", rn("ln_last.b", 5))],
         {"normalized_shape": [5], "eps": 1e-5}, module=FN)
    case("layer_norm_last2", "layer_norm", [("input", rn("ln_last2.x", 2, 3, 4)), ("weight", rn("ln_last2.w", 3, 4)), ("bias", rn("ln_last2.b", 3, 4))],
         {"normalized_shape": [3, 4], "eps": 1e-5}, module=FN)
    case("layer_norm_noaffine", "layer_norm", [("input", rn("ln_na.x", 3, 6))], {"normalized_shape": [6], "eps": 1e-5}, module=FN)

    # --- losses ---
    case("cross_entropy", "cross_entropy", [("input", rn("ce.x", 5, 4) * 2), ("target", idx("ce.t", 4, 5))],
         {"reduction": "mean"}, module=FN)
    case("cross_entropy_ls", "cross_entropy", [("input", rn("ce_ls.x", 6, 5) * 2), ("target", idx("ce_ls.t", 5, 6))],
         {"reduction": "mean", "label_smoothing": 0.1}, module=FN)
    case("cross_entropy_sum", "cross_entropy", [("input", rn("ce_sum.x", 4, 3) * 2), ("target", idx("ce_sum.t", 3, 4))],
         {"reduction": "sum"}, module=FN)
    case("bce_with_logits", "binary_cross_entropy_with_logits",
         [("input", rn("bce.x", 4, 3) * 2), ("target", (torch.rand(4, 3, generator=_gen("bce.t")) > 0.5).float())],
         {"reduction": "mean"}, module=FN, nondiff=("target",))
    case("bce_with_logits_soft", "binary_cross_entropy_with_logits",
         [("input", rn("bce_soft.x", 6) * 3), ("target", torch.rand(6, generator=_gen("bce_soft.t")))],
         {"reduction": "mean"}, module=FN, nondiff=("target",))
    case("mse_loss", "mse_loss", [("input", rn("mse.x", 4, 3)), ("target", rn("mse.t", 4, 3))], {"reduction": "mean"}, module=FN,
         nondiff=("target",))
    case("mse_loss_sum", "mse_loss", [("input", rn("mse_sum.x", 5)), ("target", rn("mse_sum.t", 5))], {"reduction": "sum"}, module=FN)
    case("l1_loss", "l1_loss", [("input", rn("l1.x", 4, 3)), ("target", rn("l1.t", 4, 3))], {"reduction": "mean"}, module=FN,
         nondiff=("target",))

    # --- shape ops ---
    case("reshape", "reshape", [("input", rn("reshape.x", 2, 3, 4))], {"shape": [4, -1]})
    case("permute", "permute", [("input", rn("permute.x", 2, 3, 4))], {"dims": [2, 0, 1]})
    case("transpose", "transpose", [("input", rn("transpose.x", 2, 3, 4))], {"dim0": 0, "dim1": 2})
    case("flatten", "flatten", [("input", rn("flatten.x", 2, 3, 2, 2))], {"start_dim": 1, "end_dim": -1})
    case("flatten_mid", "flatten", [("input", rn("flatten_mid.x", 2, 3, 2, 2))], {"start_dim": 1, "end_dim": 2})
    case("squeeze_dim", "squeeze", [("input", rn("squeeze_dim.x", 2, 1, 3, 1))], {"dim": 1})
    case("squeeze_all", "squeeze", [("input", rn("squeeze_all.x", 2, 1, 3, 1))])
    case("unsqueeze", "unsqueeze", [("input", rn("unsqueeze.x", 2, 3))], {"dim": -1})
    case("cat_dim0", "cat", [("tensors", rn("cat0.a", 2, 3)), ("tensors", rn("cat0.b", 1, 3)), ("tensors", rn("cat0.c", 3, 3))],
         {"dim": 0}, list_arg="tensors")
    case("cat_dim1", "cat", [("tensors", rn("cat1.a", 2, 2, 3)), ("tensors", rn("cat1.b", 2, 4, 3))], {"dim": 1}, list_arg="tensors")
    case("stack", "stack", [("tensors", rn("stack.a", 2, 3)), ("tensors", rn("stack.b", 2, 3)), ("tensors", rn("stack.c", 2, 3))],
         {"dim": 1}, list_arg="tensors")
    case("split_size", "split", [("tensor", rn("split_size.x", 5, 4))], {"split_size_or_sections": 2, "dim": 0})
    case("split_sections", "split", [("tensor", rn("split_sections.x", 2, 6))], {"split_size_or_sections": [1, 3, 2], "dim": 1})
    case("index_select", "index_select", [("input", rn("index_select.x", 4, 3)), ("index", torch.tensor([3, 0, 3, 1]))], {"dim": 0},
         notes="repeated index: gradients accumulate")
    case("index_select_dim1", "index_select", [("input", rn("index_select1.x", 2, 5)), ("index", torch.tensor([4, 2]))], {"dim": 1})
    case("gather", "gather", [("input", rn("gather.x", 3, 4)), ("index", idx("gather.i", 4, 3, 5))], {"dim": 1})
    case("gather_dim0", "gather", [("input", rn("gather0.x", 3, 4)), ("index", idx("gather0.i", 3, 2, 4))], {"dim": 0})
    case("where", "where", [("condition", rn("where.c", 3, 4) > 0), ("input", rn("where.a", 3, 4)), ("other", rn("where.b", 4))])
    case("masked_fill", "masked_fill", [("input", rn("masked_fill.x", 3, 4)), ("mask", rn("masked_fill.m", 4) > 0)], {"value": -1.5})
    case("embedding", "embedding", [("input", torch.tensor([[0, 2, 4], [2, 2, 1]])), ("weight", rn("embedding.w", 5, 3))], module=FN,
         notes="repeated indices: weight gradient rows accumulate")


# ----------------------------------------------------------------------------------------
# The paper's activations (docs/method.md §1), computed in float64 from float32 inputs
# ----------------------------------------------------------------------------------------

def _special_x(name, n_random=24, scale=3.0):
    fixed = torch.tensor([-1e4, -100.0, -10.0, -2.0, -1.0, -0.5, -0.25, -0.1, -1e-3, -1e-6, 0.0,
                          1e-6, 1e-3, 0.1, 0.25, 0.5, 1.0, 2.0, 10.0, 100.0, 1e4], dtype=torch.float32)
    return torch.cat([fixed, rn(name, n_random) * scale]).reshape(-1, 5)


def _sig(u):
    return torch.sigmoid(u)


def _sech2(z):
    """1 - tanh(z)^2 without cancellation: 4 e^{-2|z|} / (1 + e^{-2|z|})^2."""
    e = torch.exp(-2.0 * z.abs())
    return 4.0 * e / (1.0 + e) ** 2


def activation_case(name, op, x32, kwargs, fwd64, bwd64, notes):
    """x stored as F32, g stored as F32, out and grad computed in float64 and stored F64."""
    g32 = rn(name + "/g", *x32.shape)
    x = x32.double()
    out = fwd64(x)
    dydx = bwd64(x)
    grad = dydx * g32.double()
    assert torch.isfinite(out).all() and torch.isfinite(grad).all(), name
    kx = _put(f"{name}.x", x32)
    ko = _put(f"{name}.out", out)
    kg = _put(f"{name}.g", g32)
    kgr = _put(f"{name}.grad.x", grad)
    CASES.append({
        "name": name, "module": "htaf", "op": op, "inputs": [kx], "arg_names": ["x"], "kwargs": kwargs,
        "outputs": [ko], "output_names": ["out"], "grad_of": [ko], "grad_weights": kg,
        "grad_inputs": [kx], "grads": [kgr], "precision": "float64",
        "notes": notes,
    })


def build_activation_cases():
    for a, b in [(2.0, 11.0), (0.5, 100.0), (8.0, 2.75), (11.0, 2.0), (1.0, 1e4), (0.005, 5000.0)]:
        name = f"htaf_a{a:g}_b{b:g}"

        def fwd(x, a=a, b=b):
            return _sig(b * torch.tanh(a * x))

        def bwd(x, a=a, b=b):
            u = b * torch.tanh(a * x)
            return a * b * _sig(u) * _sig(-u) * _sech2(a * x)

        # cross-check the formula of docs/method.md §1 against float64 autograd of the composition
        xc = _special_x(name).double().requires_grad_(True)
        (ga,) = torch.autograd.grad(fwd(xc).sum(), xc)
        assert torch.allclose(ga, bwd(xc.detach()), rtol=1e-9, atol=1e-12), name
        activation_case(name, "htaf", _special_x(name), {"alpha": a, "beta": b}, fwd, bwd,
                        "out = sigmoid(beta*tanh(alpha*x)); dy/dx = alpha*beta*s(u)*s(-u)*(1-tanh^2(alpha*x)), "
                        "u = beta*tanh(alpha*x); computed in float64 with 1-tanh^2 written as sech^2 "
                        "(no cancellation), so deep-tail gradients are tiny but nonzero where a float32 "
                        "1-tanh^2 gives 0: compare with an absolute tolerance")

    for gamma in [22.0, 1.0, 1e4]:
        name = f"scaled_sigmoid_g{gamma:g}"

        def fwd(x, c=gamma):
            return _sig(c * x)

        def bwd(x, c=gamma):
            return c * _sig(c * x) * _sig(-c * x)

        activation_case(name, "scaled_sigmoid", _special_x(name), {"gamma": gamma}, fwd, bwd,
                        "out = sigmoid(gamma*x); dy/dx = gamma*s(gamma x)*s(-gamma x); float64")

    def heaviside(x):
        return (x >= 0).to(x.dtype)

    ste = [
        ("sigmoid", {"surrogate": "sigmoid", "k": 4.0}, lambda x: 4.0 * _sig(4.0 * x) * _sig(-4.0 * x),
         "backward k*s(kx)*s(-kx)"),
        ("tanh", {"surrogate": "tanh", "k": 2.0}, lambda x: (2.0 / 2) * _sech2(2.0 * x),
         "backward (k/2)*(1-tanh^2(kx))"),
        ("rect", {"surrogate": "rect", "a": 1.0}, lambda x: (1.0 / 1.0) * (x.abs() < 1.0 / 2).to(x.dtype),
         "backward (1/a)*1[|x| < a/2] (strict: |x| = a/2 gives 0)"),
    ]
    for sname, kw, bwd, note in ste:
        name = f"heaviside_ste_{sname}"
        activation_case(name, "heaviside", _special_x(name, scale=1.0), kw, heaviside, bwd,
                        "forward H(x) = 1 if x >= 0 else 0 (H(0) = 1); " + note + "; float64")


# ----------------------------------------------------------------------------------------
# One Adam step on the MLP and the CNN
# ----------------------------------------------------------------------------------------

class HTAF(nn.Module):
    def __init__(self, alpha=2.0, beta=11.0):
        super().__init__()
        self.alpha, self.beta = alpha, beta

    def forward(self, x):
        return torch.sigmoid(self.beta * torch.tanh(self.alpha * x))


def mlp(act):
    return nn.Sequential(nn.Linear(45, 256), act(), nn.Linear(256, 256), act(),
                         nn.Linear(256, 128), act(), nn.Linear(128, 1))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


ADAM = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}


def adam_step_file(path, model, x, y, loss_fn, meta, skip_grads=()):
    init = {k: v.detach().clone() for k, v in model.state_dict().items()}
    opt = torch.optim.Adam(model.parameters(), lr=ADAM["lr"], betas=ADAM["betas"], eps=ADAM["eps"],
                           weight_decay=ADAM["weight_decay"], amsgrad=ADAM["amsgrad"])
    opt.zero_grad()
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()
    grads = {k: p.grad.detach().clone() for k, p in model.named_parameters()}
    opt.step()
    after = {k: v.detach().clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        loss_after = loss_fn(model(x), y)

    t = {"x": x, "y": y, "out": out.detach(), "loss": loss.detach().reshape(()), "loss_after": loss_after.reshape(())}
    for k, v in init.items():
        t["init." + k] = v
    for k, v in grads.items():
        if k not in skip_grads:
            t["grad." + k] = v
    for k, v in after.items():
        t["after." + k] = v
    m = {
        "torch": torch.__version__,
        "optimizer": "torch.optim.Adam",
        "adam": json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in ADAM.items()}),
        "loss_value": repr(float(loss.item())),
        "loss_after_value": repr(float(loss_after.item())),
        "param_names": json.dumps([k for k, _ in model.named_parameters()]),
        "grads_omitted": json.dumps(list(skip_grads)),
    }
    m.update(meta)
    return save_file(t, path, m)


def build_mlp(path, act, act_desc):
    torch.manual_seed(0)
    model = mlp(act)
    x = torch.randn(32, 45)
    y = torch.randn(32, 1)
    return adam_step_file(path, model, x, y, F.mse_loss, {
        "model": "Sequential(Linear(45,256), act, Linear(256,256), act, Linear(256,128), act, Linear(128,1))",
        "activation": act_desc,
        "loss_fn": "mse_loss(out, y), reduction mean",
        "recipe": "torch.manual_seed(0); model = Sequential(...) (default init); x = torch.randn(32,45); "
                  "y = torch.randn(32,1); zero_grad; loss = mse_loss(model(x), y); backward; Adam.step()",
    })


def build_cnn(path):
    torch.manual_seed(0)
    model = cnn()
    x = torch.randn(8, 1, 28, 28)
    y = torch.randint(0, 10, (8,), dtype=torch.int64)
    return adam_step_file(path, model, x, y, F.cross_entropy, {
        "model": "Sequential(Conv2d(1,32,3,padding=1), ReLU, MaxPool2d(2), Conv2d(32,64,3,padding=1), ReLU, "
                 "MaxPool2d(2), Flatten, Linear(3136,128), ReLU, Linear(128,10))",
        "activation": "relu",
        "loss_fn": "cross_entropy(out, y), reduction mean",
        "recipe": "torch.manual_seed(0); model = Sequential(...) (default init); x = torch.randn(8,1,28,28); "
                  "y = torch.randint(0,10,(8,)); zero_grad; loss = cross_entropy(model(x), y); backward; Adam.step()",
        "note": "grad.7.weight (the 3136x128 Linear, 1.6 MB) is omitted to keep the file small; "
                "all other gradients are stored",
    }, skip_grads=("7.weight",))


def replay_ops(json_path, st_path):
    """Re-run every torch case from the files alone (checks that the JSON layout is complete)."""
    doc = json.load(open(json_path))
    ts, _ = load_file(st_path)
    n = 0
    for c in doc["cases"]:
        if c["module"] == "htaf":
            continue
        fn = _resolve(c["module"], c["op"])
        gi = set(c.get("grad_inputs", []))
        live = {k: ts[k].clone().requires_grad_(k in gi) for k in c["inputs"]}
        if "list_arg" in c:
            res = fn(**{c["list_arg"]: [live[k] for k in c["inputs"]]}, **c["kwargs"])
        else:
            res = fn(**{a: live[k] for a, k in zip(c["arg_names"], c["inputs"])}, **c["kwargs"])
        outs = [res] if isinstance(res, torch.Tensor) else list(res)
        for i, (k, o) in enumerate(zip(c["outputs"], outs)):
            assert o.dtype == ts[k].dtype and torch.equal(o.detach(), ts[k]), (c["name"], k)
        for nm, k in zip(c["output_names"], c["outputs"]):
            if nm.endswith("_after"):
                assert torch.equal(live[c["inputs"][c["arg_names"].index(nm[:-6])]], ts[k]), k
        if "grads" in c:
            gw = c["grad_weights"] if isinstance(c["grad_weights"], list) else [c["grad_weights"]]
            loss = sum((outs[c["outputs"].index(o)] * ts[w]).sum() for o, w in zip(c["grad_of"], gw))
            grads = torch.autograd.grad(loss, [live[k] for k in c["grad_inputs"]])
            for gk, gr in zip(c["grads"], grads):
                assert torch.equal(gr, ts[gk]), gk
        n += 1
    return n


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    build_op_cases()
    build_activation_cases()
    ops_path = os.path.join(OUT_DIR, "ops.safetensors")
    sizes = {}
    sizes["ops.safetensors"] = save_file(TENSORS, ops_path, {"torch": torch.__version__, "index": "ops.json"})
    doc = {
        "torch": torch.__version__,
        "torch_package": _torch_package_version(),
        "tensors": "ops.safetensors",
        "loss_for_grads": "sum over k of (outputs[grad_of[k]] * grad_weights[k]).sum()",
        "cases": CASES,
    }
    with open(os.path.join(OUT_DIR, "ops.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    sizes["ops.json"] = os.path.getsize(os.path.join(OUT_DIR, "ops.json"))

    sizes["mlp_adam.safetensors"] = build_mlp(os.path.join(OUT_DIR, "mlp_adam.safetensors"), nn.ReLU, "relu")
    sizes["mlp_htaf_adam.safetensors"] = build_mlp(
        os.path.join(OUT_DIR, "mlp_htaf_adam.safetensors"), lambda: HTAF(2.0, 11.0),
        "htaf alpha=2 beta=11: torch.sigmoid(11*torch.tanh(2*x)) in float32")
    sizes["cnn_adam.safetensors"] = build_cnn(os.path.join(OUT_DIR, "cnn_adam.safetensors"))

    # self-check: everything reads back
    back, _ = load_file(ops_path)
    assert list(back) == list(TENSORS)
    for c in CASES:
        for k in c["inputs"] + c["outputs"] + c.get("grads", []):
            assert k in back, k
    n = replay_ops(os.path.join(OUT_DIR, "ops.json"), ops_path)
    print(f"replayed {n} torch cases from ops.json + ops.safetensors: identical")
    total = sum(sizes.values())
    for k, v in sizes.items():
        print(f"{k:28s} {v:>10,d} bytes")
    print(f"{'total':28s} {total:>10,d} bytes, {len(CASES)} op cases, {len(TENSORS)} tensors")


if __name__ == "__main__":
    main()
