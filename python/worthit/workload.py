"""Workloads seen from Python: the C++ built-ins and user-defined ones.

A workload is one computation with seeded inputs, a reference, a tolerance and
a cost model. The built-ins come from the C++ harness through ``_native``, so
Python candidates get the very same input bytes as the C++ candidates; a
user's workload is written in Python (``define_workload``) and is checked by
the same C++ comparison.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import Callable, Mapping, Sequence

import numpy as np

from worthit import _native

DTYPE_NAMES = {
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
    np.dtype(np.uint8): "u8",
}


@dataclasses.dataclass(frozen=True)
class Size:
    """One problem size: a label such as ``"n=1024"`` and its dimensions."""

    label: str
    params: Mapping[str, int]

    def __getitem__(self, key: str) -> int:
        return self.params[key]


def size_label(params: Mapping[str, int], keys: Sequence[str]) -> str:
    return ",".join(f"{k}={params[k]}" for k in keys if k in params)


class Case:
    """One size of one workload: the inputs, the expected outputs, and fresh
    output buffers for each candidate (64-byte aligned, C++-owned)."""

    def __init__(self, workload: "Workload", size: Size, input_names: list[str],
                 inputs: list[np.ndarray], expected: "_native.BufferSet", keepalive: object = None):
        self.workload = workload
        self.size = size
        self.input_names = input_names
        self.inputs = inputs
        self.expected = expected
        self._keepalive = keepalive
        self._specs = [(name, dtype, list(arr.shape))
                       for name, dtype, arr in zip(expected.names(), expected.dtypes(), expected.arrays())]

    @property
    def output_names(self) -> list[str]:
        return self.expected.names()

    def new_outputs(self) -> "_native.BufferSet":
        return _native.make_buffers(self._specs)

    def check(self, outputs: "_native.BufferSet") -> dict:
        """The correctness gate's comparison (the C++ compare_outputs)."""
        return self.workload.compare(self.expected, outputs)


class Workload(abc.ABC):
    name: str
    description: str = ""
    size_keys: list[str]
    builtin: bool = False

    @abc.abstractmethod
    def sizes(self) -> list[Size]: ...

    @abc.abstractmethod
    def quick_sizes(self) -> list[Size]: ...

    def make_size(self, params: Mapping[str, int]) -> Size:
        unknown = sorted(set(params) - set(self.size_keys))
        missing = [k for k in self.size_keys if k not in params]
        if unknown or missing:
            raise ValueError(f"workload '{self.name}' needs size keys {self.size_keys}, got {sorted(params)}")
        return Size(size_label(params, self.size_keys), dict(params))

    @abc.abstractmethod
    def make_case(self, size: Size, seed: int) -> Case: ...

    @abc.abstractmethod
    def compare(self, expected: "_native.BufferSet", actual: "_native.BufferSet") -> dict: ...

    @abc.abstractmethod
    def bytes_moved(self, size: Size) -> float: ...

    @abc.abstractmethod
    def flops(self, size: Size) -> float: ...


class NativeWorkload(Workload):
    """A built-in workload of the C++ harness (kernels/)."""

    builtin = True

    def __init__(self, native: "_native.Workload"):
        self._w = native
        self.name = native.name
        self.description = native.description
        self.size_keys = list(native.size_keys)

    def sizes(self) -> list[Size]:
        return [Size(label, params) for label, params in self._w.sizes()]

    def quick_sizes(self) -> list[Size]:
        return [Size(label, params) for label, params in self._w.quick_sizes()]

    def make_size(self, params: Mapping[str, int]) -> Size:
        label, p = self._w.make_size(dict(params))
        return Size(label, p)

    def make_case(self, size: Size, seed: int) -> Case:
        inputs = self._w.make_inputs(dict(size.params), seed)
        expected = self._w.make_outputs(dict(size.params))
        self._w.reference(inputs, expected)
        return Case(self, size, inputs.names(), inputs.arrays(), expected, keepalive=inputs)

    def compare(self, expected, actual) -> dict:
        return self._w.compare(expected, actual)

    def tolerance(self, dtype: str) -> tuple[float, float]:
        return self._w.tolerance(dtype)

    def bytes_moved(self, size: Size) -> float:
        return self._w.bytes_moved(dict(size.params))

    def flops(self, size: Size) -> float:
        return self._w.flops(dict(size.params))


InputsFn = Callable[[Size, np.random.Generator], Mapping[str, np.ndarray]]


class PythonWorkload(Workload):
    """A workload defined in Python (see ``worthit.define_workload``)."""

    def __init__(self, name: str, *, size_keys: Sequence[str], sizes: Sequence[Mapping[str, int]],
                 make_inputs: InputsFn, reference: Callable[..., object],
                 bytes_moved: Callable[[Size], float], flops: Callable[[Size], float],
                 quick_sizes: Sequence[Mapping[str, int]] | None = None,
                 tolerance: tuple[float, float] = (1e-5, 1e-4), description: str = ""):
        self.name = name
        self.description = description
        self.size_keys = list(size_keys)
        self._sizes = [self.make_size(p) for p in sizes]
        self._quick = [self.make_size(p) for p in (quick_sizes if quick_sizes is not None else sizes[:1])]
        self._make_inputs = make_inputs
        self._reference = reference
        self._bytes = bytes_moved
        self._flops = flops
        self.tolerance_abs, self.tolerance_rel = tolerance

    def sizes(self) -> list[Size]:
        return list(self._sizes)

    def quick_sizes(self) -> list[Size]:
        return list(self._quick)

    def make_case(self, size: Size, seed: int) -> Case:
        named = dict(self._make_inputs(size, np.random.default_rng(seed)))
        inputs = [np.ascontiguousarray(a) for a in named.values()]
        result = self._reference(*inputs)
        outs = list(result) if isinstance(result, (tuple, list)) else [result]
        specs = []
        for i, out in enumerate(outs):
            arr = np.asarray(out)
            if arr.dtype not in DTYPE_NAMES:
                raise TypeError(f"workload '{self.name}': reference output {i} has unsupported dtype {arr.dtype}")
            specs.append((f"out{i}" if len(outs) > 1 else "out", DTYPE_NAMES[arr.dtype], list(arr.shape)))
        expected = _native.make_buffers(specs)
        for dst, src in zip(expected.arrays(), outs):
            np.copyto(dst, np.asarray(src))
        return Case(self, size, list(named.keys()), inputs, expected)

    def compare(self, expected, actual) -> dict:
        return _native.compare(expected, actual, self.tolerance_abs, self.tolerance_rel)

    def bytes_moved(self, size: Size) -> float:
        return float(self._bytes(size))

    def flops(self, size: Size) -> float:
        return float(self._flops(size))
