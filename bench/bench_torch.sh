#!/bin/sh
# bench_torch.sh: the same workloads in PyTorch (Debian python3-torch, 1 and 2 threads) beside
# rdn's bench_train figures (build/bench/bench_train.txt, written by bench_train just before), as
# one side-by-side table with issue 10's targets and whether this run meets them. The PyTorch
# workload is bench/torch_ref.py (TORCH_REF=path runs another). Without torch, the rdn columns are
# printed and the PyTorch ones are "-". RDN_BENCH_TORCH=FILE reuses PyTorch lines saved before.
PY=/usr/bin/python3
REF=${TORCH_REF:-$(dirname "$0")/torch_ref.py}
RES=${RDN_BENCH_RESULTS:-build/bench/bench_train.txt}
[ -f "$RES" ] || { echo "bench_torch: no $RES (run bench_train first)"; exit 1; }
have_torch=1
"$PY" -c 'import torch' >/dev/null 2>&1 && [ -f "$REF" ] || { have_torch=0; echo "bench_torch: no PyTorch: its columns are -"; }
TORCH=$(mktemp)
trap 'rm -f "$TORCH"' EXIT
[ -n "$RDN_BENCH_TORCH" ] && [ -f "$RDN_BENCH_TORCH" ] && { cp "$RDN_BENCH_TORCH" "$TORCH"; have_torch=0; }
for cfg in "784 10 64 20" "64 20 32 300" "2 50 32 1000"; do
    set -- $cfg
    for th in 1 2; do
        if [ $have_torch = 1 ]; then
            out=$("$PY" "$REF" resnet "$1" "$2" "$3" "$4" $th) || exit 1
            tt=$(echo "$out" | sed -n 's/.*train \([0-9]*\) samples.*/\1/p')
            tr=$(echo "$out" | sed -n 's/.*record \([0-9]*\) samples.*/\1/p')
            echo "torch $1 $2 $3 $th ${tt:-0} ${tr:-0}" >> "$TORCH"
        fi
    done
done
cat "$RES" "$TORCH" | awk '
function fmt(x) { return x > 0 ? sprintf("%d", x) : "-" }
function pct(x, p) { return p > 0 ? sprintf("%.0f%%", 100 * x / p) : "-" }
function verdict(ok) { return ok ? "met" : "NOT met" }
$1 == "run"   { k = $2 " " $3 " " $4 " " $5 " " $6; tr[k] = $7; gf[k] = $8; rc[k] = $9 }
$1 == "peak"  { peak[$2] = $3 }
$1 == "torch" { k = $2 " " $3 " " $4 " " $5; tt[k] = $6; trc[k] = $7 }
END {
    n = split("784 10 64|64 20 32|2 50 32", cfg, "|")
    printf "\nshared logistic ResNet, SGD: samples/s (training; recording all states), %% of the OpenBLAS sgemm peak\n"
    printf "%-12s %-8s %13s %13s %7s %13s %13s %9s\n", "D,T,B", "threads", "rdn det", "rdn openblas", "det %pk", "PyTorch", "det/torch", "rec det"
    for (i = 1; i <= n; i++) {
        split(cfg[i], c, " ")
        for (th = 1; th <= 2; th++) {
            kd = cfg[i] " det " th; ko = cfg[i] " openblas " th; kt = cfg[i] " " th
            if (!(kd in tr)) continue
            ratio = (kt in tt && tt[kt] > 0) ? sprintf("%.1fx", tr[kd] / tt[kt]) : "-"
            printf "%-12s %-8d %13s %13s %7s %13s %13s %9s\n", c[1] "," c[2] "," c[3], th, fmt(tr[kd]), fmt(tr[ko]),
                   pct(gf[kd], peak[th]), fmt(tt[kt]), ratio, fmt(rc[kd])
        }
    }
    printf "(OpenBLAS sgemm 2048^3 peak: %s GFLOP/s with 1 thread, %s with 2)\n", peak[1], peak[2]
    printf "\nissue 10 targets for the deterministic default, this run:\n"
    w = "784 10 64 det 2"; wo = "784 10 64 openblas 2"; w1 = "784 10 64 det 1"
    printf "  width 784: >= 85%% of the 2-thread peak (%s) and >= openblas (%.2fx): %s\n", pct(gf[w], peak[2]),
           (tr[wo] > 0 ? tr[w] / tr[wo] : 0), verdict(peak[2] > 0 && gf[w] >= 0.85 * peak[2] && tr[w] >= tr[wo])
    m = "64 20 32 det 2"
    printf "  width 64: >= 50%% of the 2-thread peak (%s): %s\n", pct(gf[m], peak[2]), verdict(peak[2] > 0 && gf[m] >= 0.5 * peak[2])
    s = "2 50 32 det 2"; st = "2 50 32 2"
    if (st in tt && tt[st] > 0)
        printf "  width 2: >= 250x PyTorch (%.0fx): %s\n", tr[s] / tt[st], verdict(tr[s] >= 250 * tt[st])
    printf "  2 threads >= 1.8x 1 thread at width 784 (%.2fx): %s\n", (tr[w1] > 0 ? tr[w] / tr[w1] : 0), verdict(tr[w] >= 1.8 * tr[w1])
    slow = ""
    for (i = 1; i <= n; i++) if (tr[cfg[i] " det 2"] < tr[cfg[i] " det 1"]) slow = slow " " cfg[i]
    printf "  2 threads never slower than 1: %s%s\n", verdict(slow == ""), (slow == "" ? "" : " (slower at" slow ")")
    recgf = 2 * 784 * 784 * 10 * rc[w] / 1e9
    printf "  recording at width 784 >= 80%% of the peak (%s): %s\n", pct(recgf, peak[2]), verdict(peak[2] > 0 && recgf >= 0.8 * peak[2])
}'
exit 0
