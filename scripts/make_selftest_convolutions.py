#!/usr/bin/python3
"""Generates src/main/resources/dev/ctshift/engine/convolutions.pt, the TorchScript module of
ctshift's forward self-test (dev.ctshift.engine.TorchRuntime).

Usage (Debian's PyTorch 1.13): /usr/bin/python3 scripts/make_selftest_convolutions.py

The module takes one flat tensor of random values (float32 or float64) and returns the outputs of
convolutions of the kinds slice autoencoders and 3D models use, with inputs and weights cut from that
tensor: 2D convolutions with few and many channels (stride 1 and 2), transposed 2D convolutions
(stride 2, the decoder's upsampling; oneDNN computes them with its backward-data kernels, the ones
that return wrong input gradients on some CPUs) and 3D convolutions. Then every case again with its
input in channels-last order: for 2D the strides ctshift gives slices when it encodes them, for 3D
those it gives a one-channel volume in a 3D model's evaluations without gradient (and the NDHWC
activations the layers after the first then pass on). Channels-last inputs make libtorch choose
oneDNN's NHWC / NDHWC kernels: other kernels than for the same convolution in NCHW / NCDHW. A
float64 run never goes through oneDNN, so the float32 outputs can be checked against it.
"""

import os

import torch
import torch.nn.functional as F

# (kind, in channels, out channels, kernel, stride, padding, spatial size)
CASES = [
    ("conv2d", 1, 8, 3, 2, 1, 16),
    ("conv2d", 8, 1, 3, 1, 1, 12),
    ("conv2d", 8, 3, 3, 1, 1, 12),
    ("conv2d", 16, 4, 3, 1, 1, 12),
    ("conv2d", 16, 32, 3, 1, 1, 10),
    ("conv_transpose2d", 8, 1, 4, 2, 1, 8),
    ("conv_transpose2d", 16, 8, 4, 2, 1, 8),
    ("conv_transpose2d", 64, 16, 4, 2, 1, 6),
    ("conv_transpose2d", 4, 4, 3, 1, 1, 8),
    ("conv3d", 1, 16, 3, 2, 1, 10),
    ("conv3d", 4, 1, 3, 1, 1, 8),
    ("conv3d", 16, 32, 3, 2, 1, 8),
]
BATCH = 2


def sizes():
    out = []
    for kind, cin, cout, k, stride, pad, n in CASES:
        dims = 3 if kind == "conv3d" else 2
        x = BATCH * cin * n ** dims
        w = cin * cout * k ** dims
        out.append((x, w))
    return out


class Convolutions(torch.nn.Module):
    def forward(self, values):
        outputs = []
        channels_last = []
        at = 0
        for kind, cin, cout, k, stride, pad, n in CASES:
            shape = (BATCH, cin) + (n,) * (3 if kind == "conv3d" else 2)
            x = values[at:at + shape_numel(shape)].reshape(shape)
            at += shape_numel(shape)
            wshape = ((cin, cout) if kind == "conv_transpose2d" else (cout, cin)) + (k,) * (len(shape) - 2)
            w = values[at:at + shape_numel(wshape)].reshape(wshape)
            at += shape_numel(wshape)
            op = {"conv2d": F.conv2d, "conv_transpose2d": F.conv_transpose2d, "conv3d": F.conv3d}[kind]
            outputs.append(op(x, w, None, stride, pad))
            if kind != "conv3d":
                # The same values read as [B, H, W, C] and viewed as [B, C, H, W]: channels-last strides.
                nhwc = x.reshape(BATCH, n, n, cin).permute(0, 3, 1, 2)
                channels_last.append(op(nhwc, w, None, stride, pad))
            else:
                # Read as [B, D, H, W, C] and viewed as [B, C, D, H, W].
                ndhwc = x.reshape(BATCH, n, n, n, cin).permute(0, 4, 1, 2, 3)
                channels_last.append(op(ndhwc, w, None, stride, pad))
        return tuple(outputs + channels_last)


def shape_numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def main():
    total = sum(x + w for x, w in sizes())
    scripted = torch.jit.trace(Convolutions(), torch.randn(total))
    path = "src/main/resources/dev/ctshift/engine/convolutions.pt"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    scripted.save(path)
    loaded = torch.jit.load(path)
    v = torch.randn(total, dtype=torch.float64)
    for a, b in zip(loaded(v), Convolutions()(v)):
        assert torch.allclose(a, b)
    print(f"{path}: {len(CASES)} convolutions, then the same in channels-last order, input of {total} values")


if __name__ == "__main__":
    main()
