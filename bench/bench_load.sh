#!/bin/sh
# bench_load.sh: Fashion-MNIST training set, gunzip + convert to float32 / 255: rdn's loader
# (build/bench/bench_load) against NumPy with Python's gzip on the same files, time (best of 5)
# and peak resident memory (GNU time) side by side.
set -u
B=${B:-build}
DIR=/usr/share/datasets/fashion-mnist
PY=/usr/bin/python3
if [ ! -f $DIR/train-images-idx3-ubyte.gz ]; then echo "bench_load.sh: skipped (no $DIR)"; exit 0; fi
if [ ! -x $B/bench/bench_load ]; then echo "bench_load.sh: build $B/bench/bench_load first (make bench)"; exit 1; fi
if ! $PY -c 'import numpy' 2>/dev/null; then echo "bench_load.sh: skipped (no numpy for $PY)"; exit 0; fi
tmp=$(mktemp -d)
cat > $tmp/np.py <<PYEOF
import gzip, sys, time
import numpy as np
d = "$DIR/"
def load():
    with gzip.open(d + "train-images-idx3-ubyte.gz", "rb") as f:
        b = f.read()
    x = np.frombuffer(b, dtype=np.uint8, offset=16).astype(np.float32) / 255
    with gzip.open(d + "train-labels-idx1-ubyte.gz", "rb") as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int32)
    return x.reshape(-1, 784), y
reps = 1 if len(sys.argv) > 1 else 5
best = 1e9
for r in range(reps):
    t = time.perf_counter(); x, y = load(); best = min(best, time.perf_counter() - t)
print("%.3f" % best)
PYEOF
rdn_t=$($B/bench/bench_load | sed -n 's/.* in \([0-9.]*\) s .*/\1/p')
np_t=$($PY $tmp/np.py)
/usr/bin/time -v $B/bench/bench_load once > $tmp/r.out 2> $tmp/r.time
/usr/bin/time -v $PY $tmp/np.py once > /dev/null 2> $tmp/p.time
rdn_rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' $tmp/r.time)
np_rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' $tmp/p.time)
data_mb=$(cut -d' ' -f2 $tmp/r.out)
echo "bench_load.sh: Fashion-MNIST train (60000 x 784 float32 = $data_mb MB), best of 5"
printf '  %-34s %8s s   peak RSS %6d MB (%.2fx the data)\n' "rdn fashion_mnist()" "$rdn_t" \
  $((rdn_rss / 1024)) "$(awk -v r="$rdn_rss" -v d="$data_mb" 'BEGIN { print r * 1.024 / 1000 / d }')"
printf '  %-34s %8s s   peak RSS %6d MB (%.2fx the data)\n' "numpy + gzip (python3)" "$np_t" \
  $((np_rss / 1024)) "$(awk -v r="$np_rss" -v d="$data_mb" 'BEGIN { print r * 1.024 / 1000 / d }')"
rm -rf $tmp
