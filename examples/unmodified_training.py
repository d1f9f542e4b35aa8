"""A plain PyTorch CPU training script, with nothing added for profiling: no
NVTX, no worthit.scope, no torch.profiler. `worthit profile` sees its ops
anyway (README, "Your PyTorch program, op by op"):

    worthit profile -o train.trace.json -- python examples/unmodified_training.py

An MLP (Linear, LayerNorm, GELU) trained with SGD on random data, plus a
hand-written activation, y = gelu(x * scale + shift), left unfused on purpose
as many models have one. --gemm N instead multiplies two N x N matrices each
step: a framework op near the hardware limit.
"""

from __future__ import annotations

import argparse

import torch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--gemm", type=int, default=0, help="multiply N x N matrices instead")
    args = ap.parse_args()
    torch.manual_seed(0)

    if args.gemm:
        a = torch.randn(args.gemm, args.gemm)
        b = torch.randn(args.gemm, args.gemm, requires_grad=True)
        opt = torch.optim.SGD([b], lr=1e-6)
        for _ in range(args.steps):
            loss = (a @ b).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"trained {args.steps} GEMM steps")
        return

    width = args.width
    model = torch.nn.Sequential(
        torch.nn.Linear(width, width), torch.nn.LayerNorm(width), torch.nn.GELU(),
        torch.nn.Linear(width, width), torch.nn.LayerNorm(width), torch.nn.GELU(),
        torch.nn.Linear(width, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    scale = torch.nn.Parameter(torch.ones(width))
    shift = torch.nn.Parameter(torch.zeros(width))
    opt.add_param_group({"params": [scale, shift]})
    x = torch.randn(args.batch, width)
    y = torch.randint(0, 10, (args.batch,))
    for _ in range(args.steps):
        h = torch.nn.functional.gelu(x * scale + shift)  # three elementwise ops in a row
        loss = torch.nn.functional.cross_entropy(model(h), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"trained {args.steps} steps, loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
