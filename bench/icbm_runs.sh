#!/usr/bin/env bash
# The ICBM benchmark runs of bench/RESULTS.md (issue 6), on Fashion-MNIST at a 2-core CPU budget:
# ResNet-18 (base 16, small-image stem), M = 64 concepts, 20,000 training images, 5 epochs, Adam 1e-3,
# the full 10,000-image test set.
#   bench/icbm_runs.sh designs          HTAF with each concept-layer design (each with its own standard model)
#   bench/icbm_runs.sh methods DESIGN   SS and STE on DESIGN, reusing that design's standard model (--baseline)
# Runs land in .bench-out/icbm/<design>-<method>/ (result.json holds the metrics).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.bench-out/icbm
COMMON=(--dataset fashion-mnist --backbone resnet --concepts 64 --train-size 20000 --epochs 5 --seed 0 --json)
mkdir -p "$OUT"
case "${1:-}" in
  designs)
    for d in linear linear-bn linear-ln; do
      node bin/htaf.js icbm train "${COMMON[@]}" --concept-layer "$d" --method htaf --out "$OUT/$d-htaf" --resume
    done ;;
  methods)
    d="${2:?design}"
    for m in ss ste:sigmoid; do
      node bin/htaf.js icbm train "${COMMON[@]}" --concept-layer "$d" --method "$m" --baseline "$OUT/$d-htaf/standard/best.safetensors" --out "$OUT/$d-${m%%:*}" --resume
    done ;;
  *) echo "usage: $0 designs | methods DESIGN" >&2; exit 2 ;;
esac
