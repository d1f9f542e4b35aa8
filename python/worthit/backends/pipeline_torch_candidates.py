"""Data-pipeline candidates for torch (docs/data-pipeline.md), in the torch
worker: image_augment with torch tensor ops, and with torchvision's
transforms v2 functional API when torchvision is installed."""

from __future__ import annotations

import numpy as np

from worthit.backends._common import PACKAGE, add
from worthit.candidate import Prepared, RunContext

SRC = [f"{PACKAGE}/backends/pipeline_torch_candidates.py"]


def setup(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


def _tensors(inputs: list[np.ndarray], outputs: list[np.ndarray]):
    import torch

    images, params, mean, std = inputs
    return (torch.from_numpy(images), params.tolist(), torch.from_numpy(mean).view(1, 3, 1, 1),
            torch.from_numpy(std).view(1, 3, 1, 1), torch.from_numpy(outputs[0]))


def augment_torch(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    """Per image: crop (a view), flip, u8 -> f32 into the CHW output, then
    normalize in place as one multiply-add while the image is still in cache."""
    import torch

    images, plist, mean, std, out = _tensors(inputs, outputs)
    crop = out.shape[2]
    scale = (1.0 / (255.0 * std)).view(3, 1, 1)
    bias = (-mean / std).view(3, 1, 1)

    def run() -> None:
        with torch.no_grad():
            for b, (y0, x0, flip) in enumerate(plist):
                view = images[b, y0:y0 + crop, x0:x0 + crop]
                if flip:
                    view = view.flip(1)
                o = out[b]
                o.copy_(view.permute(2, 0, 1))
                o.mul_(scale).add_(bias)

    return Prepared(run)


def augment_torchvision(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    """torchvision.transforms.v2.functional: crop, horizontal_flip per image
    (CHW uint8 views), then to_dtype(scale=True) and normalize on the batch."""
    import torch
    from torchvision.transforms.v2 import functional as F

    images, plist, mean, std, out = _tensors(inputs, outputs)
    chw = images.permute(0, 3, 1, 2)
    crop = out.shape[2]
    mean_l, std_l = mean.flatten().tolist(), std.flatten().tolist()
    staged = torch.empty(out.shape, dtype=torch.uint8)

    def run() -> None:
        with torch.no_grad():
            for b, (y0, x0, flip) in enumerate(plist):
                img = F.crop(chw[b], y0, x0, crop, crop)
                if flip:
                    img = F.horizontal_flip(img)
                staged[b].copy_(img)
            out.copy_(F.normalize(F.to_dtype(staged, torch.float32, scale=True), mean_l, std_l))

    return Prepared(run)


add("image_augment", "torch-ops", "torch", augment_torch, language="python", framework=True, requires=("torch",),
    sources=SRC, toolchains=["torch"], description="tensor ops per image, batched in-place normalize")
add("image_augment", "torchvision-v2", "torch", augment_torchvision, language="python", framework=True,
    requires=("torch", "torchvision", "PIL"), sources=SRC, toolchains=["torch", "torchvision"],
    description="torchvision.transforms.v2.functional crop/horizontal_flip/to_dtype/normalize")
