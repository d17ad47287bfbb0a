#!/bin/sh
# test_repro.sh: the reproducibility matrix (issue 10). tests/sh/repro.rdn trains a shared and an
# unshared ResNet, records, runs every dynamics measure and data operation and writes CSV/.npy;
# every output file and its printed numbers must be byte-identical
#   - with --threads 1, 2 and 3,
#   - on every kernel path this CPU has (RDN_ISA=avx512|avx2|generic),
#   - at widths 200 and 784 (which cross every kernel's blocking),
#   - under qemu-x86_64 -cpu Haswell (AVX2+FMA, no AVX-512) and -cpu Nehalem (no AVX, no FMA:
#     the portable path), at a small size, against the native run,
#   - and `rdn verify` of a run recorded on one path reproduces it on another.
# Manifests (NAME.run.json) are left out of the comparison: they record the thread count and the
# kernel path, as information. qemu checks are skipped, with a message, only when qemu-x86_64 is
# not installed (Debian qemu-user) or this is not an x86-64 machine.
set -u
# Matrix products go through rdn's own kernels (runtime/gemm.c), so every file, products
# included, must match across threads, paths and machines. RDN_REPRO_PRODUCTS=0 turns a
# difference in a product-dependent file into an XFAIL (for comparing with --compute openblas).
products_deterministic=${RDN_REPRO_PRODUCTS:-1}
RDN=${RDN:-./rdn}
case $RDN in /*) ;; *) RDN=$(pwd)/$RDN ;; esac
here=$(cd "$(dirname "$0")" && pwd)
script=$here/repro.rdn
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rdn_repro.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

# run NAME [ENV=VALUE ...] -- ARGS...: runs the script in $tmp/NAME, writes $tmp/NAME.sum (the
# sha256 of every output but the manifest, and of standard output)
run() {
    name=$1
    shift
    envs=""
    while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
    shift
    mkdir -p "$tmp/$name"
    (cd "$tmp/$name" && env $envs "$@" --quiet "$script" >stdout.txt 2>stderr.txt)
    grep -v "^qemu-x86_64: warning: TCG doesn't support" "$tmp/$name/stderr.txt" >"$tmp/$name/e" || true
    mv "$tmp/$name/e" "$tmp/$name/stderr.txt"
    st=$?
    if [ $st -ne 0 ]; then
        bad "$name: exit status $st"
        tail -5 "$tmp/$name/stderr.txt"
        return 1
    fi
    (cd "$tmp/$name" && sha256sum $(ls | grep -v -e '\.run\.json$' -e '^stderr.txt$' | sort)) >"$tmp/$name.sum"
}

# same REF NAME: NAME's outputs are those of REF
same() {
    if cmp -s "$tmp/$1.sum" "$tmp/$2.sum"; then
        ok "$2: $(wc -l <"$tmp/$2.sum") files identical to $1"
        return
    fi
    differ=$(diff "$tmp/$1.sum" "$tmp/$2.sum" | sed -n 's/^> [0-9a-f]*  //p')
    strict=$(printf '%s\n' $differ | grep '^data_')
    if [ "$products_deterministic" = 1 ] || [ -n "$strict" ]; then
        bad "$2 differs from $1 in: $(echo $differ)"
    else
        echo "XFAIL $2 differs from $1 in files that depend on matrix products (still OpenBLAS): $(echo $differ)"
        echo "     the $(grep -c '  data_' "$tmp/$2.sum") data_* files are identical"
    fi
}

paths=""
for isa in avx512 avx2 generic; do
    if RDN_ISA=$isa "$RDN" --version >/dev/null 2>&1; then paths="$paths $isa"; fi
done
echo "kernel paths on this CPU:$paths ($("$RDN" --version))"
RDN_ISA=avx512x "$RDN" --version >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "unknown kernel path" "$tmp/e" && ok "RDN_ISA=avx512x: a usage error" || bad "RDN_ISA with a bad name"

for size in "200 96 6" "784 32 3"; do
    set -- $size
    w=$1 n=$2 d=$3
    sets="--set width=$w --set n=$n --set depth=$d"
    run "w$w-t1" -- "$RDN" --threads 1 $sets || continue
    for t in 2 3; do run "w$w-t$t" -- "$RDN" --threads $t $sets && same "w$w-t1" "w$w-t$t"; done
    for isa in $paths; do
        for t in 1 3; do
            run "w$w-$isa-t$t" RDN_ISA=$isa -- "$RDN" --threads $t $sets && same "w$w-t1" "w$w-$isa-t$t"
        done
    done
done

# verify across paths: recorded on the default path, rerun on the portable one
if [ -f "$tmp/w200-t1/repro.run.json" ]; then
    grep -q '"compute": "det"' "$tmp/w200-t1/repro.run.json" && grep -q '"kernels": ' "$tmp/w200-t1/repro.run.json" \
        && ok "the manifest records the compute mode and the kernel path" || bad "manifest fields"
    (cd "$tmp/w200-t1" && RDN_ISA=generic "$RDN" verify repro.run.json >"$tmp/verify.txt" 2>&1)
    [ $? -eq 0 ] && grep -q "(reproduced)" "$tmp/verify.txt" && ok "verify on the generic path reproduces a run" \
        || { bad "verify across paths"; tail -8 "$tmp/verify.txt"; }
fi

# --compute openblas: recorded as such, and verify reruns in that mode with a warning
run openblas -- "$RDN" --compute openblas --set width=24 --set n=48 --set depth=4
if [ -f "$tmp/openblas/repro.run.json" ]; then
    grep -q '"compute": "openblas"' "$tmp/openblas/repro.run.json" && ok "--compute openblas is in the manifest" \
        || bad "--compute openblas not recorded"
    (cd "$tmp/openblas" && "$RDN" verify repro.run.json >"$tmp/verify2.txt" 2>&1)
    st=$?
    [ $st -eq 0 ] && grep -q -- "--compute openblas" "$tmp/verify2.txt" && grep -q "bits depend on the CPU" "$tmp/verify2.txt" \
        && ok "verify of an openblas run: same mode, with a warning" || { bad "verify of an openblas run (exit $st)"; tail -5 "$tmp/verify2.txt"; }
fi

# the machine without AVX-512, and the one without FMA, emulated
small="--set width=24 --set n=48 --set depth=4"
if [ "$(uname -m)" != x86_64 ]; then
    echo "skip qemu: not an x86-64 machine"
elif ! command -v qemu-x86_64 >/dev/null 2>&1; then
    echo "skip qemu: qemu-x86_64 is not installed (Debian package qemu-user)"
else
    run small -- "$RDN" --threads 2 $small
    for cpu in Haswell Nehalem; do
        want=avx2
        [ $cpu = Nehalem ] && want=generic
        got=$(qemu-x86_64 -cpu $cpu "$RDN" --version 2>/dev/null)
        case $got in
        *"$want)"*) ok "qemu -cpu $cpu: $got" ;;
        *) bad "qemu -cpu $cpu: expected the $want path, got: $got" ;;
        esac
        run "qemu-$cpu" -- qemu-x86_64 -cpu $cpu "$RDN" --threads 2 $small && same small "qemu-$cpu"
    done
    RDN_ISA=avx2 qemu-x86_64 -cpu Nehalem "$RDN" --version >/dev/null 2>"$tmp/e"
    [ $? -eq 2 ] && grep -q "lacks" "$tmp/e" && ok "RDN_ISA=avx2 on a CPU without it: a clear error (exit 2)" \
        || { bad "RDN_ISA=avx2 under -cpu Nehalem"; cat "$tmp/e"; }
fi
exit $fail
