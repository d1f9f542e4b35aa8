"""A torch CUDA script for `worthit profile` (scripts/gpu-check, docs/gpu.md).

A few training steps of a small MLP block (linear, bias + residual +
LayerNorm, GELU), each step inside an NVTX range, so the trace shows the
ranges, ATen's kernels (cuBLAS GEMMs, the elementwise and LayerNorm kernels)
and the copies. Exits 3 when CUDA is not available.
"""

import sys

import torch


def main() -> int:
    if not torch.cuda.is_available():
        print("torch_cuda_step: CUDA is not available", file=sys.stderr)
        return 3
    torch.manual_seed(0)
    dev = torch.device("cuda")
    rows, cols = 8192, 1024
    lin = torch.nn.Linear(cols, cols, device=dev)
    norm = torch.nn.LayerNorm(cols, device=dev)
    bias = torch.zeros(cols, device=dev, requires_grad=True)
    opt = torch.optim.SGD([*lin.parameters(), *norm.parameters(), bias], lr=1e-3)
    x = torch.randn(rows, cols, device=dev)
    target = torch.randn(rows, cols, device=dev)
    for step in range(8):
        with torch.cuda.nvtx.range(f"step {step}"):
            opt.zero_grad(set_to_none=True)
            with torch.cuda.nvtx.range("forward"):
                h = torch.nn.functional.gelu(norm(lin(x) + bias + x), approximate="tanh")
                loss = torch.nn.functional.mse_loss(h, target)
            with torch.cuda.nvtx.range("backward"):
                loss.backward()
            opt.step()
    torch.cuda.synchronize()
    print(f"torch_cuda_step: loss {loss.item():.4f} on {torch.cuda.get_device_name()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
