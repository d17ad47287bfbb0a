#!/bin/sh
# test_sweep_mpi.sh: `mpirun -np 3 rdn-mpi sweep ...` (rank 0 hands out runs, ranks 1 and 2 run
# them) writes the same sweep.csv, summary.csv and sweep.run.json as a local sweep; a bad grid
# stops every rank; rdn-mpi without mpirun is a local sweep. Skipped when rdn-mpi or mpirun is
# missing (the Makefile builds rdn-mpi when mpicc exists).
RDN=${RDN:-./rdn}
case $RDN in /*) ;; *) RDN=$(pwd)/$RDN ;; esac
MPI_RDN=$(dirname "$RDN")/rdn-mpi
if [ ! -x "$MPI_RDN" ] || ! command -v mpirun > /dev/null 2>&1; then
    echo "test_sweep_mpi: skipped (no rdn-mpi or no mpirun)"
    exit 0
fi
T=$(mktemp -d /tmp/rdn-test-sweep-mpi-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$T" || exit 1
MPIRUN="mpirun --allow-run-as-root --oversubscribe"

cat > tiny.rdn <<'EOF2'
param depth = 2
param trial = 1
seed(trial)
data = spirals(n: 200, classes: 2, noise: 0.05)
train, test = split(data, 0.8)
net = resnet(in: 2, width: 8, depth: depth, classes: 2)
h = fit(net, train, epochs: 20, lr: 0.05, opt: "adam")
report(acc: accuracy(net, test), loss: h.loss[19], note: "a, \"b\"")
EOF2
"$RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 -j 2 --out local --quiet > l.txt 2>&1 || { cat l.txt; fail "local sweep"; }
$MPIRUN -np 3 "$MPI_RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 --out mpi > m.txt 2>&1 || { cat m.txt; fail "mpirun -np 3 sweep"; }
for f in sweep.csv summary.csv sweep.run.json; do
    cmp -s local/$f mpi/$f || fail "$f differs between a local sweep and mpirun -np 3"
done
[ "$(grep -c '\] ok runs/' m.txt)" -eq 6 ] || fail "rank 0 did not report 6 runs: $(cat m.txt)"
for d in local/runs/*; do
    cmp -s "$d/tiny.run.json" "mpi/runs/${d#local/runs/}/tiny.run.json" || fail "manifest of $d differs"
done

# a bad grid: every rank stops with the error printed once
$MPIRUN -np 3 "$MPI_RDN" sweep tiny.rdn --grid dpth=2 --out bad > b.txt 2>&1
[ $? -ne 0 ] || fail "a bad grid under MPI exited 0"
[ "$(grep -c "has no param 'dpth'" b.txt)" -eq 1 ] || fail "the error should be printed once: $(cat b.txt)"
[ -d bad/runs ] && fail "runs started after a bad grid"

# rdn-mpi without mpirun: a local sweep
"$MPI_RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 --out plain --quiet > p.txt 2>&1 || { cat p.txt; fail "rdn-mpi without mpirun"; }
cmp -s local/sweep.csv plain/sweep.csv || fail "rdn-mpi without mpirun: sweep.csv differs"

[ $fails -eq 0 ] && echo "test_sweep_mpi: all passed" || { echo "test_sweep_mpi: $fails failed"; exit 1; }
