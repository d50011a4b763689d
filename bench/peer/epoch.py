#!/usr/bin/python3
"""PyTorch peer of htaf's tabular epoch (bench/epoch.ts): the same MLP, data, batch and per-epoch work.

  /usr/bin/python3 bench/peer/epoch.py --data .bench-out/churn_encoded.safetensors \
      --method relu|htaf:alpha=A,beta=B --epochs N --batch 256 --threads T

One epoch: a random permutation, minibatches (index_select, zero_grad, forward, BCE-with-logits,
loss.item(), backward, Adam step), then the validation AUROC with exact steps (HTAF replaced by the
Heaviside step under no_grad). Prints one JSON line with s_per_epoch (median over epochs 2..N).
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "golden"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--method", default="relu")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a.threads))
    import torch
    import torch.nn as nn
    from safetensors_io import load_file

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    t, _meta = load_file(a.data)
    x_train, y_train = t["x_train"], t["y_train"].unsqueeze(1)
    x_val, y_val = t["x_val"], t["y_val"]

    if a.method.startswith("htaf"):
        params = dict(kv.split("=") for kv in a.method.split(":", 1)[1].split(","))
        alpha, beta = float(params["alpha"]), float(params["beta"])

        class Act(nn.Module):
            exact = False

            def forward(self, x):
                if self.exact:
                    return (x >= 0).to(x.dtype)
                return torch.sigmoid(beta * torch.tanh(alpha * x))
    elif a.method == "relu":
        class Act(nn.Module):
            exact = False

            def forward(self, x):
                return torch.relu(x)
    else:
        raise SystemExit(f"epoch.py: method must be relu or htaf:alpha=..,beta=..; got {a.method}")

    sizes = [x_train.shape[1], 256, 256, 128]
    layers = []
    for i in range(3):
        layers += [nn.Linear(sizes[i], sizes[i + 1]), Act()]
    model = nn.Sequential(*layers, nn.Linear(128, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()

    def auroc(scores, labels):
        order = torch.argsort(scores)
        ranks = torch.empty_like(scores)
        ranks[order] = torch.arange(1, len(scores) + 1, dtype=scores.dtype)
        pos = labels == 1
        n_pos, n_neg = int(pos.sum()), int((~pos).sum())
        return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))

    n = x_train.shape[0]
    times = []
    for epoch in range(a.epochs):
        start = time.perf_counter()
        model.train()
        perm = torch.randperm(n)
        for s in range(0, n, a.batch):
            idx = perm[s:s + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(x_train.index_select(0, idx)), y_train.index_select(0, idx))
            loss.item()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            for m in model:
                if isinstance(m, Act):
                    m.exact = True
            auroc(model(x_val).squeeze(1), y_val)
            for m in model:
                if isinstance(m, Act):
                    m.exact = False
        times.append(time.perf_counter() - start)
    print(json.dumps({"impl": "pytorch", "method": a.method, "s_per_epoch": statistics.median(times[1:]),
                      "epochs": a.epochs, "batch": a.batch, "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
