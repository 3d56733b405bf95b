#!/usr/bin/python3
"""Writes the fixtures of ChannelsLastEvaluationTest: a 3D model's forward pass without gradient runs
on a one-channel volume given channels-last strides (dev.ctshift.model.torchscript.TorchScriptVolumeModel).

Usage (PyTorch 1.13, Debian's interpreter), from the repository root:
    /usr/bin/python3 scripts/make_channels_last_fixtures.py   # writes src/test/resources/models/channels-last/

- view-classifier/: a TorchScript classifier that flattens its convolution's output with `view`, which
  fails on channels-last activations: ctshift must notice and run it in the standard order;
- view-ae/: a TorchScript slice autoencoder whose encoder flattens its convolution's output with
  `view`: ctshift encodes slices in channels-last order (dev.ctshift.shift.SliceLatentSpace) and must
  notice and encode this one in the standard order;
- reference.json: float64 outputs, computed by PyTorch from the saved files converted with .double(),
  for the volume VOLUME below ([1, 1, 96, 224, 4], large enough that libtorch sends the first
  convolution of a one-image batch to oneDNN) through view-classifier, the benchmark classifier
  (models/benchmark/cnn3d-classifier) and tiny-segmenter (sums of its two output maps), and the view-ae encoder's latents of the slices SLICES below.
"""
import json
import os

import torch
from torch import nn

import model_manifest

OUT = os.path.join("src", "test", "resources", "models", "channels-last")
SHAPE = (1, 1, 96, 224, 4)
SLICES = (6, 1, 32, 32)


def volume():
    """x[d, h, w] = ((d * 224 + h) * 4 + w) mod 97 / 97, the same formula as the Java test."""
    i = torch.arange(SHAPE[2] * SHAPE[3] * SHAPE[4], dtype=torch.float64)
    return (torch.remainder(i, 97) / 97).reshape(SHAPE)


class ViewClassifier(nn.Module):
    """[1, 1, D, H, W] -> [1, 1]: a strided convolution, then the mean of `view(1, -1)`."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(1, 4, 3, stride=2, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x)).view(1, -1).mean(1, keepdim=True)


def slices():
    """x[n, h, w] = ((n * 32 + h) * 32 + w) mod 89 / 89, the same formula as the Java test."""
    i = torch.arange(SLICES[0] * SLICES[2] * SLICES[3], dtype=torch.float64)
    return (torch.remainder(i, 89) / 89).reshape(SLICES)


class ViewEncoder(nn.Module):
    """[B, 1, 32, 32] -> [B, 1024]: a strided convolution, flattened with `view`."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, stride=2, padding=1)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        return y.view(y.size(0), -1)


class ViewDecoder(nn.Module):
    """[B, 1024] -> [B, 1, 32, 32]."""

    def __init__(self):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(4, 1, 4, stride=2, padding=1)

    def forward(self, z):
        return torch.sigmoid(self.deconv(z.view(z.size(0), 4, 16, 16)))


def run64(path, x):
    module = torch.jit.load(path).double().eval()
    with torch.no_grad():
        return module(x)


def main():
    torch.manual_seed(20261205)
    d = os.path.join(OUT, "view-classifier")
    os.makedirs(d, exist_ok=True)
    module = ViewClassifier().eval()
    torch.jit.script(module).save(os.path.join(d, "model.pt"))
    model_manifest.write(d, model_manifest.manifest(
        "view-classifier", "classifier", {"model": "model.pt"},
        input=model_manifest.input_spec(size=[224, 4], layout="NCDHW"),
        outputs=["finding"], activation="sigmoid", threshold=0.5))
    ae = os.path.join(OUT, "view-ae")
    os.makedirs(ae, exist_ok=True)
    torch.jit.script(ViewEncoder().eval()).save(os.path.join(ae, "encoder.pt"))
    torch.jit.script(ViewDecoder().eval()).save(os.path.join(ae, "decoder.pt"))
    model_manifest.write(ae, model_manifest.manifest(
        "view-ae", "autoencoder", {"encoder": "encoder.pt", "decoder": "decoder.pt"},
        input=model_manifest.input_spec(size=[32, 32])))
    x = volume()
    segmenter = run64("src/test/resources/models/tiny-segmenter/model.pt", x)
    reference = {
        "shape": list(SHAPE),
        "view_classifier": run64(os.path.join(d, "model.pt"), x).flatten().tolist(),
        "benchmark_classifier": run64("models/benchmark/cnn3d-classifier/model.pt", x).flatten().tolist(),
        "segmenter_map_sums": segmenter.sum(dim=[2, 3, 4]).flatten().tolist(),
        "segmenter_first_row": segmenter[0, 1, 50, 100, :].tolist(),
        "view_ae_latents": run64(os.path.join(ae, "encoder.pt"), slices()).flatten().tolist(),
    }
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(reference, f, indent=2)
        f.write("\n")
    print(f"{OUT}: view-classifier, view-ae and reference.json")


if __name__ == "__main__":
    main()
