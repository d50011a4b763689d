#!/usr/bin/env bash
# The runtime benchmark of bench/RESULTS.md (issue 11): inference of exported Fashion-MNIST models at
# batch 64, one thread, every engine against the same model in htaf's exact mode on libtorch (float32)
# and its ONNX export in onnxruntime-web, the engines alternating within each round.
#   bench/runtime_infer.sh models   trains the four models briefly (3000 images, 1 epoch, default sizes:
#                                   WRN-16-1 DHN, Bi-Real-18 base 16, SEW-ResNet-10 base 16 T=4, ICBM ResNet-18 M=64)
#   bench/runtime_infer.sh run [ROUNDS]   exports them and times every engine (default 3 rounds)
# Output: .bench-out/runtime/infer.jsonl (one bench infer JSON line per run), summarized by
# node bench/runtime_infer_table.mjs .bench-out/runtime/infer.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.bench-out/runtime
COMMON=(--dataset fashion-mnist --train-size 3000 --epochs 1 --seed 0 --json)
mkdir -p "$OUT"
case "${1:-}" in
  models)
    for m in dhn bnn snn; do node bin/htaf.js images train --model "$m" "${COMMON[@]}" --out "$OUT/$m"; done
    node bin/htaf.js icbm train --backbone resnet --concepts 64 "${COMMON[@]}" --out "$OUT/icbm" ;;
  run)
    rounds="${2:-3}"
    for m in dhn bnn snn icbm; do node bin/htaf.js export --run "$OUT/$m" --json; done
    : > "$OUT/infer.jsonl"
    for r in $(seq "$rounds"); do
      for m in dhn bnn snn icbm; do
        for e in libtorch native wasm onnxruntime js; do
          steps=20; [ "$e" = js ] && steps=3
          node bin/htaf.js bench infer --model "$OUT/$m/model.htafb" --engine "$e" --batch 64 --threads 1 --steps "$steps" --warmup 2 --json \
            | node -e "const j=JSON.parse(require('fs').readFileSync(0,'utf8'));j.family='$m';j.round=$r;console.log(JSON.stringify(j))" >> "$OUT/infer.jsonl"
        done
      done
    done
    node bench/runtime_infer_table.mjs "$OUT/infer.jsonl" ;;
  *) echo "usage: $0 models | run [ROUNDS]" >&2; exit 2 ;;
esac
