#!/bin/sh
# test_files.sh: manifests and verify. One script run twice gives byte-identical outputs and
# manifests; the manifest holds what docs/files.md lists; `rdn verify` passes, then names a changed
# output (an edited copy, a changed data file, a tampered record) and exits 1.
RDN=${RDN:-./rdn}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/rdn-test-files-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

cd "$T" || exit 1
printf 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n' > data.csv
cat > exp.rdn <<'EOF'
# a small experiment writing three files
param n = 40
param tag = "first"
seed(3)
t = randn(n, 3)
write_csv(t, "t.csv")
write_csv(t * 2, "sub/t2.csv", header: ["a", "b", "c"])
d = load_csv("data.csv", label: "label")
write_csv(d.x, "x.csv")
print(tag)
EOF

"$RDN" exp.rdn --out o1 --threads 1 > run1.txt 2>&1 || { cat run1.txt; fail "first run"; }
"$RDN" --threads 1 --out o2 exp.rdn > run2.txt 2>&1 || { cat run2.txt; fail "second run"; }
for f in t.csv sub/t2.csv x.csv exp.run.json; do
    [ -f "o1/$f" ] || fail "o1/$f not written"
    cmp -s "o1/$f" "o2/$f" || fail "$f differs between two runs"
done
[ "$(ls -A o1 | sort | tr '\n' ' ')" = "exp.run.json sub t.csv x.csv " ] \
    || fail "unexpected files in o1: $(ls -A o1)"
ok "two runs: byte-identical outputs and manifests"
head -1 o1/sub/t2.csv | grep -qx 'a,b,c' || fail "header: not used"
head -1 o1/t.csv | grep -qx 'c0,c1,c2' || fail "tensor columns not c0,c1,c2"
[ "$(wc -l < o1/t.csv)" -eq 41 ] || fail "t.csv should have 41 lines"

# the manifest holds every field the spec lists, with the right values
SHA_SCRIPT=$(sha256sum exp.rdn | cut -d' ' -f1)
SHA_T=$(sha256sum o1/t.csv | cut -d' ' -f1)
SHA_DATA=$(sha256sum data.csv | cut -d' ' -f1)
$PY - o1/exp.run.json "$SHA_SCRIPT" "$SHA_T" "$SHA_DATA" <<'EOF' || fail "manifest content"
import json, sys
m = json.load(open(sys.argv[1]))
sha_script, sha_t, sha_data = sys.argv[2:5]
def need(c, what):
    if not c:
        print("manifest:", what); sys.exit(1)
need(m["rdn_version"], "rdn_version")
need(m["script"]["sha256"] == sha_script, "script sha256")
need(m["script"]["text"] == open("exp.rdn").read(), "script text")
need(m["script"]["path"] == "exp.rdn" and m["script"]["name"] == "exp", "script path/name")
need(m["seed"] == 3, "seed %r" % m["seed"])
need(m["params"] == {"n": 40, "tag": "first"}, "params %r" % m["params"])
need(m["threads"] == 1, "threads")
need(isinstance(m["blas"], str) and m["blas"], "blas")
need([w["name"] for w in m["written"]] == ["sub/t2.csv", "t.csv", "x.csv"], "written names")
need([w for w in m["written"] if w["name"] == "t.csv"][0]["sha256"] == sha_t, "t.csv sha256")
need(m["read"] == [{"path": "data.csv", "sha256": sha_data}], "read %r" % m["read"])
text = open(sys.argv[1]).read()
need("time" not in text.lower() and "date" not in text.lower(), "no clock time")
EOF
ok "manifest fields"

# --set changes the param, and is recorded for verify
"$RDN" exp.rdn --out o3 --threads 1 --set n=7 --set 'tag=second' > run3.txt 2>&1 || { cat run3.txt; fail "--set run"; }
[ "$(wc -l < o3/t.csv)" -eq 8 ] || fail "--set n=7 did not give 8 lines"
$PY -c 'import json,sys; m=json.load(open("o3/exp.run.json")); sys.exit(0 if m["params"]=={"n":7,"tag":"second"} else 1)' \
    || fail "params after --set"

# verify: passes, then detects changes
"$RDN" verify o1/exp.run.json > v1.txt 2>&1; rc=$?
[ $rc -eq 0 ] || { cat v1.txt; fail "verify of an untouched run: exit $rc"; }
grep -q '^match *t.csv' v1.txt || fail "verify does not list t.csv as match"
"$RDN" verify o3/exp.run.json > v3.txt 2>&1 || { cat v3.txt; fail "verify with --set params"; }
ok "verify passes (with and without --set)"

cp o1/t.csv t.keep
printf '1' | dd of=o1/t.csv bs=1 seek=20 conv=notrunc 2>/dev/null
"$RDN" verify o1/exp.run.json > v2.txt 2>&1; rc=$?
[ $rc -eq 1 ] || fail "verify after editing t.csv: exit $rc, want 1"
grep -q '^DIFFERS *t.csv' v2.txt || { cat v2.txt; fail "verify does not name the edited t.csv"; }
grep -q '^match *sub/t2.csv' v2.txt || fail "verify should still match sub/t2.csv"
cp t.keep o1/t.csv
ok "verify names an edited output"

# a changed data file: warned about, and the outputs made from it differ
printf 'a,b,label\n1,2,0\n3,9,1\n5,6,0\n' > data.csv
"$RDN" verify o1/exp.run.json > v4.txt 2>&1; rc=$?
[ $rc -eq 1 ] || fail "verify after changing data.csv: exit $rc, want 1"
grep -q "data file 'data.csv' changed" v4.txt || { cat v4.txt; fail "no warning about data.csv"; }
grep -q '^DIFFERS *x.csv' v4.txt || fail "x.csv should differ"
grep -q '^match *t.csv' v4.txt || fail "t.csv should match"
printf 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n' > data.csv
ok "verify warns about a changed data file"

# a tampered record, a missing output, an unreadable manifest
sed 's/"name": "x.csv"/"name": "y.csv"/' o1/exp.run.json > o1/bad.run.json
"$RDN" verify o1/bad.run.json > v5.txt 2>&1; rc=$?
[ $rc -eq 1 ] || fail "verify of a manifest naming an unwritten file: exit $rc"
grep -q '^missing *y.csv' v5.txt || { cat v5.txt; fail "missing y.csv not reported"; }
grep -q '^extra *x.csv' v5.txt || fail "extra x.csv not reported"
echo '{"script": ' > o1/broken.run.json
"$RDN" verify o1/broken.run.json > v6.txt 2>&1; rc=$?
[ $rc -eq 2 ] || fail "verify of broken JSON: exit $rc, want 2"
"$RDN" verify nonexistent.run.json > v7.txt 2>&1; rc=$?
[ $rc -eq 2 ] || fail "verify of a missing manifest: exit $rc, want 2"
echo '{"a": 1}' > o1/other.run.json
"$RDN" verify o1/other.run.json > v8.txt 2>&1; rc=$?
[ $rc -eq 2 ] || fail "verify of a non-manifest: exit $rc, want 2"
ok "verify: missing, extra, unreadable"

# the script changed after the run: verify reruns the recorded text
echo 'write_csv(randn(3, 3), "t.csv")' > exp.rdn
"$RDN" verify o1/exp.run.json > v9.txt 2>&1 || { cat v9.txt; fail "verify with a changed script file"; }
grep -q "has changed" v9.txt || fail "no note about the changed script"
ok "verify reruns the recorded script text"

# a run that writes nothing writes no manifest; -e runs write rdn.run.json
"$RDN" -e 'print(1)' --out o4 > /dev/null 2>&1 || fail "-e run"
[ -z "$(ls -A o4 2>/dev/null)" ] || fail "a run writing nothing left files: $(ls -A o4)"
"$RDN" --out o5 -e 'write_csv(tensor([1, 2, 3]), "e.csv")' > /dev/null 2>&1 || fail "-e write"
[ -f o5/rdn.run.json ] || fail "-e run did not write rdn.run.json"
"$RDN" verify o5/rdn.run.json > v10.txt 2>&1 || { cat v10.txt; fail "verify of an -e run"; }
ok "no manifest without writes; -e manifests verify"

# a data set written by write_csv reads back exactly with load_csv(label: "label")
"$RDN" --out o6 -e 'write_csv(spirals(n: 20, classes: 3), "d.csv")' > /dev/null 2>&1 || fail "write_csv of a data set"
head -1 o6/d.csv | grep -qx 'x0,x1,label' || fail "data set CSV header"
r=$("$RDN" -e 'd = load_csv("o6/d.csv", label: "label"); e = spirals(n: 20, classes: 3); print(d.n, d.dim, max(abs(d.x - e.x)), max(abs(d.y - e.y)))' 2>&1)
[ "$r" = "20 2 0 0" ] || fail "data set CSV round trip: $r"
ok "write_csv of a data set round-trips through load_csv"

[ $fails -eq 0 ] && echo "test_files: all passed" || { echo "test_files: $fails failed"; exit 1; }
