#!/bin/sh
# test_files_sandbox.sh: every escape from the output folder (absolute path, '..', a symbolic
# link leading out) is refused with a located error, and nothing is created anywhere.
RDN=${RDN:-./rdn}
T=$(mktemp -d /tmp/rdn-test-sandbox-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cd "$T" || exit 1
mkdir out outside
ln -s "$T/outside" out/link
ln -s "$T/outside/target.csv" out/flink
echo precious > outside/target.csv
ln -s sub out/inlink
mkdir out/sub

listing() { find . -not -name stdout.txt -not -name stderr.txt | sort; }
# refused: CODE, then the message expected on stderr
refuse() {
    code=$1 msg=$2
    before=$(listing)
    "$RDN" --out out -e "$code" > stdout.txt 2> stderr.txt; rc=$?
    [ $rc -eq 1 ] || fail "[$code] exit $rc, want 1"
    grep -q "^<-e>:1:[0-9]*: error: .*$msg" stderr.txt || {
        fail "[$code] want a located error containing: $msg"; cat stderr.txt; }
    after=$(listing)
    [ "$before" = "$after" ] || fail "[$code] created files: $(echo "$after" | grep -vxF "$before")"
    [ "$(cat outside/target.csv)" = precious ] || fail "[$code] overwrote the outside file"
}
refuse 'write_csv(tensor([1, 2]), "/tmp/rdn-sandbox-abs.csv")' \
    "refusing to write '/tmp/rdn-sandbox-abs.csv': absolute paths are not allowed"
refuse 'write_csv(tensor([1, 2]), "../escape.csv")' "'..' leaves the output folder"
refuse 'write_csv(tensor([1, 2]), "new/../../escape.csv")' "'..' leaves the output folder"
refuse 'write_csv(tensor([1, 2]), "sub/../../../escape.csv")' "'..' leaves the output folder"
refuse 'write_csv(tensor([1, 2]), "link/escape.csv")' "symbolic link 'link' leads to"
refuse 'write_csv(tensor([1, 2]), "link/deeper/escape.csv")' "symbolic link 'link' leads to"
refuse 'write_csv(tensor([1, 2]), "flink")' "symbolic link 'flink' leads to"
refuse 'plot(tensor([1, 2]), to: "/tmp/rdn-sandbox-abs.svg")' "absolute paths are not allowed"
refuse 'plot(tensor([1, 2]), to: "link/x.svg")' "symbolic link 'link' leads to"
refuse 'write_csv(tensor([1, 2]), "")' "empty file name"
refuse 'write_csv(tensor([1, 2]), "sub")' "it is a folder"
[ -e /tmp/rdn-sandbox-abs.csv ] && fail "absolute path was written"
[ -e "$T/escape.csv" ] && fail "'..' escape was written"

# the error is located at the path argument
"$RDN" --out out -e 'write_csv(tensor([1, 2]), "../x.csv")' 2> stderr.txt
grep -q '^<-e>:1:27: error:' stderr.txt || { fail "error not located at the path (col 27)"; cat stderr.txt; }

# allowed: relative paths, '..' that stays inside, links that stay inside, new folders
"$RDN" --out out -e 'write_csv(tensor([1, 2]), "a/b/../c.csv"); write_csv(tensor([3]), "inlink/d.csv"); write_csv(tensor([4]), "./e.csv")' \
    > /dev/null 2> stderr.txt || { fail "allowed writes refused"; cat stderr.txt; }
[ -f out/a/c.csv ] && [ -f out/sub/d.csv ] && [ -f out/e.csv ] || fail "allowed writes missing"
[ -e out/a/b ] && fail "a/b/.. created a/b"
# the default output folder is the current directory
(cd out/sub && "$RDN" -e 'write_csv(tensor([5]), "here.csv")' > /dev/null 2>&1) || fail "default --out"
[ -f out/sub/here.csv ] && [ -f out/sub/rdn.run.json ] || fail "default --out is not the current directory"
# --out creates a missing folder
"$RDN" --out new/deep -e 'write_csv(tensor([5]), "n.csv")' > /dev/null 2>&1 || fail "--out new/deep"
[ -f new/deep/n.csv ] || fail "--out did not create its folder"
# no temporary file is left behind by any of this
[ -z "$(find . -name '.*.tmp.*')" ] || fail "temporary files left: $(find . -name '.*.tmp.*')"

[ $fails -eq 0 ] && echo "test_files_sandbox: all passed" || { echo "test_files_sandbox: $fails failed"; exit 1; }
