#!/usr/bin/python3
"""torch_ref.py: the PyTorch side of rdn's speed comparison (bench/bench_torch.sh).

It runs the workload that build/bench/bench_train measures in rdn, in PyTorch (the Debian package
python3-torch), and prints two throughputs:

  train   samples/s of one epoch of plain SGD (lr 0.01, mean cross-entropy, 10 classes), after
          one warm-up epoch; GFLOP/s counts 6 B D^2 T flops per batch (forward, and the two
          products of the backward pass, of the T hidden layers; the head is not counted).
  record  samples/s of a forward pass that keeps every state h_0 .. h_T (what rdn's `record`
          does), without gradients.

The model is the one of docs/model.md with width = input dimension D (no embedding):
  resnet  h_{t+1} = h_t + sigmoid(W h_t + b), one (W, b) shared by the T layers
  mlp     h_{t+1} = sigmoid(W_t h_t + b_t), T layers of their own
  head    logits = V h_T + c
with PyTorch's default Linear initialisation (uniform in +-1/sqrt(fan_in), as rdn's default).
The data are NB batches of B inputs uniform in [0, 1)^D with uniform random labels; the seed is 0.

Usage: torch_ref.py resnet|mlp D T B NBATCH THREADS
Output (one line each, parsed by bench_torch.sh):
  torch resnet D=784 T=10 B=64: train 12345 samples/s, 6.7 GFLOP/s
  torch resnet D=784 T=10 B=64: record 23456 samples/s
"""
import sys
import time

import torch

CLASSES = 10


class ResNet(torch.nn.Module):
    """T layers sharing one Linear(D, D): an iterated map."""

    def __init__(self, dim, depth):
        super().__init__()
        self.depth = depth
        self.layer = torch.nn.Linear(dim, dim)
        self.head = torch.nn.Linear(dim, CLASSES)

    def forward(self, h, keep=None):
        for _ in range(self.depth):
            h = h + torch.sigmoid(self.layer(h))
            if keep is not None:
                keep.append(h)
        return self.head(h)


class MLP(torch.nn.Module):
    """T layers of their own, no skip connection."""

    def __init__(self, dim, depth):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(dim, dim) for _ in range(depth))
        self.head = torch.nn.Linear(dim, CLASSES)

    def forward(self, h, keep=None):
        for layer in self.layers:
            h = torch.sigmoid(layer(h))
            if keep is not None:
                keep.append(h)
        return self.head(h)


def main(argv):
    if len(argv) != 7 or argv[1] not in ("resnet", "mlp"):
        sys.exit("usage: torch_ref.py resnet|mlp D T B NBATCH THREADS")
    kind = argv[1]
    dim, depth, batch, nbatch, threads = (int(a) for a in argv[2:7])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = (ResNet if kind == "resnet" else MLP)(dim, depth)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(nbatch, batch, dim)
    y = torch.randint(0, CLASSES, (nbatch, batch))

    def epoch():
        for i in range(nbatch):
            opt.zero_grad()
            loss_fn(net(x[i]), y[i]).backward()
            opt.step()

    epoch()  # warm-up: allocations, thread pool
    t0 = time.perf_counter()
    epoch()
    dt = time.perf_counter() - t0
    flops = 6 * batch * dim * dim * depth * nbatch
    tag = f"torch {kind} D={dim} T={depth} B={batch}"
    print(f"{tag}: train {nbatch * batch / dt:.0f} samples/s, {flops / dt / 1e9:.1f} GFLOP/s")

    with torch.no_grad():
        t0 = time.perf_counter()
        for i in range(nbatch):
            states = [x[i]]
            net(x[i], keep=states)
        dt = time.perf_counter() - t0
    print(f"{tag}: record {nbatch * batch / dt:.0f} samples/s")


if __name__ == "__main__":
    main(sys.argv)
