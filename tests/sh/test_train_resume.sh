#!/bin/sh
# test_train_resume.sh: fit(..., checkpoint:) survives SIGKILL. A run killed in the middle of an
# epoch (at a random batch, three times in a row) and rerun with the same command ends with the
# weights, history, printed output and written files of an uninterrupted run, bit for bit, also
# when depth adaptation changed the net's depth on the way. A checkpoint of other options is a
# located error, and the file is left alone.
RDN=${RDN:-./rdn}
case "$RDN" in /*) ;; *) RDN="$(pwd)/$RDN" ;; esac
T=$(mktemp -d /tmp/rdn-test-resume-XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; [ -n "$KEEP" ] || rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$T" || exit 1

EPOCHS=8
cat > run.rdn <<EOF
param lr = 0.05
seed(2)
d = spirals(n: 40000, classes: 3, noise: 0.05)
tr, te = split(d, 0.8)
net = resnet(in: 2, width: 16, depth: 12, classes: 3)
noise = rand(2)
h = fit(net, tr, epochs: $EPOCHS, lr: cosine_lr(lr, epochs: $EPOCHS), opt: "adam", batch: 16, val: te,
        stop: early_stop(patience: 5), checkpoint: "run.ckpt")
print(format("%.9g %.9g %d", sum(net.W), sum(h.val_loss), net.epoch))
write_csv(h, "h.csv")
save(net, "net.rdnm", optimizer: true)
print(format("%.9g", sum(rand(3))))
EOF

# the kills below are aimed at a part of an epoch: its length is measured on the reference run
# (an epoch here is 0.05 s on a quiet machine and several times that under load)
now_ms() { date +%s%N | awk '{ printf "%d", $1 / 1000000 }'; }
t0=$(now_ms)
"$RDN" --out ref run.rdn > ref.out 2> ref.err || { cat ref.err; fail "reference run"; }
EP=$(awk -v a="$t0" -v b="$(now_ms)" -v e=$EPOCHS 'BEGIN { printf "%.4f", (b - a) / 1000 / e }')
[ -s ref/run.ckpt ] || fail "no checkpoint written"

# kill_after OUT SCRIPT LOG E FRAC: runs SCRIPT into OUT (output in LOG.out, LOG.err), waits
# until E epochs have been printed, then FRAC seconds more, and kills it with SIGKILL
kill_after() {
    "$RDN" --out "$1" "$2" > "$3.out" 2> "$3.err" &
    pid=$!
    i=0
    while [ $i -lt 600 ]; do
        n=$(grep -c '^epoch [0-9]*/' "$3.err" 2>/dev/null)
        [ "${n:-0}" -ge "$4" ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.02
        i=$((i + 1))
    done
    sleep "$5"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    pid=
}

for k in 1 2 3; do
    # kill after epoch e (random, 1..EPOCHS-2) has finished plus a random part of the next one
    e=$(awk -v s="$$$k" 'BEGIN{srand(s); print 1 + int(rand() * 5)}')
    frac=$(awk -v s="$k$$" -v ep="$EP" 'BEGIN{srand(s); printf "%.3f", ep * (0.1 + rand() * 0.5)}')
    kill_after out run.rdn kill$k "$e" "$frac"
    [ -s out/run.ckpt ] || fail "kill $k: no checkpoint left behind"
done
[ -s kill1.out ] && fail "the first run was not killed before it finished (the machine is too fast for this test?)"
grep -q 'resuming from checkpoint' kill2.err kill3.err || fail "no run said it resumed"
"$RDN" --out out run.rdn > final.out 2> final.err || { cat final.err; fail "resumed run"; }
grep -q "resuming from checkpoint 'run.ckpt' after epoch" final.err || fail "the last run did not resume: $(head -3 final.err)"
cmp -s ref.out final.out || fail "printed output differs: $(diff ref.out final.out | head -5)"
for f in h.csv net.rdnm run.ckpt run.run.json; do
    cmp -s "ref/$f" "out/$f" || fail "$f differs from the uninterrupted run's"
done

# another lr: the checkpoint belongs to other options -> a located error, the file untouched
cp out/run.ckpt before.ckpt
"$RDN" --out out run.rdn --set lr=0.1 > other.out 2> other.err && fail "a checkpoint of other options was accepted"
grep -q 'run.rdn:8:.*error: .*checkpoint of another net, data or fit options' other.err || fail "message: $(head -2 other.err)"
cmp -s before.ckpt out/run.ckpt || fail "the refused checkpoint was changed"

# Depth adaptation: an unshared net that grows (new layers, more parameters) after epochs 2, 4
# and 6, each growth decided by the validation loss falling since the epoch before. Killed at a
# random batch three times and rerun, it ends with the depth, weights, optimizer state, history
# and change log (with the per-layer deltas) of the uninterrupted run.
cat > ad.rdn <<EOF
seed(4)
d = spirals(n: 40000, classes: 3, noise: 0.05)
tr, te = split(d, 0.8)
net = resnet(in: 2, width: 16, depth: 12, classes: 3, shared: false, step: 0.2)
h = fit(net, tr, epochs: $EPOCHS, lr: 0.01, opt: "adam", batch: 16, val: te,
        adapt: adaptive(tol: 0.09, min_depth: 3, grow: 2, max_depth: 20), checkpoint: "ad.ckpt")
print(format("%.9g %.9g %d %d %d", sum(net.W), sum(h.val_loss), net.epoch, net.depth, h.changes.nrows))
write_csv(h, "adh.csv")
write_csv(h.changes, "adc.csv")
write_csv(h.changes.deltas, "add.csv")
save(net, "ad.rdnm", optimizer: true)
print(format("%.9g", sum(rand(3))))
EOF
t0=$(now_ms)
"$RDN" --out aref ad.rdn > aref.out 2> aref.err || { cat aref.err; fail "adaptive reference run"; }
AEP=$(awk -v a="$t0" -v b="$(now_ms)" -v e=$EPOCHS 'BEGIN { printf "%.4f", (b - a) / 1000 / e }')
grep -q ' 8 18 3$' aref.out || fail "the adaptive reference did not grow three times to depth 18: $(head -1 aref.out)"
for k in 1 2 3; do
    # each run goes 1 or 2 epochs past where it resumed, then part of the next: killed in
    # epochs 2..7 in all, the net at another depth than it started for most of them
    e=$(awk -v s="$$$k" 'BEGIN{srand(s); print 1 + int(rand() * 2)}')
    frac=$(awk -v s="$k$$" -v ep="$AEP" 'BEGIN{srand(s); printf "%.3f", ep * (0.1 + rand() * 0.4)}')
    kill_after aout ad.rdn akill$k "$e" "$frac"
done
[ -s akill1.out ] || [ -s akill2.out ] || [ -s akill3.out ] && fail "an adaptive run was not killed before it finished"
# (a kill that lands between an epoch's line and its checkpoint leaves none: the next run then
# starts afresh, as it should; at least one of the later runs resumes)
grep -q 'resuming from checkpoint' akill2.err akill3.err || fail "the killed adaptive runs did not resume"
"$RDN" --out aout ad.rdn > afinal.out 2> afinal.err || { cat afinal.err; fail "resumed adaptive run"; }
grep -q "resuming from checkpoint 'ad.ckpt' after epoch" afinal.err || fail "the adaptive run did not resume: $(head -3 afinal.err)"
cmp -s aref.out afinal.out || fail "adaptive: printed output differs: $(diff aref.out afinal.out | head -5)"
for f in adh.csv adc.csv add.csv ad.rdnm ad.ckpt ad.run.json; do
    cmp -s "aref/$f" "aout/$f" || fail "adaptive: $f differs from the uninterrupted run's"
done
# the depth changes printed by the killed and the final runs are those of the uninterrupted one
n_ref=$(grep -c '^adapt: epoch' aref.err)
n_all=$(cat akill1.err akill2.err akill3.err afinal.err | grep '^adapt: epoch' | sort -u | wc -l)
[ "$n_ref" = 3 ] && [ "$n_all" = 3 ] || fail "adaptive: depth changes printed $n_ref / $n_all (want 3 / 3)"
# other adaptation settings: the checkpoint is another run's -> a located error, file untouched
cp aout/ad.ckpt abefore.ckpt
sed 's/tol: 0.09/tol: 0.08/' ad.rdn > ad2.rdn
"$RDN" --out aout ad2.rdn > aother.out 2> aother.err && fail "a checkpoint of other adapt settings was accepted"
grep -q 'ad2.rdn:6:.*error: .*checkpoint of another net, data or fit options' aother.err || fail "adapt message: $(head -2 aother.err)"
cmp -s abefore.ckpt aout/ad.ckpt || fail "the refused adaptive checkpoint was changed"

[ $fails -eq 0 ] && echo "test_train_resume: ok"

[ $fails -eq 0 ]
