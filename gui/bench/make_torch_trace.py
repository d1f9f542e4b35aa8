"""A small training loop profiled with torch.profiler (CPU): a DataLoader with
per-sample preprocessing, forward, backward and optimizer steps. Makes the
real trace behind docs/images/viewer-timeline.png and viewer-stats.png.

    python gui/bench/make_torch_trace.py torch_trace.json
"""
import sys

import torch
from torch.profiler import ProfilerActivity, profile, record_function, schedule

torch.manual_seed(0)
torch.set_num_threads(2)
model = torch.nn.Sequential(torch.nn.Linear(256, 512), torch.nn.GELU(),
                            torch.nn.LayerNorm(512), torch.nn.Linear(512, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
data = torch.randn(4096, 256)
labels = torch.randint(0, 10, (4096,))


class Samples(torch.utils.data.Dataset):
    def __len__(self):
        return len(data)

    def __getitem__(self, i):
        x = data[i]
        return (x - x.mean()) / x.std(), labels[i]  # per-sample preprocessing


loader = torch.utils.data.DataLoader(Samples(), batch_size=64, shuffle=True)
# One active cycle of 6 steps: each step is a "ProfilerStep#N" range.
with profile(activities=[ProfilerActivity.CPU], record_shapes=True,
             schedule=schedule(wait=0, warmup=0, active=6, repeat=1),
             on_trace_ready=lambda p: p.export_chrome_trace(
                 sys.argv[1] if len(sys.argv) > 1 else "torch_trace.json")) as prof:
    for step, (x, y) in enumerate(loader):
        if step == 6:
            break
        with record_function("forward"):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        with record_function("backward"):
            opt.zero_grad()
            loss.backward()
        with record_function("optimizer.step"):
            opt.step()
        prof.step()
