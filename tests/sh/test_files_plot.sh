#!/bin/sh
# test_files_plot.sh: plot writes a valid SVG with one line per class (or row, or column), the
# same bytes on every run; PNG; text in the terminal; clear errors (gnuplot missing, bad input).
RDN=${RDN:-./rdn}
case $RDN in /*) ;; *) RDN=$(pwd)/$RDN ;; esac
T=$(mktemp -d /tmp/rdn-test-plot-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cd "$T" || exit 1
valid_svg() {
    if command -v xmllint > /dev/null 2>&1; then xmllint --noout "$1"
    else /usr/bin/python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$1"; fi
}
# one <g id="gnuplot_plot_K"> group per drawn line
nlines() { grep -c '<g id="gnuplot_plot_[0-9]*"' "$1"; }

cat > p.rdn <<'EOF'
seed(2)
y = randn(12, 20)
labels = tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
plot(y, by: labels, to: "classes.svg", title: "norm by class", xlabel: "layer", ylabel: "norm")
plot(y, by: ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b"], to: "figs/ab.svg")
plot(y[0..3], to: "rows.svg", x: 1..21, logy: true)
plot(abs(y[0]) + 0.1, to: "one.svg", logy: true)
plot([1, 4, 9, 16], to: "list.svg")
plot(y, by: labels, to: "classes.png")
EOF
"$RDN" p.rdn --out o1 > run1.txt 2>&1 || { cat run1.txt; fail "plot script"; }
"$RDN" p.rdn --out o2 > run2.txt 2>&1 || { cat run2.txt; fail "plot script (second run)"; }
for f in classes.svg figs/ab.svg rows.svg one.svg list.svg classes.png; do
    [ -s "o1/$f" ] || { fail "o1/$f not written"; continue; }
    cmp -s "o1/$f" "o2/$f" || fail "$f differs between two runs"
done
for f in classes.svg figs/ab.svg rows.svg one.svg list.svg; do
    valid_svg "o1/$f" || fail "$f is not valid XML"
done
[ "$(nlines o1/classes.svg)" -eq 3 ] || fail "classes.svg: $(nlines o1/classes.svg) lines, want 3"
[ "$(nlines o1/figs/ab.svg)" -eq 2 ] || fail "ab.svg: want 2 lines"
[ "$(nlines o1/rows.svg)" -eq 3 ] || fail "rows.svg: want 3 lines (one per row)"
[ "$(nlines o1/one.svg)" -eq 1 ] || fail "one.svg: want 1 line"
grep -q 'class 2' o1/classes.svg || fail "legend 'class 2' missing"
grep -q 'norm by class' o1/classes.svg || fail "title missing"
grep -q '>layer<' o1/classes.svg || fail "xlabel missing"
head -c 8 o1/classes.png | od -An -c | grep -q 'P   N   G' || fail "classes.png is not a PNG"
/usr/bin/python3 - o1/rdn.run.json o1/p.run.json <<'EOF' || fail "plots not in the manifest"
import json, sys
m = json.load(open(sys.argv[2]))
names = [w["name"] for w in m["written"]]
assert names == sorted(["classes.svg", "figs/ab.svg", "rows.svg", "one.svg", "list.svg", "classes.png"]), names
EOF
"$RDN" verify o1/p.run.json > v.txt 2>&1 || { cat v.txt; fail "verify of plots"; }

# by: a data set: its class names are the legends
printf 'a,b,animal\n1,2,cat\n3,4,dog\n5,6,cat\n' > animals.csv
"$RDN" --out o6 -e 'd = load_csv("animals.csv", label: "animal")
plot(d.x, by: d, to: "names.svg")' > names.txt 2>&1 || { cat names.txt; fail "plot by: a data set"; }
[ "$(nlines o6/names.svg)" -eq 2 ] || fail "by: data set: want 2 lines"
grep -q '>cat<' o6/names.svg && grep -q '>dog<' o6/names.svg || fail "by: data set: class names not in the legend"
grep -q 'animals.csv' o6/rdn.run.json || fail "the data file read is not in the manifest"

# the mean of each group is what is drawn: two rows per class, the line is their mean
"$RDN" --out o3 -e 'plot(tensor([[0, 0], [2, 4], [10, 10]]), by: [1, 1, 2], to: "m.svg")' > /dev/null 2>&1 \
    || fail "mean plot"
"$RDN" --out o4 -e 'plot(tensor([[1, 2], [10, 10]]), by: [1, 2], to: "m.svg")' > /dev/null 2>&1 \
    || fail "mean reference plot"
cmp -s o3/m.svg o4/m.svg || fail "group mean: the line of rows [0,0] and [2,4] is not [1,2]"

# a table: x column, one line per column or per group of a by: column
# a table: x column, one line per column, or one per group of a by: column
"$RDN" --out o5 -e 't = table(["sigma", "acc", "loss", "net"], [[0, 0.9, 0.3, "resnet"], [0.1, 0.8, 0.5, "resnet"], [0, 0.85, 0.4, "mlp"], [0.1, 0.6, 0.9, "mlp"]])
plot(t, x: "sigma", by: "net", cols: "acc", to: "by.svg")
plot(t, x: "sigma", by: "net", to: "by2.svg")
plot(t, cols: ["acc", "loss"], to: "cols.svg")
write_csv(t, "t.csv")' > tab.txt 2>&1 || { cat tab.txt; fail "table plots"; }
[ "$(nlines o5/by.svg)" -eq 2 ] || fail "table by: want 2 lines"
grep -q '>resnet<' o5/by.svg && grep -q '>mlp<' o5/by.svg || fail "table by: legends resnet, mlp missing"
[ "$(nlines o5/by2.svg)" -eq 4 ] || fail "table by: with two numeric columns: want 4 lines"
grep -q '>mlp loss<' o5/by2.svg || fail "table by: legend 'mlp loss' missing"
[ "$(nlines o5/cols.svg)" -eq 2 ] || fail "table cols: want 2 lines"
[ "$(head -1 o5/t.csv)" = "sigma,acc,loss,net" ] || fail "write_csv of a table: header"
"$RDN" --out o5 -e 'plot(table(["d", "x", "y"], [[10, 0, 1], [10, 1, 2], [20, 0, 3], [20, 1, 1]]), x: "x", by: "d", to: "num.svg")' \
    > /dev/null 2>&1 || fail "table by: a numeric column"
[ "$(nlines o5/num.svg)" -eq 2 ] && grep -q '>d=10<' o5/num.svg && grep -q '>d=20<' o5/num.svg \
    || fail "table by: a numeric column: want lines d=10 and d=20"
"$RDN" --out o5 -e 'plot(table(["a", "b"], [[1, 2]]), x: "c")' 2> e.txt
grep -q "the table has no column 'c'" e.txt || { cat e.txt; fail "unknown column not reported"; }
"$RDN" --out o5 -e 'plot(table(["a", "b"], [[1, "x"]]))' 2> e.txt
grep -q "no numeric column to draw" e.txt || { cat e.txt; fail "text-only table not reported"; }

# text in the terminal with no to:
"$RDN" -e 'plot(tensor([1, 3, 2, 5]), title: "dumb")' > dumb.txt 2>&1 || { cat dumb.txt; fail "dumb plot"; }
grep -q 'dumb' dumb.txt && grep -q '\*' dumb.txt || { cat dumb.txt; fail "dumb plot output"; }
[ "$(wc -l < dumb.txt)" -ge 20 ] || fail "dumb plot too short"

# errors: located, clear, nothing written
err() {
    code=$1 msg=$2
    "$RDN" --out oe -e "$code" > /dev/null 2> e.txt; rc=$?
    [ $rc -eq 1 ] || fail "[$code] exit $rc, want 1"
    grep -q "^<-e>:1:[0-9]*: error: .*$msg" e.txt || { fail "[$code] want: $msg"; cat e.txt; }
}
err 'plot(tensor([1, 2]), to: "x.pdf")' "must end in .svg or .png"
err 'plot(tensor([[1, 2], [3, 4]]), by: [1, 2, 3], to: "x.svg")' "by: has 3 labels but y has 2 rows"
err 'plot(tensor([1, 2]), by: [1, 2], to: "x.svg")' "this y is 1-D"
err 'plot(tensor([1, 2]), x: [1, 2, 3])' "x: has 3 values but y has 2 points"
err 'plot("text")' "expected a tensor, a list of numbers or a table"
err 'plot(tensor([0, 0]) / 0)' "nothing to draw"
err 'plot(tensor([1, 2]), colour: "red")' "unknown keyword 'colour'"
[ -z "$(ls -A oe 2>/dev/null)" ] || fail "failed plots left files: $(ls -A oe)"
# gnuplot missing: the error names the Debian package
PATH=/nonexistent "$RDN" --out oe -e 'plot(tensor([1, 2]), to: "x.svg")' > /dev/null 2> e.txt
grep -q 'gnuplot-nox' e.txt || { cat e.txt; fail "missing gnuplot: no mention of gnuplot-nox"; }
[ -z "$(ls -A oe 2>/dev/null)" ] || fail "missing gnuplot left files"

[ $fails -eq 0 ] && echo "test_files_plot: all passed" || { echo "test_files_plot: $fails failed"; exit 1; }
