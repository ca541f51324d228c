#!/usr/bin/env python3
"""Load a typegrad checkpoint (safetensors) into the equivalent torch.nn.Sequential.

Reads the file with NumPy only (the safetensors layout: an 8-byte little-endian header length,
a JSON header of {name: {dtype, shape, data_offsets}}, then the raw little-endian data). With
PyTorch installed it builds the torch.nn.Sequential and loads the state_dict strictly; without
it, it runs the same layers as a NumPy forward pass, so the check works on a machine with NumPy
alone.

    python3 scripts/typegrad_to_torch.py model.safetensors --layers linear,relu,dropout,linear \\
        [--check io.safetensors] [--layout in-out] [--save model.pt] [--numpy]

--layers lists the layers in order, as typegrad's sequential() does (linear, batchnorm, relu,
sigmoid, tanh, gelu, softplus, leakyrelu[:alpha], dropout[:p]); without it the list is read
from the checkpoint's metadata, config {"layers": [...]} under "typegrad.config". Sizes come
from the weights. --check names a safetensors file with tensors "input" and "output" (typegrad's
outputs on that input): the script prints the largest relative error and exits 1 when it is
above the dtype's tolerance (1e-5 for f32, 1e-12 for f64). --layout in-out reads dense weights
stored [in, out] (typegrad's dense(…, { layout: "in-out" })); the default is PyTorch's [out, in].
"""
import argparse
import json
import math
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "BOOL": np.bool_}
# The state_dict entries of each layer kind (PyTorch's names); other layers hold none.
ENTRIES = {"linear": {"weight", "bias"}, "batchnorm": {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}}


def read_safetensors(path):
    """The tensors (NumPy arrays, by name) and the metadata of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        dtype = np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(data[start:end], dtype=dtype).reshape(entry["shape"]).astype(dtype.newbyteorder("="))
    return tensors, metadata


def parse_layers(spec):
    """[(kind, argument or None)] from "linear,relu,leakyrelu:0.2,…"."""
    out = []
    for item in spec:
        kind, _, arg = item.strip().lower().partition(":")
        out.append((kind, float(arg) if arg else None))
    return out


def state_dict(tensors, layers, layout):
    """The checkpoint as PyTorch's state_dict of the Sequential: [out, in] weights, int64 counters."""
    sd = {}
    for name, t in tensors.items():
        index = name.split(".")[0]
        kind = layers[int(index)][0] if index.isdigit() and int(index) < len(layers) else None
        if kind == "linear" and name.endswith(".weight") and layout == "in-out":
            t = t.T
        if name.endswith("num_batches_tracked"):
            t = t.astype(np.int64)
        sd[name] = np.ascontiguousarray(t)
    return sd


def torch_model(layers, sd):
    """The torch.nn.Sequential with the checkpoint loaded (strict), in evaluation mode."""
    import torch

    modules = []
    for i, (kind, arg) in enumerate(layers):
        if kind == "linear":
            out_f, in_f = sd[f"{i}.weight"].shape
            modules.append(torch.nn.Linear(in_f, out_f, bias=f"{i}.bias" in sd))
        elif kind == "batchnorm":
            modules.append(torch.nn.BatchNorm1d(sd[f"{i}.running_mean"].shape[0], eps=arg or 1e-5, affine=f"{i}.weight" in sd))
        else:
            modules.append(
                {
                    "relu": lambda: torch.nn.ReLU(),
                    "sigmoid": lambda: torch.nn.Sigmoid(),
                    "tanh": lambda: torch.nn.Tanh(),
                    "gelu": lambda: torch.nn.GELU(approximate="tanh"),
                    "softplus": lambda: torch.nn.Softplus(),
                    "leakyrelu": lambda: torch.nn.LeakyReLU(arg if arg is not None else 0.01),
                    "dropout": lambda: torch.nn.Dropout(arg if arg is not None else 0.5),
                }[kind]()
            )
    model = torch.nn.Sequential(*modules)
    dtype = next((t.dtype for t in sd.values() if t.dtype in (np.float32, np.float64)), np.float32)
    model.to(torch.float64 if dtype == np.float64 else torch.float32)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()}, strict=True)
    return model.eval()


def numpy_forward(layers, sd, x):
    """The same Sequential in evaluation mode, in NumPy."""
    for i, (kind, arg) in enumerate(layers):
        if kind == "linear":
            x = x @ sd[f"{i}.weight"].T + (sd[f"{i}.bias"] if f"{i}.bias" in sd else 0)
        elif kind == "batchnorm":
            x = (x - sd[f"{i}.running_mean"]) / np.sqrt(sd[f"{i}.running_var"] + (arg or 1e-5))
            if f"{i}.weight" in sd:
                x = x * sd[f"{i}.weight"] + sd[f"{i}.bias"]
        elif kind == "relu":
            x = np.maximum(x, 0)
        elif kind == "sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif kind == "tanh":
            x = np.tanh(x)
        elif kind == "gelu":
            x = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
        elif kind == "softplus":
            x = np.where(x > 20, x, np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))))
        elif kind == "leakyrelu":
            x = np.where(x > 0, x, x * (arg if arg is not None else 0.01))
        elif kind != "dropout":
            raise SystemExit(f"typegrad_to_torch: unknown layer {kind!r}")
    return x


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("--layers", help="comma-separated layers; default: the checkpoint's typegrad.config layers")
    p.add_argument("--layout", choices=["out-in", "in-out"], default="out-in")
    p.add_argument("--check", help='safetensors file with "input" and "output" tensors to compare with')
    p.add_argument("--save", help="write the torch state_dict here (torch.save)")
    p.add_argument("--numpy", action="store_true", help="use the NumPy forward pass even when PyTorch is installed")
    args = p.parse_args()

    tensors, metadata = read_safetensors(args.checkpoint)
    spec = args.layers.split(",") if args.layers else json.loads(metadata.get("typegrad.config", "{}")).get("layers")
    if not spec:
        raise SystemExit('typegrad_to_torch: give --layers, or save the checkpoint with config {"layers": [...]}')
    layers = parse_layers(spec)
    expected = {f"{i}.{e}" for i, (kind, _) in enumerate(layers) for e in ENTRIES.get(kind, ())}
    unknown = sorted(set(tensors) - expected)
    if unknown:
        raise SystemExit(f"typegrad_to_torch: keys that no linear or batchnorm layer of --layers holds: {unknown}")
    sd = state_dict(tensors, layers, args.layout)

    try:
        if args.numpy:
            raise ImportError("--numpy")
        import torch

        model = torch_model(layers, sd)
    except ImportError:
        model = None
    print(f"typegrad_to_torch: {args.checkpoint}: {len(sd)} tensors, {'torch.nn.' + repr(model) if model is not None else 'NumPy forward pass (PyTorch not used)'}")
    if args.save and model is not None:
        torch.save(model.state_dict(), args.save)
        print(f"typegrad_to_torch: saved the state_dict to {args.save}")

    if args.check:
        io, _ = read_safetensors(args.check)
        x, want = io["input"], io["output"]
        if model is not None:
            with torch.no_grad():
                got = model(torch.from_numpy(np.ascontiguousarray(x))).numpy()
        else:
            got = numpy_forward(layers, sd, x)
        err = float(np.max(np.abs(got.astype(np.float64) - want) / np.maximum(np.abs(want), 1)))
        tol = 1e-12 if want.dtype == np.float64 else 1e-5
        print(f"typegrad_to_torch: {'PyTorch' if model is not None else 'NumPy'} vs typegrad on {x.shape[0]} inputs: max relative error {err:.2e} (tolerance {tol:g})")
        sys.exit(0 if err <= tol else 1)


if __name__ == "__main__":
    main()
