#!/usr/bin/python3
"""fashion_torch.py: the PyTorch reference for examples/fashion.rdn (Debian python3-torch).

The paper's model: h_{t+1} = h_t + sigmoid(W h_t + b) with one W, b shared by the 10 layers,
width 784 = the input, head logits = V h_T + c (nn.Linear default initialisation); inputs are
pixels / 255; SGD lr 0.01 momentum 0.9, batch 64, 3 epochs, shuffled each epoch; prints the test
accuracy after each epoch.  Usage: fashion_torch.py [SEED] [THREADS]
"""
import gzip, sys, time
import numpy as np
import torch

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
torch.manual_seed(seed)
D = "/usr/share/datasets/fashion-mnist/"

def idx(name, off):
    with gzip.open(D + name, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=off)

xtr = torch.from_numpy(idx("train-images-idx3-ubyte.gz", 16).astype(np.float32).reshape(-1, 784) / 255)
ytr = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
xte = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz", 16).astype(np.float32).reshape(-1, 784) / 255)
yte = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))

class ResNet(torch.nn.Module):
    def __init__(s, d=784, t=10, k=10):
        super().__init__(); s.t = t
        s.lin = torch.nn.Linear(d, d); s.head = torch.nn.Linear(d, k)
    def forward(s, x):
        for _ in range(s.t):
            x = x + torch.sigmoid(s.lin(x))
        return s.head(x)

net = ResNet()
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
lossf = torch.nn.CrossEntropyLoss()
t0 = time.perf_counter()
for epoch in range(3):
    perm = torch.randperm(len(xtr))
    tot = 0.0
    for i in range(0, len(xtr), 64):
        b = perm[i:i + 64]
        opt.zero_grad(); l = lossf(net(xtr[b]), ytr[b]); l.backward(); opt.step()
        tot += l.item() * len(b)
    with torch.no_grad():
        acc = (net(xte).argmax(1) == yte).float().mean().item()
    print(f"seed {seed} epoch {epoch + 1}: train loss {tot / len(xtr):.4f} test accuracy {acc:.4f}"
          f" ({time.perf_counter() - t0:.0f} s)", flush=True)
