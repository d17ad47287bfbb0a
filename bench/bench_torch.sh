#!/bin/sh
# bench_torch.sh: the same workloads in PyTorch (Debian python3-torch, 2 threads) beside rdn's
# bench_train figures. Skipped with a message when torch is not installed.
PY=/usr/bin/python3
REF=${TORCH_REF:-/work/shared/bench/torch_ref.py}
[ -f "$REF" ] || REF="$(dirname "$0")/torch_ref.py"
if ! "$PY" -c 'import torch' >/dev/null 2>&1; then
    echo "bench_torch: skipped (no torch for $PY)"; exit 0
fi
if [ ! -f "$REF" ]; then echo "bench_torch: skipped (torch_ref.py not found)"; exit 0; fi
for cfg in "784 10 64 20" "64 20 32 300" "2 50 32 1000"; do
    set -- $cfg
    "$PY" "$REF" resnet "$1" "$2" "$3" "$4" 2 || exit 1
done
