#!/usr/bin/python3
"""PyTorch counterpart of nn's BenchmarkStep (docs/nn-bench.md, benchmark (b)): the reference
surrogate model -- three causal Conv1d layers (16 -> 64 -> 64 -> 64, kernel 5, ReLU), a
3-layer LSTM (hidden 64), a linear head to 5 outputs -- run one step at a time on a batch
of 132 for 1,000 steps, each step's input the external input plus the coupling
s_{t-1} W (s = sigmoid of output 0 of every cell, W a trainable 132 x 2,112 matrix), then
MSE on all outputs, full backpropagation through the 1,000 steps and one Adam step.
Float32, one thread.

    /usr/bin/python3 bench/torch_step.py [ITERATIONS]

Prints "RESULT torch_step cpu_s=... wall_s=..." (best iteration after one warm-up).
"""
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(1)
B, T, IN, CH, K = 132, 1000, 16, 64, 5


class StepModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = torch.nn.ModuleList([torch.nn.Conv1d(c, CH, K) for c in (IN, CH, CH)])
        self.lstm = torch.nn.ModuleList([torch.nn.LSTMCell(CH, CH) for _ in range(3)])
        self.head = torch.nn.Linear(CH, 5)
        self.w = torch.nn.Parameter(0.05 * torch.randn(B, B * IN))


def iterate(m, opt, ext, target):
    opt.zero_grad()
    # causal conv in step mode: a window of the last K inputs per layer
    wins = [[torch.zeros(B, c) for _ in range(K - 1)] for c in (IN, CH, CH)]
    hs = [(torch.zeros(B, CH), torch.zeros(B, CH)) for _ in range(3)]
    s = torch.zeros(1, B)
    ys = []
    for t in range(T):
        x = ext[t] + (s @ m.w).reshape(B, IN)
        for i, cv in enumerate(m.convs):
            wins[i].append(x)
            win = torch.stack(wins[i][-K:], dim=2)  # (B, C, K)
            wins[i] = wins[i][-(K - 1):]
            x = F.relu(F.linear(win.reshape(B, -1), cv.weight.reshape(CH, -1), cv.bias))
        for i, cell in enumerate(m.lstm):
            hs[i] = cell(x, hs[i])
            x = hs[i][0]
        y = m.head(x)
        ys.append(y)
        s = torch.sigmoid(y[:, 0]).reshape(1, B)
    loss = F.mse_loss(torch.stack(ys, dim=1), target)
    loss.backward()
    opt.step()


def main():
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    m = StepModel()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    ext = torch.randn(T, B, IN)
    target = torch.randn(B, T, 5)
    iterate(m, opt, ext, target)  # warm-up
    best_c = best_w = float("inf")
    for _ in range(iters):
        c0, w0 = time.process_time(), time.perf_counter()
        iterate(m, opt, ext, target)
        best_c = min(best_c, time.process_time() - c0)
        best_w = min(best_w, time.perf_counter() - w0)
    print("# torch %s, %d thread(s)" % (torch.__version__, torch.get_num_threads()))
    print("RESULT torch_step cpu_s=%.3f wall_s=%.3f" % (best_c, best_w))


main()
