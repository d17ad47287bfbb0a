#!/bin/sh
# test_data_example.sh: examples/fashion.rdn runs at a tiny size (quick=true: 500 training and
# 200 test images) and prints a test accuracy; skipped when Fashion-MNIST is not installed.
set -u
RDN=${RDN:-$(pwd)/rdn}
if [ ! -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]; then
  echo "test_data_example.sh: skipped (dataset-fashion-mnist not installed)"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ex="$(cd "$(dirname "$0")/../.." && pwd)/examples/fashion.rdn"
if ! "$RDN" --quiet --threads 2 --out "$tmp" "$ex" --set quick=true --set epochs=1 > "$tmp/out" 2> "$tmp/err"; then
  echo "FAIL: examples/fashion.rdn (quick)"; cat "$tmp/err"; exit 1
fi
if grep -q '^dataset: 500 inputs, dim 784, 10 classes' "$tmp/out" &&
   grep -Eq '^test accuracy: (0(\.[0-9]+)?|1)$' "$tmp/out"; then
  echo "ok: examples/fashion.rdn quick: $(grep '^test accuracy' "$tmp/out")"
else
  echo "FAIL: examples/fashion.rdn quick output:"; cat "$tmp/out"; exit 1
fi
