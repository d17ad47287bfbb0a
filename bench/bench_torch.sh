#!/bin/sh
# bench_torch.sh: the same workloads in PyTorch (Debian python3-torch, 2 threads) beside rdn's
# bench_train figures (read from build/bench/bench_train.txt, written by bench_train just before),
# printed as one side-by-side table with the issue's targets. Skipped with a message when torch is
# not installed. The PyTorch workload is bench/torch_ref.py (the project's own script; TORCH_REF=path
# runs another).
PY=/usr/bin/python3
REF=${TORCH_REF:-$(dirname "$0")/torch_ref.py}
RES=${RDN_BENCH_RESULTS:-build/bench/bench_train.txt}
if ! "$PY" -c 'import torch' >/dev/null 2>&1; then
    echo "bench_torch: skipped (no torch for $PY)"; exit 0
fi
if [ ! -f "$REF" ]; then echo "bench_torch: skipped (torch_ref.py not found at $REF)"; exit 0; fi
printf '\n%-18s %12s %12s %7s %12s %12s   %s\n' "resnet D,T,B" "rdn train/s" "torch train/s" "ratio" "rdn rec/s" "torch rec/s" "target"
for cfg in "784 10 64 20 4" "64 20 32 300 3" "2 50 32 1000 30"; do
    set -- $cfg
    out=$("$PY" "$REF" resnet "$1" "$2" "$3" "$4" 2) || exit 1
    tt=$(echo "$out" | sed -n 's/.*train \([0-9]*\) samples.*/\1/p')
    tr=$(echo "$out" | sed -n 's/.*record \([0-9]*\) samples.*/\1/p')
    rt=""; rr=""
    [ -f "$RES" ] && rt=$(awk -v d="$1" -v t="$2" -v b="$3" '$1==d && $2==t && $3==b {print $4}' "$RES") \
                  && rr=$(awk -v d="$1" -v t="$2" -v b="$3" '$1==d && $2==t && $3==b {print $6}' "$RES")
    ratio=$(awk -v a="${rt:-0}" -v b="${tt:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", a / b; else print "-" }')
    printf '%-18s %12s %12s %7s %12s %12s   >= %sx torch\n' "$1,$2,$3" "${rt:--}" "${tt:--}" "$ratio" "${rr:--}" "${tr:--}" "$5"
done
[ -f "$RES" ] && awk '$1=="peak" {printf "(sgemm peak measured by bench_train: %s GFLOP/s)\n", $2}' "$RES"
exit 0
