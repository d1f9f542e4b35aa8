"""Workloads from a trace's hot ops (`worthit bench --from-trace trace.json`).

The CLI picks the hot ATen ops of the trace (docs/hot-ops.md) and hands their
recorded calls to the workers as specs: the op, its inputs (shapes, dtypes,
scalar values as recorded), its bytes and FLOPs from the trace library's cost
model, and its share of the step. Each spec becomes an ordinary Python
workload, named after the op and its input shapes
(``aten::gelu[256x512:f32]``), with:

- seeded inputs of the recorded shapes and dtypes (index inputs within the
  sizes they index);
- a reference computed by the op itself in float64 on the CPU where the op
  allows, rounded to the op's own dtype;
- candidates: ``torch`` (the op as the program called it, eager) and
  ``torch.compile`` of it, on the device it ran on, plus every plugin
  candidate that names the op (``@worthit.candidate("aten::gelu", ...)``):
  it gets the op's tensor inputs as NumPy arrays, in order;
- ``trace_share`` (and the op's calls and time in the trace) in every result
  row's ``extra``, so `worthit report` decides with the trace's share.

Being ordinary workloads, they are sampled, gated and reported like every
other (docs/python.md).
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from typing import Callable

import numpy as np

from worthit.candidate import REGISTRY, Candidate, Prepared, RunContext, module_missing
from worthit.workload import PythonWorkload, Size

SRC = ["python/worthit/trace_ops.py"]

# torch's ScalarType numbers (stable: torch serializes them).
SCALAR_TYPES = {0: "uint8", 1: "int8", 2: "int16", 3: "int32", 4: "int64", 5: "float16",
                6: "float32", 7: "float64", 11: "bool", 15: "bfloat16"}
# The recorded dtype names (torch's TypeMeta names, as torch.profiler writes them).
DTYPES = {"float": "float32", "double": "float64", "c10::Half": "float16",
          "c10::BFloat16": "bfloat16", "long int": "int64", "int": "int32", "short int": "int16",
          "signed char": "int8", "unsigned char": "uint8", "bool": "bool"}
MEMORY_FORMATS = ["contiguous_format", "preserve_format", "channels_last", "channels_last_3d"]
# Ops whose float inputs must stay positive (log, sqrt, ...): inputs in [0.5, 1.5].
POSITIVE = {"log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "div", "pow",
            "true_divide", "addcdiv", "erfinv", "_foreach_sqrt", "_foreach_div", "_foreach_addcdiv"}


def load_specs(req: dict) -> list[dict]:
    path = req.get("trace_ops")
    if not path:
        return []
    with open(path, encoding="utf-8") as f:
        return json.load(f)["ops"]


def _base(op: str) -> str:
    return op.split("::", 1)[1] if "::" in op else op


def _np_dtype(recorded: str) -> str | None:
    return DTYPES.get(recorded)


# ---- inputs ----------------------------------------------------------------------

# Ops whose tensor list holds optional tensors: an empty shape there is None.
OPTIONAL_LISTS = {"index", "index_put", "index_put_", "_index_put_impl_"}


def _tensor_inputs(spec: dict) -> list[tuple[int, int, dict]]:
    """(argument index, list position or -1, input) for every tensor of the call."""
    out = []
    optional = _base(spec["op"]) in OPTIONAL_LISTS
    for i, inp in enumerate(spec["inputs"]):
        if inp["kind"] == "tensor":
            out.append((i, -1, inp))
        elif inp["kind"] == "tensor_list":
            for j, shape in enumerate(inp.get("shapes", [])):
                if shape or not optional:
                    out.append((i, j, {"kind": "tensor", "dtype": inp.get("dtype", ""), "shape": shape}))
    return out


def _int_value(spec: dict, index: int) -> int | None:
    inputs = spec["inputs"]
    if index < len(inputs) and inputs[index]["kind"] == "scalar":
        try:
            return int(float(inputs[index]["value"]))
        except ValueError:
            return None
    return None


def _index_bound(spec: dict, arg: int, pos: int) -> int:
    """The exclusive bound of an integer input's values: the size it indexes."""
    op = _base(spec["op"]).rstrip("_")
    ins = spec["inputs"]
    shape = lambda k: ins[k].get("shape", []) if k < len(ins) else []
    if op in ("embedding",) and arg == 1 and shape(0):
        return shape(0)[0]
    if op == "embedding_dense_backward" and arg == 1:
        return _int_value(spec, 2) or 2
    if op in ("index_select", "gather", "scatter", "scatter_add", "scatter_reduce", "index_add") and arg == 2:
        dim = _int_value(spec, 1) or 0
        s = shape(0)
        return s[dim] if s and -len(s) <= dim < len(s) else 2
    if op in ("index", "index_put", "_index_put_impl") and arg == 1:
        s = shape(0)
        return s[pos] if 0 <= pos < len(s) else 2
    if op in ("nll_loss_forward", "nll_loss", "nll_loss_backward", "nll_loss2d_forward") and shape(0):
        s = shape(0) if op != "nll_loss_backward" else shape(1)
        return s[1] if len(s) > 1 else s[0]
    return 2


def make_arrays(spec: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    positive = _base(spec["op"]).rstrip("_") in POSITIVE
    arrays: dict[str, np.ndarray] = {}
    for arg, pos, inp in _tensor_inputs(spec):
        shape = tuple(inp["shape"])
        dtype = _np_dtype(inp["dtype"])
        name = f"arg{arg}" + (f"_{pos}" if pos >= 0 else "")
        if dtype is None:
            raise ValueError(f"{spec['op']}: input {arg} has dtype '{inp['dtype']}', which cannot be generated")
        if dtype == "bool":
            a = rng.random(shape) < 0.5
        elif dtype.startswith(("int", "uint")):
            a = rng.integers(0, max(1, _index_bound(spec, arg, pos)), size=shape).astype(dtype)
        else:
            store = "float64" if dtype == "float64" else "float32"  # bf16/f16 converted in torch
            a = (rng.uniform(0.5, 1.5, shape) if positive else rng.standard_normal(shape)).astype(store)
        arrays[name] = np.ascontiguousarray(a)
    return arrays


# ---- the call, rebuilt from its schema -------------------------------------------

def _is_optional(t: str) -> bool:
    return t.startswith("Optional[")


def _inner(t: str) -> str:
    return t[len("Optional["):-1] if _is_optional(t) else t


def _compatible(type_text: str, inp: dict) -> bool:
    kind, t = inp["kind"], _inner(type_text)
    if kind == "none":
        return _is_optional(type_text) or type_text == "NoneType"
    if kind == "tensor":
        return t == "Tensor"
    if kind == "tensor_list":
        return t in ("List[Tensor]", "List[Optional[Tensor]]")
    if kind == "scalar":
        return t in ("Scalar", "float", "int", "bool", "SymInt", "ScalarType", "Layout", "MemoryFormat",
                     "number", "complex")
    if kind == "scalar_list":
        return t.startswith("List[") and "Tensor" not in t
    if kind == "string":
        return t == "str"
    return False


def _number(text: str):
    if text in ("True", "False"):
        return text == "True"
    try:
        return int(text)
    except ValueError:
        return float(text)


def _scalar(torch, type_text: str, text: str):
    t = _inner(type_text)
    if t == "ScalarType":
        return getattr(torch, SCALAR_TYPES[int(text)])
    if t == "MemoryFormat":
        return getattr(torch, MEMORY_FORMATS[int(text)])
    if t == "Layout":
        return torch.strided if int(text) == 0 else torch.sparse_coo
    if t == "bool":
        return text == "True" or text == "1"
    if t in ("int", "SymInt"):
        return int(float(text))
    if t == "float":
        return float(text)
    return _number(text)


def _scalar_list(text: str) -> list:
    body = text.strip()[1:-1].strip()
    return [_number(x.strip()) for x in body.split(",")] if body else []


def resolve(torch, spec: dict):
    """The op's overload whose schema the recorded inputs fit, with its schema."""
    packet = getattr(torch.ops.aten, _base(spec["op"]), None)
    if packet is None:
        raise ValueError(f"torch has no op {spec['op']}")
    inputs = spec["inputs"]
    for name in packet.overloads():
        overload = getattr(packet, name)
        args = overload._schema.arguments
        if len(args) == len(inputs) and all(_compatible(str(a.type), i) for a, i in zip(args, inputs)):
            return overload, overload._schema
    raise ValueError(f"no overload of {spec['op']} takes the recorded arguments "
                     f"({', '.join(i['kind'] for i in inputs)})")


def build_call(torch, spec: dict, tensors: list, dtype_of: Callable[[dict], object], device: str):
    """(overload, args, kwargs): the recorded call over the given tensors (in the
    order of _tensor_inputs), converted to each input's dtype on `device`."""
    overload, schema = resolve(torch, spec)
    it = iter(tensors)
    args, kwargs = [], {}
    for a, inp in zip(schema.arguments, spec["inputs"]):
        kind = inp["kind"]
        if kind == "tensor":
            v = next(it).to(device=device, dtype=dtype_of(inp))
        elif kind == "tensor_list":
            optional = "Optional" in str(a.type)
            v = []
            for shape in inp.get("shapes", []):
                if optional and not shape:
                    v.append(None)
                else:
                    v.append(next(it).to(device=device, dtype=dtype_of(inp)))
        elif kind == "scalar":
            v = _scalar(torch, str(a.type), inp["value"])
        elif kind == "scalar_list":
            v = _scalar_list(inp["value"])
        elif kind == "string":
            v = inp["value"]
        else:
            v = None
        if a.kwarg_only:
            kwargs[a.name] = v
        else:
            args.append(v)
    return overload, args, kwargs


def _as_tuple(result) -> tuple:
    if result is None:
        return ()
    if isinstance(result, (tuple, list)):
        return tuple(r for r in result if r is not None and hasattr(r, "shape"))
    return (result,)


def _results(returned, args: list) -> tuple:
    """The op's result tensors; an in-place op that returns nothing (the
    _foreach_*_ ops) changed its first argument."""
    out = _as_tuple(returned)
    return out if out else _as_tuple(args[0] if args else None)


def _to_numpy(torch, t) -> np.ndarray:
    t = t.detach().cpu()
    if t.dtype in (torch.float16, torch.bfloat16, torch.float32):
        return t.to(torch.float32).numpy()
    if t.dtype == torch.float64:
        return t.numpy()
    if t.dtype == torch.bool:
        return t.to(torch.uint8).numpy()
    if t.dtype in (torch.int8, torch.int16, torch.int32, torch.uint8):
        return t.to(torch.int32).numpy() if t.dtype != torch.uint8 else t.numpy()
    return t.to(torch.int64).numpy()


# ---- the workload ------------------------------------------------------------------

def _tolerance(spec: dict) -> tuple[float, float]:
    floats = [i["dtype"] for _, _, i in _tensor_inputs(spec) if _np_dtype(i["dtype"]) in
              ("float16", "bfloat16", "float32", "float64")]
    if not floats:
        return (0.0, 0.0)
    # The narrowest float input sets the tolerance.
    narrowest = max(floats, key=lambda d: {"double": 0, "float": 1, "c10::Half": 2, "c10::BFloat16": 3}.get(d, 1))
    return {"double": (1e-10, 1e-9), "float": (1e-5, 1e-4), "c10::Half": (1e-2, 1e-2),
            "c10::BFloat16": (3e-2, 3e-2)}.get(narrowest, (1e-5, 1e-4))


def _device(spec: dict) -> str:
    return "cuda" if str(spec.get("device", "cpu")).startswith("cuda") else "cpu"


class TraceOpWorkload(PythonWorkload):
    """One hot op at its recorded shapes: an ordinary Python workload."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        numel = max([int(np.prod(i["shape"])) for _, _, i in _tensor_inputs(spec)] or [1])
        params = {"numel": numel}
        self.result_extra = {"trace_share": float(spec.get("share", 0.0)),
                             "trace_calls": float(spec.get("calls", 0)),
                             "trace_self_ns": float(spec.get("self_ns", 0))}
        if spec.get("headroom"):
            self.result_extra["trace_headroom_bound"] = float(spec["headroom"])
        super().__init__(
            spec["workload"], size_keys=["numel"], sizes=[params], quick_sizes=[params],
            make_inputs=lambda size, rng: make_arrays(spec, rng), reference=self._reference,
            bytes_moved=lambda size: float(spec["bytes"]), flops=lambda size: float(spec["flops"]),
            tolerance=_tolerance(spec),
            description=f"{spec['op']} at the shapes of the trace ({spec.get('signature', '')})")
        self._base_tolerance = _tolerance(spec)

    def make_size(self, params):
        size = super().make_size(params)
        return Size("as-traced", size.params)

    def _reference(self, *arrays: np.ndarray):
        import torch

        ins = [torch.from_numpy(a) for a in arrays]
        own = lambda inp: getattr(torch, _np_dtype(inp.get("dtype", "float")) or "float32")
        # The op in its own dtype on the CPU gives the result dtypes to round to.
        op, args, kwargs = build_call(torch, self.spec, [t.clone() for t in ins], own, "cpu")
        own_result = _results(op(*args, **kwargs), args)
        wide = lambda inp: torch.float64 if _np_dtype(inp.get("dtype", "")) in (
            "float16", "bfloat16", "float32", "float64") else own(inp)
        try:
            op, args, kwargs = build_call(torch, self.spec, [t.clone() for t in ins], wide, "cpu")
            result = tuple(r.to(o.dtype) for r, o in zip(_results(op(*args, **kwargs), args), own_result))
        except (RuntimeError, TypeError, NotImplementedError):
            result = own_result  # the op has no float64 kernel: its own dtype is the reference
        outs = [_to_numpy(torch, r) for r in result]
        if not outs:
            raise ValueError(f"{self.spec['op']} gave no tensor result to check")
        return outs[0] if len(outs) == 1 else tuple(outs)

    def make_case(self, size, seed):
        case = super().make_case(size, seed)
        # Accumulating ops (GEMM, convolution, reductions) round once per term:
        # the absolute tolerance grows with the square root of terms per output.
        outputs = sum(int(np.prod(a.shape)) for a in case.expected.arrays()) or 1
        terms = float(self.spec.get("flops", 0)) / outputs
        self.tolerance_abs = self._base_tolerance[0] * math.sqrt(max(terms, 1.0))
        return case


# ---- candidates --------------------------------------------------------------------

def _torch_candidate(spec: dict, compiled: bool):
    def prepare(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
        import torch

        device = _device(spec)
        torch.set_flush_denormal(True)  # in-place ops run again and again on their own result
        own = lambda inp: getattr(torch, _np_dtype(inp.get("dtype", "float")) or "float32")
        op, args, kwargs = build_call(torch, spec, [torch.from_numpy(a).clone() for a in inputs], own, device)
        holder: list = [None]
        first = args[0] if args else None
        sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
        extra: dict[str, float] = {}
        fn = (lambda: op(*args, **kwargs))
        if compiled:
            from worthit.backends._common import await_inductor_cpu_probe

            await_inductor_cpu_probe()
            target = torch.compile(lambda *a, **k: op(*a, **k), dynamic=False)
            t0 = time.perf_counter()
            target(*args, **kwargs)  # compiles, untimed
            sync()
            extra["compile_time_s"] = time.perf_counter() - t0
            fn = (lambda: target(*args, **kwargs))

        def run() -> None:
            holder[0] = fn()
            sync()

        def publish() -> None:
            results = _results(holder[0], [first])
            if len(results) != len(outputs):
                raise ValueError(f"{spec['op']} returned {len(results)} tensor(s), the reference {len(outputs)}")
            for dst, src in zip(outputs, results):
                np.copyto(dst, _to_numpy(torch, src).reshape(dst.shape), casting="same_kind")

        return Prepared(run=run, publish=publish, extra=extra)

    return prepare


def _cuda_missing() -> str | None:
    missing = module_missing("torch")()
    if missing:
        return missing
    import torch

    return None if torch.cuda.is_available() else "the op ran on CUDA and this machine has no CUDA device"


def register(specs: list[dict]) -> list[TraceOpWorkload]:
    """Defines the trace's workloads and their candidates (idempotent)."""
    made = []
    for spec in specs:
        existing = REGISTRY.workload(spec["workload"])
        if existing is not None:
            made.append(existing)
            continue
        w = REGISTRY.add_workload(TraceOpWorkload(spec))
        made.append(w)
        device = _device(spec)
        unavailable = _cuda_missing if device == "cuda" else module_missing("torch")
        for backend, compiled in (("torch", False), ("torch.compile", True)):
            REGISTRY.add_candidate(Candidate(
                workload=w.name, backend=backend, prepare=_torch_candidate(spec, compiled),
                framework=True, group="torch", device=device, sources=SRC, unavailable=unavailable,
                description=f"{spec['op']} as the program called it" + (", torch.compile'd" if compiled else "")))
    alias_plugin_candidates(specs)
    return made


def alias_plugin_candidates(specs: list[dict]) -> None:
    """Plugin candidates that name an ATen op join each of that op's workloads."""
    for spec in specs:
        for c in REGISTRY.candidates(workload=spec["op"], group="plugin"):
            if any(x.backend == c.backend for x in REGISTRY.candidates(workload=spec["workload"])):
                continue
            # The same candidate (its family and its function's cost included), on this workload.
            REGISTRY.add_candidate(dataclasses.replace(c, workload=spec["workload"]))
