#!/bin/sh
# test_data_npy.sh: .npy exchange with NumPy both ways (files rdn writes load in numpy.load as
# they are; NumPy's dtypes load in rdn), load_csv/load_idx on files NumPy/Python wrote, and the
# data files read appearing in the run's manifest. Skipped with a message without NumPy.
set -u
RDN=${RDN:-$(pwd)/rdn}
PY=/usr/bin/python3
if ! $PY -c 'import numpy' 2>/dev/null; then
  echo "test_data_npy.sh: skipped (numpy not available for $PY)"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# rdn -> numpy
cat > "$tmp/w.rdn" <<'R'
save_npy(tensor([[1, 2.5, -3], [4, 5, 6]]), "a.npy")
save_npy(tensor([7, 8, 9]), "sub/b.npy")
save_npy(reshape(tensor(0..24), 2, 3, 4), "c.npy")
save_npy(spirals(n: 10, seed: 1).x, "d.npy")
R
(cd "$tmp" && "$RDN" --out out w.rdn) || bad "rdn save_npy run"
$PY - "$tmp/out" <<'P' && ok "numpy.load reads rdn's files unchanged" || bad "numpy.load of rdn's files"
import sys, numpy as np
d = sys.argv[1]
a = np.load(d + "/a.npy"); b = np.load(d + "/sub/b.npy"); c = np.load(d + "/c.npy"); s = np.load(d + "/d.npy")
assert a.dtype == np.float32 and a.shape == (2, 3) and a.tolist() == [[1, 2.5, -3], [4, 5, 6]], a
assert b.shape == (3,) and b.tolist() == [7, 8, 9], b
assert c.shape == (2, 3, 4) and c[1, 2, 3] == 23 and c.flags["C_CONTIGUOUS"], c
assert s.shape == (10, 2) and np.all(np.abs(s) < 2)
for f in ["a.npy", "c.npy"]:
    raw = open(d + "/" + f, "rb").read()
    hl = raw[8] | raw[9] << 8
    assert raw[:8] == b"\x93NUMPY\x01\x00" and (10 + hl) % 64 == 0 and raw[9 + hl] == 10, f
P
grep -q '"a.npy"' "$tmp/out/w.run.json" 2>/dev/null && ok "manifest lists the written .npy" || bad "manifest lacks a.npy"

# numpy -> rdn: every supported dtype, and the refused ones
$PY - "$tmp" <<'P'
import sys, numpy as np
d = sys.argv[1]
base = np.array([[0, 1, 2], [3, 4, 250]])
for t in ["<f4", "<f8", "<i4", "<i8", "u1", "i1"]:
    np.save(f"{d}/t_{t.strip('<')}.npy", base.astype(t) if t != "i1" else (base - 125).astype(t))
np.save(d + "/bool.npy", base > 2)
np.save(d + "/big.npy", base.astype(">f4"))
np.save(d + "/fort.npy", np.asfortranarray(base.astype("<f4")))
np.save(d + "/obj.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
np.save(d + "/c64.npy", base.astype(np.complex64))
np.save(d + "/five.npy", np.zeros((1, 1, 1, 1, 2), dtype="<f4"))
with open(d + "/v2.npy", "wb") as f:
    np.lib.format.write_array(f, base.astype("<f4"), version=(2, 0))
np.savetxt(d + "/np.csv", np.c_[base, [0, 1]], delimiter=",", header="a,b,c,label", comments="")
P
cat > "$tmp/r.rdn" <<'R'
for t in ["f4", "f8", "i4", "i8", "u1", "v2"] {
  p = "t_" + t + ".npy"
  if t == "v2" { p = "v2.npy" }
  x = load_npy(p)
  print(t, x.shape, sum(x))
}
print("i1", sum(load_npy("t_i1.npy")), "bool", sum(load_npy("bool.npy")))
d = load_csv("np.csv")
print(d.n, d.dim, d.classes)
save_npy(load_npy("t_f8.npy"), "copy.npy")
R
(cd "$tmp" && "$RDN" --out out2 r.rdn > r.out 2> r.err) || { bad "rdn load_npy run"; cat "$tmp/r.err"; }
cat > "$tmp/r.want" <<'W'
f4 [2, 3] 260
f8 [2, 3] 260
i4 [2, 3] 260
i8 [2, 3] 260
u1 [2, 3] 260
v2 [2, 3] 260
i1 -490 bool 3
2 3 ["0", "1"]
W
diff "$tmp/r.want" "$tmp/r.out" > /dev/null && ok "rdn reads NumPy's dtypes" || { bad "rdn load_npy values"; diff "$tmp/r.want" "$tmp/r.out"; }
grep -q 't_f8.npy' "$tmp/out2/r.run.json" && grep -q 'np.csv' "$tmp/out2/r.run.json" && ok "files read are in the manifest" || bad "manifest lacks the files read"
for f in big:big-endian fort:"Fortran order" obj:"object arrays" c64:"not supported" five:"more than 4 dimensions"; do
  name=${f%%:*}; want=${f#*:}
  (cd "$tmp" && "$RDN" -e "load_npy(\"$name.npy\")" > /dev/null 2> e.txt)
  st=$?
  if [ $st -eq 1 ] && grep -q "$want" "$tmp/e.txt"; then ok "$name.npy refused ($want)"; else bad "$name.npy: status $st, $(cat "$tmp/e.txt")"; fi
done
exit $fail
