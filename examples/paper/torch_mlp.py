#!/usr/bin/python3
# torch_mlp.py: the PyTorch cross-check behind 4_noise.rdn's choice of MLP schedule. A depth-10
# logistic MLP (784 wide, PyTorch's default Linear init, optionally weights x GAIN) trained on the
# first N Fashion-MNIST training images with batch 64, test accuracy after each epoch.
#   /usr/bin/python3 examples/paper/torch_mlp.py N SCHEDULES GAIN EPOCHS
#   e.g. /usr/bin/python3 examples/paper/torch_mlp.py 20000 sgd0.01mom,adam1e-3 1 3
# SCHEDULES: comma-separated of sgd0.01mom, sgd0.1mom, adam1e-4, adam3e-4, adam1e-3, adam1e-2.
import gzip, sys, time
import numpy as np
import torch

torch.set_num_threads(1)
D = '/usr/share/datasets/fashion-mnist/'


def idx(f):
    b = gzip.open(D + f).read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)


X = torch.tensor(idx('train-images-idx3-ubyte.gz').reshape(-1, 784) / 255., dtype=torch.float32)
Y = torch.tensor(idx('train-labels-idx1-ubyte.gz').astype(np.int64))
Xt = torch.tensor(idx('t10k-images-idx3-ubyte.gz').reshape(-1, 784) / 255., dtype=torch.float32)
Yt = torch.tensor(idx('t10k-labels-idx1-ubyte.gz').astype(np.int64))
N, gain, epochs = int(sys.argv[1]), float(sys.argv[3]), int(sys.argv[4])
X, Y = X[:N], Y[:N]


def mlp():
    torch.manual_seed(1)
    layers = []
    for _ in range(10):
        lin = torch.nn.Linear(784, 784)
        with torch.no_grad():
            lin.weight.mul_(gain)
        layers += [lin, torch.nn.Sigmoid()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(784, 10))


S = {'sgd0.01mom': lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
     'sgd0.1mom': lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
     'adam1e-4': lambda p: torch.optim.Adam(p, lr=1e-4),
     'adam3e-4': lambda p: torch.optim.Adam(p, lr=3e-4),
     'adam1e-3': lambda p: torch.optim.Adam(p, lr=1e-3),
     'adam1e-2': lambda p: torch.optim.Adam(p, lr=1e-2)}
for name in sys.argv[2].split(','):
    m = mlp()
    opt = S[name](m.parameters())
    t0 = time.time()
    for ep in range(epochs):
        perm = torch.randperm(N, generator=torch.Generator().manual_seed(ep))
        for i in range(0, N, 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(m(X[b]), Y[b])
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = (m(Xt).argmax(1) == Yt).float().mean().item()
        print(f'N {N} gain {gain} {name} epoch {ep + 1}: test accuracy {acc:.3f} ({time.time() - t0:.0f}s)',
              flush=True)
