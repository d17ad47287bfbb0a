#!/bin/sh
# test_sweep.sh: rdn sweep. A 2 x 3 sweep of a tiny training with -j 1 and -j 3 gives the same
# sweep.csv, summary.csv and sweep.run.json; the summary matches Python's statistics computed
# from sweep.csv (t quantiles: known constants); report values round-trip exactly through the
# manifest and sweep.csv; a failing run; SIGINT then resume (only the missing runs run, the end
# result is identical); a changed script refused; verify of a sweep; every bad input refused
# before anything runs.
RDN=${RDN:-./rdn}
case $RDN in /*) ;; *) RDN=$(pwd)/$RDN ;; esac
PY=/usr/bin/python3
T=$(mktemp -d /tmp/rdn-test-sweep-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
cd "$T" || exit 1

cat > tiny.rdn <<'EOF2'
# a tiny training whose accuracy depends on depth and trial
param depth = 2
param trial = 1
param epochs = 20
seed(trial)
data = spirals(n: 200, classes: 2, noise: 0.05)
train, test = split(data, 0.8)
net = resnet(in: 2, width: 8, depth: depth, classes: 2)
h = fit(net, train, epochs: epochs, lr: 0.05, opt: "adam")
print("trained")
report(acc: accuracy(net, test), loss: h.loss[epochs - 1], tag: "d" + str(depth))
report(exact: 0.1, big: 20210917, tiny: 1e-300, text: "a, \"quoted\" word", flag: true)
EOF2

# ---- -j 1 and -j 3 give the same files ----
"$RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 -j 1 --out j1 > j1.txt 2>&1 || { cat j1.txt; fail "sweep -j 1"; }
"$RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 -j 3 --out j3 --quiet > j3.txt 2>&1 || { cat j3.txt; fail "sweep -j 3"; }
for f in sweep.csv summary.csv sweep.run.json; do
    cmp -s j1/$f j3/$f || fail "$f differs between -j 1 and -j 3"
done
[ -s j3.txt ] && fail "--quiet printed: $(cat j3.txt)"
[ "$(grep -c '^sweep: \[[0-9]/6\] ok runs/depth=' j1.txt)" -eq 6 ] || fail "one line per finished run expected: $(cat j1.txt)"
for d in 'depth=2,trial=1' 'depth=4,trial=3'; do
    [ -f "j1/runs/$d/tiny.run.json" ] || fail "runs/$d has no manifest"
    grep -q trained "j1/runs/$d/log.txt" || fail "runs/$d/log.txt lacks the run's output"
done
head -1 j1/sweep.csv | grep -qx 'depth,trial,status,error,acc,big,exact,flag,loss,tag,text,tiny' || fail "sweep.csv header: $(head -1 j1/sweep.csv)"
head -1 j1/summary.csv | grep -q '^depth,runs,acc_mean,acc_sd,acc_ci95,acc_min,acc_max,big_mean' || fail "summary.csv header: $(head -1 j1/summary.csv)"
ok "-j 1 and -j 3: identical sweep.csv, summary.csv, sweep.run.json"

# ---- the summary against Python's statistics ----
$PY - j1 <<'EOF2' || fail "summary.csv differs from Python's statistics"
import csv, json, math, statistics, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/sweep.csv", newline="")))
summ = list(csv.DictReader(open(d + "/summary.csv", newline="")))
T975 = {2: 4.302652729749464, 1: 12.706204736174693, 4: 2.7764451051977935}  # mpmath
assert [s["depth"] for s in summ] == ["2", "4"], summ
for s in summ:
    grp = [r for r in rows if r["depth"] == s["depth"]]
    assert int(s["runs"]) == len(grp) == 3
    for name in ["acc", "loss"]:
        x = [float(r[name]) for r in grp]
        m, sd = statistics.mean(x), statistics.stdev(x)
        ci = T975[len(x) - 1] * sd / math.sqrt(len(x))
        for col, want in [("mean", m), ("sd", sd), ("ci95", ci), ("min", min(x)), ("max", max(x))]:
            got = float(s[name + "_" + col])
            assert abs(got - want) <= 1e-12 * max(1, abs(want)), (name, col, got, want)
    assert s["big_sd"] == "0" and s["big_mean"] == "20210917", s
    assert "tag_mean" not in s and "text_mean" not in s, s
# report values round-trip exactly through the manifest and sweep.csv
for r in rows:
    assert float(r["exact"]) == 0.1 and r["exact"] == "0.1", r
    assert r["big"] == "20210917" and float(r["tiny"]) == 1e-300, r
    assert r["text"] == 'a, "quoted" word' and r["flag"] == "true", r
    m = json.load(open("%s/runs/depth=%s,trial=%s/tiny.run.json" % (d, r["depth"], r["trial"])))
    res = m["results"]
    assert res["exact"] == 0.1 and res["big"] == 20210917 and res["tiny"] == 1e-300, res
    assert res["text"] == 'a, "quoted" word' and res["flag"] is True, res
    assert float(r["acc"]) == res["acc"] and float(r["loss"]) == res["loss"], (r, res)
s = json.load(open(d + "/sweep.run.json"))
assert s["kind"] == "sweep" and len(s["runs"]) == 6 and s["over"] == ["trial"], s
assert [r["folder"] for r in s["runs"]][:2] == ["runs/depth=2,trial=1", "runs/depth=2,trial=2"]
assert all(r["status"] == "ok" and r["manifest_sha256"] for r in s["runs"])
EOF2
ok "summary means, sds, 95% intervals match Python's statistics; report values exact"

# ---- verify of a sweep ----
"$RDN" verify j1/sweep.run.json --sample 2 > v.txt 2>&1 || { cat v.txt; fail "verify --sample 2"; }
grep -q 'verify sweep: 2 of 6 runs rerun: 2 reproduced, 0 differ (reproduced)' v.txt || fail "verify summary: $(tail -3 v.txt)"
cp -r j1 jv && sed -i 's/^2,1,ok/2,1,ok/; 2s/,d2,/,d9,/' jv/sweep.csv
"$RDN" verify jv/sweep.run.json --sample 1 > v2.txt 2>&1 && fail "verify passed an edited sweep.csv"
grep -q 'DIFFERS  sweep.csv' v2.txt || fail "verify did not name sweep.csv: $(cat v2.txt)"
ok "verify of a sweep: reruns K runs, catches an edited sweep.csv"

# ---- resume: nothing to do; a changed script refused; --force ----
"$RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 -j 2 --out j1 > r0.txt 2>&1 || { cat r0.txt; fail "resume of a finished sweep"; }
grep -q '\] ok' r0.txt && fail "a finished sweep reran runs: $(cat r0.txt)"
cmp -s j1/sweep.csv j3/sweep.csv || fail "resume changed sweep.csv"
cp tiny.rdn tiny.orig && echo '# changed' >> tiny.rdn
"$RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 --out j1 > c.txt 2>&1
[ $? -eq 2 ] || fail "a changed script was not refused (exit 2)"
grep -q 'tiny.rdn changed since the sweep in j1' c.txt || fail "changed-script message: $(cat c.txt)"
[ "$(grep -c '\] ok' c.txt)" -eq 0 ] || fail "runs ran after the refusal"
"$RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 --out j1 --force --quiet > f.txt 2>&1 || { cat f.txt; fail "--force"; }
grep -q "$(sha256sum tiny.rdn | cut -c1-64)" j1/sweep.run.json || fail "--force did not rerun with the new script"
mv tiny.orig tiny.rdn
ok "resume of a finished sweep runs nothing; a changed script is refused unless --force"

# ---- SIGINT, then resume ----
"$RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 --set epochs=3000 -j 1 --out full --quiet > /dev/null 2>&1 || fail "uninterrupted long sweep"
"$RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 --set epochs=3000 -j 1 --out intr > i1.txt 2>&1 &
pid=$!
n=0
while [ "$(grep -c '\] ok' i1.txt 2>/dev/null)" -lt 2 ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] || fail "interrupted sweep: exit $st, want 130"
grep -q 'interrupted' i1.txt || fail "no interruption message: $(cat i1.txt)"
done1=$(grep -c '\] ok' i1.txt)
rows=$(($(wc -l < intr/sweep.csv) - 1))
[ "$rows" -ge "$done1" ] && [ "$done1" -lt 6 ] || fail "sweep.csv after SIGINT: $rows rows for $done1 finished runs"
ls intr/runs/*/*.tmp* > /dev/null 2>&1 && fail "temporary files left after SIGINT"
"$RDN" sweep tiny.rdn --grid depth=2,4 --grid trial=1..4 --set epochs=3000 -j 1 --out intr > i2.txt 2>&1 || { cat i2.txt; fail "resume"; }
rerun=$(grep -c '\] ok' i2.txt)
[ $((done1 + rerun)) -eq 6 ] || fail "resume ran $rerun runs after $done1 had finished (want $((6 - done1)))"
for f in sweep.csv summary.csv sweep.run.json; do
    cmp -s full/$f intr/$f || fail "$f after interrupt + resume differs from an uninterrupted sweep"
done
ok "SIGINT: exit 130, finished runs kept; resume ran only the $rerun missing runs; identical result"

# ---- a run that fails ----
cat > failing.rdn <<'EOF2'
param k = 1
if k == 2 { x = undefined_name_here }
report(k2: k * 2)
EOF2
"$RDN" sweep failing.rdn --grid k=1,2,3 --out fl > fl.txt 2>&1
[ $? -eq 1 ] || fail "a failed run: exit status $?, want 1"
grep -q 'run runs/k=2 failed: failing.rdn:2:.*undefined_name_here' fl.txt || fail "failure message: $(cat fl.txt)"
grep -q 'fl/runs/k=2/log.txt' fl.txt || fail "the failed run's log is not named"
grep -q '^2,failed,"\?failing.rdn:2:' fl/sweep.csv || fail "sweep.csv row of the failed run: $(cat fl/sweep.csv)"
grep -qx '3,ok,,6' fl/sweep.csv || fail "the run after the failure did not run: $(cat fl/sweep.csv)"
ok "a failed run: the others run, exit 1, the error and log named"

# ---- a result named like a column: refused at the report call, located ----
cat > clash.rdn <<'EOF2'
param depth = 2
param status = "x"
param k = 1
report(acc: 0.5,
       depth: depth)
EOF2
"$RDN" sweep clash.rdn --grid depth=2,3 --out cl > cl.txt 2>&1
[ $? -eq 1 ] || fail "a result named like a grid param: exit status $?, want 1"
grep -q "run runs/depth=2 failed: clash.rdn:5:8: error: report: 'depth' is also a grid param of this sweep (--grid depth=...)" cl.txt ||
    fail "clash message: $(cat cl.txt)"
[ "$(head -1 cl/sweep.csv)" = "depth,status,error" ] || fail "sweep.csv header with a clash: $(head -1 cl/sweep.csv)"
"$RDN" --quiet --out clash_alone clash.rdn > /dev/null 2>&1 || fail "report(depth: depth) outside a sweep must be allowed"
"$RDN" sweep clash.rdn --grid k=1 --out cl2 > cl2.txt 2>&1 || fail "a reported name that is a param but not a grid param: $(cat cl2.txt)"
head -1 cl2/sweep.csv | grep -qx 'k,status,error,acc,depth' || fail "sweep.csv header: $(head -1 cl2/sweep.csv)"
printf 'param k = 1\nreport(error: 0.25)\n' > clash2.rdn
"$RDN" sweep clash2.rdn --grid k=1 --out cl3 > cl3.txt 2>&1
grep -q "clash2.rdn:2:8: error: report: 'error' is a column sweep.csv writes itself" cl3.txt || fail "report(error:) in a sweep: $(cat cl3.txt)"
printf 'param k = 1\nparam acc_sd = 1\nreport(acc: 0.25)\n' > clash3.rdn
"$RDN" sweep clash3.rdn --grid acc_sd=1,2 --out cl4 > cl4.txt 2>&1
grep -q "summary.csv's column 'acc_sd' would be both the grid param and the sd of 'acc'" cl4.txt || fail "acc_sd grid vs acc: $(cat cl4.txt)"
ok "a reported name that would share a column with a grid param, status or error: a located error"

# ---- bad input: refused before anything runs ----
bad() {  # bad EXPECTED-TEXT ARGS...
    want=$1; shift
    rm -rf bad
    "$RDN" sweep "$@" --out bad > b.txt 2>&1
    st=$?
    [ $st -eq 2 ] || fail "exit $st, want 2 for: $*"
    grep -qF -- "$want" b.txt || fail "message for '$*': want '$want', got: $(cat b.txt)"
    [ -d bad/runs ] && fail "runs started for: $*"
}
bad "tiny.rdn has no param 'dept' (did you mean 'depth'?)" tiny.rdn --grid dept=1,2
bad "--grid depth=2,x: 'x' is not a number" tiny.rdn --grid depth=2,x
bad "--grid depth=: no values (an empty grid)" tiny.rdn --grid depth=
bad "the range 5..5 is empty" tiny.rdn --grid depth=5..5
bad "the grid has 250000 runs, more than 100000: give --force" tiny.rdn --grid depth=0..500 --grid trial=0..500
bad "no --grid" tiny.rdn --set depth=3
bad "--over epochs: not a grid param" tiny.rdn --grid depth=2 --over epochs
bad "--set epochs=x: 'x' is not a number" tiny.rdn --grid depth=2 --set epochs=x
bad "'depth' is also given by --set" tiny.rdn --grid depth=2 --set depth=3
bad "the value 2 is given twice" tiny.rdn --grid depth=2,2
bad "cannot read nope.rdn" nope.rdn --grid depth=2
bad "--grid status=a: 'status' is a column sweep.csv or summary.csv writes itself" clash.rdn --grid status=a
"$RDN" sweep failing.rdn --grid k=1 --out j1 > o.txt 2>&1
[ $? -eq 2 ] && grep -q 'j1 holds another sweep (of tiny' o.txt || fail "another sweep's folder: $(cat o.txt)"
ok "bad input refused before anything runs"

[ $fails -eq 0 ] && echo "test_sweep: all passed" || { echo "test_sweep: $fails failed"; exit 1; }
