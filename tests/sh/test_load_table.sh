#!/bin/sh
# test_load_table.sh: numbers in CSVs are exact (the shortest text that reads back as the same
# double, checked by Python's float), load_table reads what write_csv wrote back equal (writing
# it again gives the same bytes) and lists the file as read in the manifest.
RDN=${RDN:-./rdn}
case $RDN in /*) ;; *) RDN=$(pwd)/$RDN ;; esac
T=$(mktemp -d /tmp/rdn-test-load-table-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$T" || exit 1

cat > w.rdn <<'EOF2'
t = table(["x", "name", "k"], [[0.1, "plain", 1], [1e-300, "a, \"b\"", 20210917],
                               [1 / 3, "", -2], [2 / 3 * 1e20, "x\ny", 0], [nil, "z", 1e15]])
write_csv(t, "t.csv")
EOF2
"$RDN" --out o1 w.rdn > w.txt 2>&1 || { cat w.txt; fail "write_csv of a table"; }
/usr/bin/python3 - o1/t.csv <<'EOF2' || fail "numbers in t.csv are not exact"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["x", "name", "k"], rows[0]
want = [0.1, 1e-300, 1 / 3, 2 / 3 * 1e20]
for r, w in zip(rows[1:], want):
    assert float(r[0]) == w, (r[0], w)
    assert len(r[0]) <= 17 + 6, r[0]
assert rows[1][0] == "0.1" and rows[2][0] == "1e-300", rows
assert [r[2] for r in rows[1:]] == ["1", "20210917", "-2", "0", "1e+15"], rows
assert rows[2][1] == 'a, "b"' and rows[4][1] == "x\ny" and rows[5][0] == "nan", rows
EOF2

cat > r.rdn <<'EOF2'
t = load_table("o1/t.csv")
print(t.nrows, t.ncols, t.columns)
write_csv(t, "again.csv")
EOF2
r=$("$RDN" --out o2 r.rdn 2>&1) || fail "load_table: $r"
[ "$r" = '5 3 ["x", "name", "k"]' ] || fail "load_table shape: $r"
cmp -s o1/t.csv o2/again.csv || fail "load_table then write_csv changed the bytes: $(diff o1/t.csv o2/again.csv)"
# a table that write_csv wrote reads back equal (==: same columns, same doubles, nil as nil)
cat > eq.rdn <<'EOF2'
t = table([{x: 0.1 + 0.2, name: "a, \"b\"", k: 20210917}, {x: 1 / 3, name: "", k: nil}])
write_csv(t, "e.csv")
u = load_table("o3/e.csv")
print(u == t, u[1] == t[1], u == table([{x: 0.3, name: "", k: 1}]))
EOF2
r=$("$RDN" --out o3 eq.rdn 2>&1) || fail "round trip: $r"
[ "$r" = 'true true false' ] || fail "load_table of what write_csv wrote is not equal: $r"
grep -q '"o1/t.csv"' o2/r.run.json || fail "the file read is not in the manifest"
"$RDN" verify o2/r.run.json > v.txt 2>&1 || { cat v.txt; fail "verify of a load_table run"; }

# CRLF and a missing final newline read the same as LF
printf 'a,b\r\n1,x\r\n2.5,"y,z"' > crlf.csv
r=$("$RDN" -e 't = load_table("crlf.csv"); print(t.nrows, to_list(t.a), t.b)' 2>&1)
[ "$r" = '2 [1, 2.5] ["x", "y,z"]' ] || fail "CRLF: $r"
printf '' > empty.csv
r=$("$RDN" -e 'load_table("empty.csv")' 2>&1) && fail "an empty file was accepted"
echo "$r" | grep -q 'empty.csv:1: empty: a table needs a header row' || fail "empty file message: $r"
printf 'a,b\n1,"x\n' > quote.csv
r=$("$RDN" -e 'load_table("quote.csv")' 2>&1) && fail "an unterminated quote was accepted"
echo "$r" | grep -q 'quote.csv:.*unterminated' || fail "unterminated quote message: $r"

[ $fails -eq 0 ] && echo "test_load_table: all passed" || { echo "test_load_table: $fails failed"; exit 1; }
