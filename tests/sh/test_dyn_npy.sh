#!/bin/sh
# test_dyn_npy.sh: record(..., to:) writes standard .npy files that NumPy loads with the right
# shapes and the same numbers as the recording in memory; a folder that cannot be written is a
# located error and leaves nothing behind.
set -u
RDN=${RDN:-./rdn}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fail=1; }

cat > "$tmp/rec.rdn" <<'RDN'
seed(3)
d = blobs(n: 37, classes: 3, dim: 5)
net = resnet(in: 5, width: 6, depth: 4, classes: 3, shared: false)
rec = record(net, d, to: "transients/run")
mem = record(net, d)
save_npy(mem.states, "mem_states.npy")
save_npy(mem.residuals, "mem_resid.npy")
save_npy(residual_norms(rec), "rho.npy")
print(rec.n, rec.depth, rec.width, rec.keep)
r2 = record(net, d, keep: "states", to: "only_states")
RDN
if (cd "$tmp" && "$RDN" --quiet --out "$tmp/out" rec.rdn > "$tmp/log" 2>&1); then ok "record to: runs"
else bad "record to: runs"; cat "$tmp/log"; fi
grep -q "^37 4 6 both$" "$tmp/log" && ok "members" || { bad "members"; cat "$tmp/log"; }

if [ -x "$PY" ] && "$PY" -c "import numpy" 2>/dev/null; then
  if "$PY" - "$tmp/out" <<'PYEOF'
import sys, numpy as np
o = sys.argv[1]
s = np.load(o + "/transients/run/states.npy")
r = np.load(o + "/transients/run/residuals.npy", mmap_mode="r")
l = np.load(o + "/transients/run/labels.npy")
assert s.shape == (37, 5, 6) and s.dtype == np.float32, (s.shape, s.dtype)
assert r.shape == (37, 4, 6) and r.dtype == np.float32, (r.shape, r.dtype)
assert l.shape == (37,) and l.dtype == np.int32, (l.shape, l.dtype)
assert (s == np.load(o + "/mem_states.npy")).all()
assert (r == np.load(o + "/mem_resid.npy")).all()
# the integral identity and the norms, checked by NumPy
assert np.abs(s[:, -1] - s[:, 0] - r.astype(np.float64).sum(1)).max() < 1e-5
rho = np.load(o + "/rho.npy")
assert np.abs(rho - np.linalg.norm(r.astype(np.float64), axis=2)).max() < 1e-5
import os
assert sorted(os.listdir(o + "/only_states")) == ["labels.npy", "states.npy"], os.listdir(o + "/only_states")
PYEOF
  then ok "numpy loads states/residuals/labels with the right shapes and numbers"
  else bad "numpy check"; fi
else
  echo "skip - no numpy at $PY"
fi

# a folder that cannot be written: a file is in the way
mkdir -p "$tmp/out2" && : > "$tmp/out2/blocked"
cat > "$tmp/bad.rdn" <<'RDN'
d = blobs(n: 10, classes: 2, dim: 3)
net = resnet(width: 3, depth: 2, classes: 2)
rec = record(net, d, to: "blocked")
RDN
(cd "$tmp" && "$RDN" --out "$tmp/out2" bad.rdn > "$tmp/log2" 2>&1)
st=$?
[ "$st" = 1 ] && grep -q "bad.rdn:3:.*error: record: to:" "$tmp/log2" && ok "unwritable folder: located error" \
  || { bad "unwritable folder (status $st)"; cat "$tmp/log2"; }
[ -z "$(find "$tmp/out2" -name '*.npy*')" ] && ok "nothing left behind" || { bad "files left"; find "$tmp/out2"; }

cat > "$tmp/esc.rdn" <<'RDN'
d = blobs(n: 10, classes: 2, dim: 3)
net = resnet(width: 3, depth: 2, classes: 2)
rec = record(net, d, to: "../outside")
RDN
(cd "$tmp" && "$RDN" --out "$tmp/out2" esc.rdn > "$tmp/log3" 2>&1)
[ $? = 1 ] && [ ! -e "$tmp/outside" ] && ok "escape refused" || { bad "escape"; cat "$tmp/log3"; }

# memory does not grow with n when streaming: 20,000 inputs, width 128, depth 10 are 215 MB of
# transients (states.npy 113 MB); the run must stay far below that (data and net included)
if [ -x /usr/bin/time ]; then
  cat > "$tmp/mem.rdn" <<'RDN'
d = blobs(n: 20000, classes: 4, dim: 128)
net = resnet(width: 128, depth: 10, classes: 4)
rec = record(net, d, to: "big")
RDN
  (cd "$tmp" && /usr/bin/time -v "$RDN" --quiet --out "$tmp/out3" mem.rdn > "$tmp/log4" 2>&1)
  kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/log4")
  size=$(du -k "$tmp/out3/big/states.npy" 2>/dev/null | cut -f1)
  if [ -n "$kb" ] && [ "$kb" -lt 120000 ] && [ "${size:-0}" -gt 100000 ]; then
    ok "streaming 215 MB of transients peaks at $((kb / 1024)) MB resident"
  else bad "memory while streaming: ${kb:-?} kB resident, states.npy ${size:-?} kB"; cat "$tmp/log4"; fi
fi

exit $fail
