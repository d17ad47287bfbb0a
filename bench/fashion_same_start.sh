#!/bin/sh
# fashion_same_start.sh: rdn and PyTorch trained from the SAME initial weights in the SAME batch order
# on Fashion-MNIST (the model and schedule of examples/fashion.rdn), epoch by epoch side by side.
# PyTorch draws the initial weights (nn.Linear default, seed 0) and saves them as .npy; rdn loads
# them (net.W = load_npy(...)); a small C program linked with rdn's runtime writes the order in which
# rdn's fit(seed: 1) visits the inputs, and PyTorch uses that order.
# Usage: bench/fashion_same_start.sh [N] [EPOCHS]   (defaults 1000 10, seconds; 60000 3 is the
# example itself, a few minutes). Needs ./rdn and build/librdnrt.a (make), /usr/bin/python3 + torch.
set -e
N=${1:-1000}; E=${2:-10}
RDN=${RDN:-./rdn}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cat > "$T/order.c" <<'EOF'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "rng.h"
/* fit's shuffle (runtime/train.c): epoch e visits rdn_rng_permute(rdn_rng_derive(seed, e, "SHUFF")) */
int main(int argc, char **argv)
{
    uint64_t s = strtoull(argv[1], 0, 10);
    int n = atoi(argv[2]), E = atoi(argv[3]);
    int32_t *idx = malloc((size_t)n * sizeof *idx);
    FILE *f = fopen(argv[4], "wb");
    if (argc < 5 || !idx || !f) return 1;
    for (int ep = 1; ep <= E; ep++) {
        RdnRng r;
        rdn_rng_derive(&r, s, (uint64_t)ep, 0x5348554646ull);
        for (int i = 0; i < n; i++) idx[i] = i;
        rdn_rng_permute(&r, idx, n);
        fwrite(idx, sizeof *idx, (size_t)n, f);
    }
    return fclose(f) != 0;
}
EOF
cc -O2 -Iruntime "$T/order.c" build/librdnrt.a -lm -o "$T/order"
"$T/order" 1 "$N" "$E" "$T/order.bin"
cat > "$T/ref.py" <<'EOF'
import gzip, sys
import numpy as np, torch
torch.set_num_threads(1)
T, N, E = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.manual_seed(0)
D = "/usr/share/datasets/fashion-mnist/"
def idx(name, off):
    with gzip.open(D + name, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=off)
xtr = torch.from_numpy(idx("train-images-idx3-ubyte.gz", 16).astype(np.float32).reshape(-1, 784)[:N] / 255)
ytr = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)[:N])
xte = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz", 16).astype(np.float32).reshape(-1, 784) / 255)
yte = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))
order = np.fromfile(T + "/order.bin", dtype=np.int32).reshape(E, N).astype(np.int64)
class ResNet(torch.nn.Module):
    def __init__(s, d=784, t=10, k=10):
        super().__init__(); s.t = t
        s.lin = torch.nn.Linear(d, d); s.head = torch.nn.Linear(d, k)
    def forward(s, x):
        for _ in range(s.t):
            x = x + torch.sigmoid(s.lin(x))
        return s.head(x)
net = ResNet()
for nm, p in [("W", net.lin.weight), ("b", net.lin.bias), ("V", net.head.weight), ("c", net.head.bias)]:
    np.save(f"{T}/{nm}.npy", p.detach().numpy())
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
lossf = torch.nn.CrossEntropyLoss()
for ep in range(E):
    tot = 0.0
    for i in range(0, N, 64):
        b = torch.from_numpy(order[ep, i:i + 64])
        opt.zero_grad(); l = lossf(net(xtr[b]), ytr[b]); l.backward(); opt.step()
        tot += l.item() * len(b)
    with torch.no_grad():
        lt = net(xte)
        print(ep + 1, tot / N, lossf(lt, yte).item(), (lt.argmax(1) == yte).float().mean().item(), flush=True)
EOF
cat > "$T/same.rdn" <<EOF
train = take(fashion_mnist(split: "train"), $N)
test = fashion_mnist(split: "test")
net = resnet(in: 784, width: 784, depth: 10, classes: 10, act: "logistic", shared: true)
net.W = load_npy("$T/W.npy")
net.b = load_npy("$T/b.npy")
net.V = load_npy("$T/V.npy")
net.c = load_npy("$T/c.npy")
h = fit(net, train, epochs: $E, lr: 0.01, batch: 64, opt: "momentum", momentum: 0.9, seed: 1, val: test)
for i in 0..len(h.loss) { print(i + 1, h.loss[i], h.val_loss[i], h.val_acc[i]) }
EOF
/usr/bin/python3 "$T/ref.py" "$T" "$N" "$E" > "$T/torch.txt"
"$RDN" --quiet --threads 1 "$T/same.rdn" > "$T/rdn.txt"
echo "fashion_same_start: $N training inputs, $E epochs, batch 64, same start and order"
echo "epoch  train loss: PyTorch       rdn          rel.diff   test acc: PyTorch  rdn"
paste "$T/torch.txt" "$T/rdn.txt" | awk '{ d = $2 - $6; if (d < 0) d = -d;
    printf "%5d  %20.8f %12.8f %10.2e   %16.4f %7.4f\n", $1, $2, $6, d / $2, $4, $8 }'
