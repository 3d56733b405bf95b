#!/usr/bin/python3
"""Generates the TorchScript pair of the side-by-side benchmark (scripts/benchmark-vs-pytorch).

Usage (Debian's PyTorch 1.13):
    /usr/bin/python3 scripts/make_benchmark_models.py [outdir]       # default models/benchmark

Writes two model directories in the format of dev.ctshift.model.ModelManifest:
- slice-ae/: encoder.pt [B, 1, 224, 224] -> [B, 8, 28, 28], decoder.pt back to [B, 1, 224, 224]
  in (0, 1) (final sigmoid); about 26 k parameters;
- cnn3d-classifier/: model.pt [1, 1, D, 224, 224] (NCDHW) -> [1, 2] logits; about 295 k parameters.
The weights are seeded random initialisations: the benchmark measures speed, not meaning. The last
bias of the classifier is set so that its first output has probability about 0.9 on the benchmark
volume (benchmark_volume.py), so an explanation has a real search to do. Each file is checked,
loaded back, against the eager module on several batch sizes / depths.
"""

import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchmark_volume  # noqa: E402
import model_manifest  # noqa: E402

SEED = 20261205
SIZE = 224
SPACING = [1.5, 1.5, 2.5]


class Encoder(nn.Module):
    """[B, 1, 224, 224] -> [B, 8, 28, 28]: three stride-2 convolutions."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 8, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv3(torch.relu(self.conv2(torch.relu(self.conv1(x)))))


class Decoder(nn.Module):
    """[B, 8, 28, 28] -> [B, 1, 224, 224] in (0, 1): a 3x3 convolution at the latent size, three
    transposed convolutions (most weights at low resolution, as in light slice decoders), sigmoid."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 64, 3, padding=1)
        self.up1 = nn.ConvTranspose2d(64, 16, 4, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
        self.up3 = nn.ConvTranspose2d(8, 1, 4, stride=2, padding=1)

    def forward(self, z):
        z = torch.relu(self.conv(z))
        z = torch.relu(self.up1(z))
        z = torch.relu(self.up2(z))
        return torch.sigmoid(self.up3(z))


class Classifier(nn.Module):
    """[1, 1, D, H, W] -> [1, 2] logits: four stride-2 3D convolutions, global pooling, two linear layers."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv3d(1, 16, 3, stride=2, padding=1)
        self.conv2 = nn.Conv3d(16, 32, 3, stride=2, padding=1)
        self.conv3 = nn.Conv3d(32, 64, 3, stride=2, padding=1)
        self.conv4 = nn.Conv3d(64, 128, 3, stride=2, padding=1)
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc1 = nn.Linear(128, 32)
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        for conv in (self.conv1, self.conv2, self.conv3, self.conv4):
            x = torch.relu(conv(x))
        return self.fc2(torch.relu(self.fc1(torch.flatten(self.pool(x), 1))))


def params(module):
    return sum(p.numel() for p in module.parameters())


def save(module, example, path):
    traced = torch.jit.trace(module, example)
    traced.save(path)
    return torch.jit.load(path)


def check(eager, loaded, inputs):
    with torch.no_grad():
        for x in inputs:
            a, b = eager(x), loaded(x)
            assert a.shape == b.shape and torch.allclose(a, b, rtol=1e-5, atol=1e-6), (a.shape, b.shape)


def manifest(name, kind, files, **extra):
    three_d = kind != "autoencoder"
    spec = model_manifest.input_spec(spacing_mm=SPACING, size=[SIZE, SIZE], layout="NCDHW" if three_d else None,
                                     depth_multiple=1 if three_d else None, min_depth=16 if three_d else None)
    return model_manifest.manifest(name, kind, files, input=spec, **extra)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "models/benchmark"
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    enc, dec, clf = Encoder().eval(), Decoder().eval(), Classifier().eval()
    volume = torch.from_numpy(benchmark_volume.model_range(benchmark_volume.DEPTH, SIZE, SIZE))
    with torch.no_grad():
        # Put the first output's probability near 0.9 on the benchmark volume.
        logit = clf(volume.reshape(1, 1, *volume.shape))[0, 0].item()
        clf.fc2.bias[0] += 2.2 - logit
        print(f"classifier logit on the benchmark volume: {logit:.3f} -> 2.2 (p = 0.90)")
    ae_dir = os.path.join(out, "slice-ae")
    clf_dir = os.path.join(out, "cnn3d-classifier")
    os.makedirs(ae_dir, exist_ok=True)
    os.makedirs(clf_dir, exist_ok=True)
    slices = torch.rand(4, 1, SIZE, SIZE)
    e = save(enc, slices, os.path.join(ae_dir, "encoder.pt"))
    d = save(dec, enc(slices), os.path.join(ae_dir, "decoder.pt"))
    c = save(clf, torch.rand(1, 1, 16, SIZE, SIZE), os.path.join(clf_dir, "model.pt"))
    check(enc, e, [torch.rand(n, 1, SIZE, SIZE) for n in (1, 3, 17)])
    check(dec, d, [torch.randn(n, 8, 28, 28) for n in (1, 3, 17)])
    check(clf, c, [torch.rand(1, 1, n, SIZE, SIZE) for n in (16, 21)])
    model_manifest.write(ae_dir, manifest("benchmark-slice-ae", "autoencoder",
                                          {"encoder": "encoder.pt", "decoder": "decoder.pt"}))
    model_manifest.write(clf_dir, manifest("benchmark-cnn3d-classifier", "classifier", {"model": "model.pt"},
                                           outputs=["finding", "other"], activation="sigmoid", threshold=0.5))
    print(f"autoencoder: {params(enc) + params(dec)} parameters ({params(enc)} encoder, {params(dec)} decoder)")
    print(f"classifier: {params(clf)} parameters")


if __name__ == "__main__":
    main()
