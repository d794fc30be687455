#!/usr/bin/env python3
"""PyTorch anchor of libs/sie's training-step bench (`npm run bench` runs it when python3 has torch; the product
never needs Python).

The same work as libs/sie/src/bench/train-step.bench.ts: the reference's modified ResNet-18 (7x7/2 stem padded
(2, 3), 3x3/2 max-pool padded right/bottom, BasicBlocks with the stride on the second conv and a projection
shortcut on each stage's first block, global average pooling, no fc) at width multiplier w, batch 32 x 2 views
(NCHW here), forward both views with batch statistics, a VICReg-like stand-in loss, backward, and an Adam step
(torch.optim.Adam, lr 1e-3) over every parameter. One JSON line on stdout.

  train_step_torch.py [--threads N] [--steps N] [--budget SECONDS]
"""
import argparse
import json
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 32
CONFIGS = [(0.25, 32), (0.25, 64), (1.0, 32), (1.0, 64)]


def widths(w):
    return [max(1, round(n * w)) for n in (64, 128, 256, 512)]


class Block(nn.Module):
    def __init__(self, cin, cout, stride, projection):
        super().__init__()
        self.stride = stride
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride, 0 if stride == 2 else 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)) if projection else None

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        if self.stride == 2:
            h = F.pad(h, (0, 1, 0, 1))  # TF-SAME for a 3x3/2 conv on even sides
        main = self.bn2(self.conv2(h))
        return F.relu(main + (self.shortcut(x) if self.shortcut is not None else x))


class Resnet18(nn.Module):
    def __init__(self, w):
        super().__init__()
        c = widths(w)
        self.stem = nn.Conv2d(3, c[0], 7, 2, 0, bias=False)
        self.bn = nn.BatchNorm2d(c[0])
        blocks, cin = [], c[0]
        for s, cout in enumerate(c):
            for b in range(2):
                blocks.append(Block(cin if b == 0 else cout, cout, (1 if s == 0 else 2) if b == 0 else 1, b == 0))
            cin = cout
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        h = F.relu(self.bn(self.stem(F.pad(x, (2, 3, 2, 3)))))
        h = F.max_pool2d(F.pad(h, (0, 1, 0, 1), value=-1e4), 3, 2)
        return self.blocks(h).mean(dim=(2, 3))


def run(w, px, steps, budget):
    torch.manual_seed(1)
    net = Resnet18(w).train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x1 = torch.rand(BATCH, 3, px, px)
    x2 = torch.rand(BATCH, 3, px, px)

    def step():
        opt.zero_grad(set_to_none=True)
        hx, hy = net(x1), net(x2)
        loss = ((hx - hy) ** 2).mean() + 1e-3 * (hx**2).mean()
        loss.backward()
        opt.step()
        return float(loss)

    step()  # warm-up
    done, cpu0, t0 = 0, time.process_time(), time.perf_counter()
    while done < steps and (done < 2 or time.perf_counter() - t0 < budget):
        step()
        done += 1
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {
        "width": w,
        "px": px,
        "batch": BATCH,
        "steps": done,
        "stepSeconds": round(elapsed / done, 3),
        "imagesPerSecond": round(2 * BATCH * done / elapsed, 2),
        "cpuSecondsPerStep": round(cpu / done, 3),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--budget", type=float, default=6.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0]
    results = [run(w, px, args.steps, args.budget) for w, px in CONFIGS]
    print(
        json.dumps(
            {
                "bench": "pytorch.backbone-train-step",
                "torch": torch.__version__,
                "threads": args.threads,
                "loadAverage": {"before": round(load, 2), "after": round(os.getloadavg()[0], 2)},
                "peakRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
