#!/bin/sh
# test_examples.sh: every examples/*.rdn and examples/paper/*.rdn runs at its quick size
# (--set quick=true when the script declares `param quick`) in a fresh --out folder, succeeds,
# writes its manifest and every file it names literally ("x.csv", "x.svg", ...); the paper
# scripts also run on an IDX folder given with --set data=DIR.
set -u
RDN=${RDN:-$(pwd)/rdn}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
count=0

# run NAME SCRIPT OUTDIR [extra args]: runs and checks one script
run() {
    name=$1 f=$2 out=$3
    shift 3
    mkdir -p "$out"
    set -- --quiet --threads 1 --out "$out" "$f" "$@"
    if grep -q '^param quick' "$f"; then set -- "$@" --set quick=true; fi
    start=$(date +%s)
    if ! "$RDN" "$@" >"$out.stdout" 2>"$out.stderr"; then
        echo "FAIL $name: exit status $? ($RDN $*)"
        tail -20 "$out.stderr"
        fail=1
        return
    fi
    secs=$(($(date +%s) - start))
    base=$(basename "$f" .rdn)
    # a run that writes files writes its manifest (a script that only prints writes nothing)
    if grep -v '^ *#' "$f" | grep -qE 'write_csv|plot\(|save\(|save_npy|to: *"' &&
       [ ! -f "$out/$base.run.json" ]; then
        echo "FAIL $name: no manifest $base.run.json"
        fail=1
    fi
    for p in $(grep -v '^ *#' "$f" | grep -oE '"[A-Za-z0-9_./-]+\.(csv|svg|png|npy|rdnm)"' | tr -d '"' | sort -u); do
        if [ ! -s "$out/$p" ]; then
            echo "FAIL $name: did not write $p"
            fail=1
        fi
    done
    count=$((count + 1))
    echo "ok $name (${secs}s)"
}

for f in "$root"/examples/*.rdn "$root"/examples/paper/*.rdn; do
    [ -f "$f" ] || continue
    rel=${f#"$root"/}
    [ "$rel" = examples/sweep_plot.rdn ] && continue   # needs a sweep's summary: below
    run "$rel" "$f" "$tmp/$(echo "$rel" | tr / _)"
done

# the study example: examples/sweep.rdn as a sweep at a small size (2 depths x 3 trials), then
# examples/sweep_plot.rdn on its summary: a figure with error bars (gnuplot's yerrorlines)
sw=$tmp/sweep
"$RDN" sweep "$root/examples/sweep.rdn" --grid depth=2,4 --grid trial=1..4 --set quick=true \
    -j 2 --threads 1 --quiet --out "$sw" >"$tmp/sweep.stdout" 2>&1 ||
    { echo "FAIL examples/sweep.rdn as a sweep"; tail -20 "$tmp/sweep.stdout"; fail=1; }
if [ "$(sed -n 1p "$sw/summary.csv" 2>/dev/null | cut -d, -f1-5)" != "depth,runs,acc_mean,acc_sd,acc_ci95" ] ||
   [ "$(grep -c '^[24],3,' "$sw/summary.csv")" != 2 ]; then
    echo "FAIL examples/sweep.rdn: summary.csv"; cat "$sw/summary.csv" 2>/dev/null; fail=1
fi
if "$RDN" --quiet --out "$sw" "$root/examples/sweep_plot.rdn" --set summary="$sw/summary.csv" \
       >"$tmp/sweep_plot.stdout" 2>&1 && [ -s "$sw/acc.svg" ]; then
    # error bars: the SVG has more line segments (M x,y L) than the same plot without err:
    printf 's = load_table("%s")\nplot(s, x: "depth", y: "acc_mean", to: "plain.svg")\n' "$sw/summary.csv" > "$tmp/plain.rdn"
    "$RDN" --quiet --out "$sw" "$tmp/plain.rdn" >/dev/null 2>&1
    bars=$(grep -o 'M[0-9.,-]* *[0-9.,-]* *L' "$sw/acc.svg" | wc -l)
    plain=$(grep -o 'M[0-9.,-]* *[0-9.,-]* *L' "$sw/plain.svg" 2>/dev/null | wc -l)
    if [ "$bars" -le "$plain" ]; then echo "FAIL sweep_plot.rdn: no error bars in acc.svg ($bars segments, $plain without err:)"; fail=1
    else count=$((count + 2)); echo "ok examples/sweep.rdn as a sweep, examples/sweep_plot.rdn (error bars)"; fi
else
    echo "FAIL examples/sweep_plot.rdn"; tail -20 "$tmp/sweep_plot.stdout"; fail=1
fi

# the paper scripts take any IDX folder: the Fashion-MNIST one, given explicitly
fm=/usr/share/datasets/fashion-mnist
if [ -d "$fm" ]; then
    for f in "$root"/examples/paper/*.rdn; do
        [ -f "$f" ] || continue
        grep -q '^param data' "$f" || continue
        run "$(basename "$f") --set data=DIR" "$f" "$tmp/data_$(basename "$f" .rdn)" --set data="$fm"
        break   # one is enough to test the option; they share the loading code
    done
fi

# a nonexistent data folder is a clear error, not a crash
f=$(ls "$root"/examples/paper/*.rdn 2>/dev/null | head -1)
if [ -n "$f" ]; then
    "$RDN" --quiet --out "$tmp/bad" "$f" --set quick=true --set data="$tmp/no_such_dir" \
        >/dev/null 2>"$tmp/bad.err"
    st=$?
    if [ "$st" != 1 ] || ! grep -q "error" "$tmp/bad.err"; then
        echo "FAIL missing data folder: exit $st"
        cat "$tmp/bad.err"
        fail=1
    fi
fi

[ "$count" -gt 0 ] || { echo "FAIL no examples found"; fail=1; }
[ $fail = 0 ] && echo "test_examples: $count runs passed"
exit $fail
