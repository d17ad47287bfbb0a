#!/bin/sh
# test_tensor_numpy.sh: rdn's tensor operations against NumPy as an independent reference. rdn
# draws random tensors, computes broadcasting arithmetic, products, reductions, indexing, shape
# ops and element-wise functions, and saves inputs and results as .npy; NumPy recomputes each
# result from the saved inputs (in float64) and compares. Skipped when NumPy is missing.
set -u
RDN=${RDN:-$(pwd)/rdn}
PY=/usr/bin/python3
if ! "$PY" -c 'import numpy' 2>/dev/null; then
  echo "test_tensor_numpy.sh: skipped (no NumPy at $PY)"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/ops.rdn" <<'EOF'
seed(5)
a = randn(3, 4)
b = randn(4)
c = randn(3, 1)
x = randn(2, 3, 4)
p = abs(a) + 0.1
save_npy(a, "a.npy")
save_npy(b, "b.npy")
save_npy(c, "c.npy")
save_npy(x, "x.npy")
save_npy(a + b, "add_row.npy")
save_npy(a * c, "mul_col.npy")
save_npy(c - b, "sub_outer.npy")
save_npy(x / (b + 3), "div_3d.npy")
save_npy(2 - a * 0.5, "scalar.npy")
save_npy(p ^ 1.5, "pow.npy")
save_npy(a > b, "gt.npy")
save_npy(max(a, c), "maximum.npy")
save_npy(a @ transpose(a), "mm.npy")
save_npy(a @ b, "mv.npy")
save_npy(b @ transpose(a), "vm.npy")
save_npy(tensor(b @ b), "dot.npy")
save_npy(sum(x, axis: 1), "sum1.npy")
save_npy(mean(x, axis: -1), "mean_last.npy")
save_npy(max(x, axis: 0), "max0.npy")
save_npy(min(a, axis: 1), "min1.npy")
save_npy(argmax(x, axis: 2), "argmax2.npy")
save_npy(argmin(a, axis: 0), "argmin0.npy")
save_npy(std(x, axis: 1, ddof: 1), "std1.npy")
save_npy(var(a, axis: 0), "var0.npy")
save_npy(tensor([sum(x), mean(a), norm(a), std(x), argmax(a), max(b)]), "scalars.npy")
save_npy(x[1, 1..3], "slice.npy")
save_npy(x[0..2, -1, [3, 0, 0]], "take.npy")
save_npy(transpose(x), "transpose3.npy")
save_npy(reshape(x, 4, -1), "reshape.npy")
save_npy(concat(a, a * 2, axis: 1), "concat.npy")
save_npy(tanh(x), "tanh.npy")
save_npy(sigmoid(x * 10), "sigmoid.npy")
save_npy(exp(a), "exp.npy")
save_npy(log(p), "log.npy")
save_npy(sqrt(p), "sqrt.npy")
save_npy(relu(a), "relu.npy")
save_npy(clip(a, lo: -0.5, hi: 0.5), "clip.npy")
save_npy(cumsum(x, axis: 1), "cumsum1.npy")
save_npy(cumsum(a), "cumsum_flat.npy")
save_npy(sort(x), "sort_last.npy")
save_npy(argsort(a, axis: 0), "argsort0.npy")
EOF
if ! "$RDN" --quiet --out "$tmp" "$tmp/ops.rdn" > "$tmp/out" 2>&1; then
  echo "FAIL: the rdn side"; cat "$tmp/out"; exit 1
fi
cd "$tmp" && "$PY" - <<'EOF'
import sys
import numpy as np
L = lambda n: np.load(n + ".npy").astype(np.float64)
a, b, c, x = L("a"), L("b"), L("c"), L("x")
p = np.abs(a) + 0.1
sig = lambda z: 1 / (1 + np.exp(-z))
want = {
    "add_row": a + b, "mul_col": a * c, "sub_outer": c - b, "div_3d": x / (b + 3),
    "scalar": 2 - a * 0.5, "pow": p ** 1.5, "gt": (a > b) * 1.0, "maximum": np.maximum(a, c),
    "mm": a @ a.T, "mv": a @ b, "vm": b @ a.T, "dot": b @ b,
    "sum1": x.sum(1), "mean_last": x.mean(-1), "max0": x.max(0), "min1": a.min(1),
    "argmax2": x.argmax(2), "argmin0": a.argmin(0), "std1": x.std(1, ddof=1), "var0": a.var(0),
    "scalars": [x.sum(), a.mean(), np.linalg.norm(a), x.std(), a.argmax(), b.max()],
    "slice": x[1, 1:3], "take": x[0:2, -1][:, [3, 0, 0]], "transpose3": x.transpose(),
    "reshape": x.reshape(4, -1), "concat": np.concatenate([a, a * 2], 1),
    "tanh": np.tanh(x), "sigmoid": sig(x * 10), "exp": np.exp(a), "log": np.log(p),
    "sqrt": np.sqrt(p), "relu": np.maximum(a, 0), "clip": np.clip(a, -0.5, 0.5),
    "cumsum1": x.cumsum(1), "cumsum_flat": a.cumsum(), "sort_last": np.sort(x),
    "argsort0": np.argsort(a, 0, kind="stable"),
}
bad = 0
for name, w in want.items():
    w = np.asarray(w, dtype=np.float64)
    got = L(name)
    ok = got.shape == w.shape and np.allclose(got, w, rtol=2e-6, atol=2e-6)
    if not ok:
        bad += 1
        print("FAIL %s: shape %s vs %s, max diff %s" % (name, got.shape, w.shape,
              np.max(np.abs(got - w)) if got.shape == w.shape else "-"))
print("tensor ops vs NumPy: %d passed, %d failed" % (len(want) - bad, bad))
sys.exit(1 if bad else 0)
EOF
