"""The torch computations shared by torch.compile and torch.jit. Imported only
inside the torch worker (it imports torch at the top: TorchScript resolves
``torch`` and ``F`` as module globals)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

def gelu(x: torch.Tensor) -> torch.Tensor:
    return F.gelu(x, approximate="tanh")


def layernorm(x: torch.Tensor, bias: torch.Tensor, residual: torch.Tensor, gamma: torch.Tensor,
              beta: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x + bias + residual, [x.shape[-1]], gamma, beta, 1e-5)  # TorchScript: a literal


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.matmul(a, b)


def recurrence(a: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    h = torch.empty_like(x)
    h[0] = x[0]
    for t in range(1, a.size(0)):
        h[t] = a[t] * h[t - 1] + x[t]
    return h


# torch.compile unrolls Python loops: a T-step loop would be a T-step graph.
# It compiles a chunk of RECURRENCE_CHUNK steps instead (one fused kernel per
# chunk) and Python loops over the chunks, as a user would. The chunk returns
# its states rather than writing them into a view of the output: inductor's
# handling of that input mutation was ~100x slower.
RECURRENCE_CHUNK = 32


def recurrence_chunk(a: torch.Tensor, x: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
    hs = []
    for k in range(a.shape[0]):
        h0 = a[k] * h0 + x[k]
        hs.append(h0)
    return torch.stack(hs)


FUNCTIONS = {"gelu": gelu, "bias_residual_layernorm": layernorm, "matmul": matmul, "linear_recurrence": recurrence}
