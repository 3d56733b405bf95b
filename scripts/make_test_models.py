#!/usr/bin/python3
"""Generates the tiny TorchScript test models of ctshift and their float64 reference values.

Usage (PyTorch 1.13, Debian's interpreter):
    /usr/bin/python3 scripts/make_test_models.py [outdir]      # default src/test/resources/models

Every model directory gets the exported module(s) and a model.json written by model_manifest.py as
dev.ctshift.model.ModelManifest writes it. The directory reference/ holds raw little-endian float32 tensors
(.f32, C order, last index fastest) and reference.json describing them; the values are computed in
float64 by the modules loaded back from disk and converted with .double(), i.e. the very files the
Java side loads. The script asserts that the exported float32 modules reproduce eager PyTorch.
"""

import json
import os
import sys

import torch
from torch import nn

import model_manifest

SEED = 20240611
H = W = 16
D = 6
TARGET = 0  # classifier output explained in the references ("finding_a")


# ---------------------------------------------------------------------------------------------
# Networks


class Encoder(nn.Module):
    """[B, 1, 16, 16] slices -> [B, 4, 8, 8] latents."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 4, 4, stride=2, padding=1)

    def forward(self, x):
        return self.conv2(torch.relu(self.conv1(x)))


class Decoder(nn.Module):
    """[B, 4, 8, 8] latents -> [B, 1, 16, 16] slices in (0, 1)."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 8, 4, stride=2, padding=1)
        self.conv = nn.Conv2d(8, 1, 3, padding=1)

    def forward(self, z):
        return torch.sigmoid(self.conv(torch.relu(self.up(z))))


class Classifier(nn.Module):
    """[1, 1, D, H, W] (NCDHW) -> [1, 2] logits."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv3d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv3d(4, 4, 3, stride=2, padding=1)
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class DepthLastClassifier(nn.Module):
    """The same classifier taking depth-last input [1, 1, H, W, D] (NCHWD)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x.permute(0, 1, 4, 2, 3))


class Segmenter(nn.Module):
    """[1, 1, D, H, W] -> [1, 2, D, H, W] logits (background, target)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv3d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv3d(4, 2, 1)

    def forward(self, x):
        return self.conv2(torch.relu(self.conv1(x)))


def space_to_depth_weight():
    """One-hot [4, 1, 2, 2] weight: channel 2*a + b picks pixel (a, b) of each 2x2 block."""
    w = torch.zeros(4, 1, 2, 2)
    for a in range(2):
        for b in range(2):
            w[2 * a + b, 0, a, b] = 1.0
    return w


class SpaceToDepth(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 2, stride=2, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(space_to_depth_weight())

    def forward(self, x):
        return self.conv(x)


class DepthToSpace(nn.Module):
    def __init__(self):
        super().__init__()
        # ConvTranspose2d weights are [in, out, kH, kW], the same one-hot pattern as the encoder.
        self.conv = nn.ConvTranspose2d(4, 1, 2, stride=2, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(space_to_depth_weight())

    def forward(self, z):
        return self.conv(z)


BOX = (slice(2, 4), slice(5, 9), slice(6, 10))  # slices 2..3, rows 5..8, cols 6..9 (NCDHW)
BOX_W = 8.0
BOX_B = -2.0


class BoxClassifier(nn.Module):
    """logit = 8 * mean(x[:, :, 2:4, 5:9, 6:10]) - 2, shape [1, 1]."""

    def forward(self, x):
        box = x[:, :, 2:4, 5:9, 6:10]
        return 8.0 * box.mean(dim=[1, 2, 3, 4]).unsqueeze(1) - 2.0


class BowlClassifier(nn.Module):
    """logit = 40 * (mean(A) - 0.5)^2 + 2 * mean(B) - 2, shape [1, 1], with A = x[:, :, 2:4, 5:9, 6:10]
    (the box) and B = x[:, :, 2:4, 10:14, 6:10]. Lowering the logit along its gradient first darkens A
    until mean(A) = 0.5, where the straight shift stops helping; only a new gradient there leads on,
    through B (a test of the search's restarts)."""

    def forward(self, x):
        a = x[:, :, 2:4, 5:9, 6:10].mean(dim=[1, 2, 3, 4])
        b = x[:, :, 2:4, 10:14, 6:10].mean(dim=[1, 2, 3, 4])
        return (40.0 * (a - 0.5) ** 2 + 2.0 * b - 2.0).unsqueeze(1)


def scaled(module, gain):
    """Multiplies PyTorch's default initial weights and biases by gain. Unscaled, the random decoder
    is nearly constant (output 0.5 +- 0.002) and gradients are ~1e-5; scaled, reconstructions span
    about 0.3..0.9 and the reference gradients are ~1e-3..1e-2, far above float32 noise."""
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(gain)
    return module


# ---------------------------------------------------------------------------------------------
# Export helpers


def export(module, example, path, checks=(), script=False):
    """Traces (or scripts) an eval-mode module, saves it, and asserts that the saved file reproduces
    eager float32 results on the example and on every input in checks (other batch sizes or depths)."""
    module.eval()
    with torch.no_grad():
        traced = torch.jit.script(module) if script else torch.jit.trace(module, example)
        traced.save(path)
        loaded = torch.jit.load(path)
        loaded.eval()
        for inp in (example,) + tuple(checks):
            want = module(inp)
            for got in (traced(inp), loaded(inp)):
                assert got.shape == want.shape, (path, got.shape, want.shape)
                assert torch.allclose(got, want, rtol=1e-6, atol=1e-6), (path, (got - want).abs().max())
    return loaded


def load_double(path):
    m = torch.jit.load(path)
    m.eval()
    return m.double()


def input_spec(layout=None):
    """The tiny models' input: 16 x 16 slices; the 3D models state their layout and depth multiple."""
    if layout is None:
        return model_manifest.input_spec(size=[H, W])
    return model_manifest.input_spec(size=[H, W], layout=layout, depth_multiple=1)


def write_f32(directory, name, tensor, shape_doc, description, tensors):
    t = tensor.detach().to(torch.float32).reshape(shape_doc).contiguous()
    fname = name + ".f32"
    data = t.numpy().astype("<f4").tobytes()
    with open(os.path.join(directory, fname), "wb") as f:
        f.write(data)
    tensors[name] = {"file": fname, "shape": shape_doc, "description": description}


# ---------------------------------------------------------------------------------------------


def main(outdir):
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    dirs = {n: os.path.join(outdir, n) for n in
            ["tiny-ae", "tiny-classifier", "tiny-classifier-nchwd", "tiny-segmenter", "identity-ae",
             "box-classifier", "bowl-classifier", "reference"]}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    # Weights are drawn in this fixed order after seeding.
    encoder, decoder = scaled(Encoder(), 2.0), scaled(Decoder(), 4.0)
    classifier = scaled(Classifier(), 3.0)
    segmenter = scaled(Segmenter(), 3.0)
    x = torch.rand(1, 1, D, H, W)  # the reference input volume

    # 1. tiny-ae: traced with B=3, checked with B=1 and B=6.
    p = dirs["tiny-ae"]
    export(encoder, torch.rand(3, 1, H, W), os.path.join(p, "encoder.pt"),
           (torch.rand(1, 1, H, W), torch.rand(6, 1, H, W)))
    export(decoder, torch.randn(3, 4, 8, 8), os.path.join(p, "decoder.pt"),
           (torch.randn(1, 4, 8, 8), torch.randn(6, 4, 8, 8)))
    model_manifest.write(p, model_manifest.manifest(
        "tiny-ae", "autoencoder", {"encoder": "encoder.pt", "decoder": "decoder.pt"}, input=input_spec()))

    # 2. tiny-classifier: traced with D=6, checked with D=9.
    p = dirs["tiny-classifier"]
    export(classifier, torch.rand(1, 1, D, H, W), os.path.join(p, "model.pt"),
           (torch.rand(1, 1, 9, H, W), x))
    model_manifest.write(p, model_manifest.manifest(
        "tiny-classifier", "classifier", {"model": "model.pt"}, input=input_spec("NCDHW"),
        outputs=["finding_a", "finding_b"], activation="sigmoid", threshold=0.5))

    # 3. tiny-classifier-nchwd: same weights, depth-last input.
    p = dirs["tiny-classifier-nchwd"]
    depth_last = DepthLastClassifier(classifier)
    export(depth_last, torch.rand(1, 1, H, W, D), os.path.join(p, "model.pt"),
           (torch.rand(1, 1, H, W, 9), x.permute(0, 1, 3, 4, 2).contiguous()))
    model_manifest.write(p, model_manifest.manifest(
        "tiny-classifier-nchwd", "classifier", {"model": "model.pt"}, input=input_spec("NCHWD"),
        outputs=["finding_a", "finding_b"], activation="sigmoid", threshold=0.5))

    # 4. tiny-segmenter.
    p = dirs["tiny-segmenter"]
    export(segmenter, torch.rand(1, 1, D, H, W), os.path.join(p, "model.pt"),
           (torch.rand(1, 1, 9, H, W), x))
    model_manifest.write(p, model_manifest.manifest(
        "tiny-segmenter", "segmenter", {"model": "model.pt"}, input=input_spec("NCDHW"),
        outputs=["background", "target"], activation="softmax", score_class="target"))

    # 5. identity-ae: decode(encode(x)) == x bit for bit.
    p = dirs["identity-ae"]
    enc_id = export(SpaceToDepth(), torch.rand(3, 1, H, W), os.path.join(p, "encoder.pt"),
                    (torch.rand(1, 1, H, W), torch.rand(6, 1, H, W)))
    dec_id = export(DepthToSpace(), torch.rand(3, 4, 8, 8), os.path.join(p, "decoder.pt"),
                    (torch.rand(1, 4, 8, 8), torch.rand(6, 4, 8, 8)))
    with torch.no_grad():
        for b in (1, 3, 6):
            s = torch.rand(b, 1, H, W)
            z = enc_id(s)
            assert z.shape == (b, 4, 8, 8)
            assert torch.equal(dec_id(z), s), "identity-ae is not exact"
            assert torch.equal(z[:, 1], s[:, 0, 0::2, 1::2]), "space-to-depth channel order"
    model_manifest.write(p, model_manifest.manifest(
        "identity-ae", "autoencoder", {"encoder": "encoder.pt", "decoder": "decoder.pt"}, input=input_spec()))

    # 6. box-classifier: known answer, fixed input size [1, 1, 6, 16, 16].
    p = dirs["box-classifier"]
    # Scripted, so that w and b stay Python floats and .double() gives a true float64 module.
    box = export(BoxClassifier(), torch.rand(1, 1, D, H, W), os.path.join(p, "model.pt"), (x,),
                 script=True)
    with torch.no_grad():
        want = BOX_W * x[0, 0][BOX].double().mean() + BOX_B
        assert abs(box(x)[0, 0].item() - want.item()) < 1e-6
    model_manifest.write(p, model_manifest.manifest(
        "box-classifier", "classifier", {"model": "model.pt"}, input=input_spec("NCDHW"),
        outputs=["box"], activation="sigmoid", threshold=0.5))

    # 7. bowl-classifier: a score that a straight shift cannot lower enough; input [1, 1, 6, 16, 16].
    p = dirs["bowl-classifier"]
    export(BowlClassifier(), torch.rand(1, 1, D, H, W), os.path.join(p, "model.pt"), (x,), script=True)
    model_manifest.write(p, model_manifest.manifest(
        "bowl-classifier", "classifier", {"model": "model.pt"}, input=input_spec("NCDHW"),
        outputs=["bowl"], activation="sigmoid", threshold=0.5))

    write_references(dirs, x)


def write_references(dirs, x32):
    """Float64 references computed by the saved modules converted with .double()."""
    enc = load_double(os.path.join(dirs["tiny-ae"], "encoder.pt"))
    dec = load_double(os.path.join(dirs["tiny-ae"], "decoder.pt"))
    cls = load_double(os.path.join(dirs["tiny-classifier"], "model.pt"))
    cls_last = load_double(os.path.join(dirs["tiny-classifier-nchwd"], "model.pt"))
    seg = load_double(os.path.join(dirs["tiny-segmenter"], "model.pt"))
    box = load_double(os.path.join(dirs["box-classifier"], "model.pt"))

    x = x32.double()
    slices = x[0, 0].unsqueeze(1)  # [D, 1, H, W]: slice k of the volume is batch item k
    with torch.no_grad():
        z = enc(slices)
        recon = dec(z).reshape(1, 1, D, H, W)
        logits_x = cls(x)
        logits_last = cls_last(x.permute(0, 1, 3, 4, 2))
        logits_recon = cls(recon)
        seg_logits = seg(x)
        box_logit = box(x)
    assert torch.allclose(logits_x, logits_last, rtol=0, atol=1e-12), (logits_x, logits_last)
    assert box_logit.dtype == torch.float64
    assert abs(box_logit[0, 0].item() - (BOX_W * x[0, 0][BOX].mean().item() + BOX_B)) < 1e-12

    # Reconstruction mode: gradient of the target logit of classifier(decoder(Z)) with respect to Z.
    zg = z.clone().requires_grad_(True)
    s_recon = cls(dec(zg).reshape(1, 1, D, H, W))[0, TARGET]
    (g_recon,) = torch.autograd.grad(s_recon, zg)

    # Upstream gradient at the scan itself, then residual mode: J_decoder(Z)^T . dlogit/dx.
    xg = x.clone().requires_grad_(True)
    s_x = cls(xg)[0, TARGET]
    (dlogit_dx,) = torch.autograd.grad(s_x, xg)
    zg = z.clone().requires_grad_(True)
    (g_residual,) = torch.autograd.grad(dec(zg), zg, grad_outputs=dlogit_dx.reshape(D, 1, H, W))

    # Segmenter score: soft fraction of class "target" (index 1) over all voxels.
    xg = x.clone().requires_grad_(True)
    seg_score = torch.softmax(seg(xg), dim=1)[:, 1].mean()
    (dscore_dx,) = torch.autograd.grad(seg_score, xg)

    # Independent check of the autograd references: central differences along random directions.
    gen = torch.Generator().manual_seed(SEED + 1)
    h = 1e-6
    with torch.no_grad():
        v = torch.randn(z.shape, generator=gen, dtype=torch.float64)
        fd = (cls(dec(z + h * v).reshape(1, 1, D, H, W))[0, TARGET]
              - cls(dec(z - h * v).reshape(1, 1, D, H, W))[0, TARGET]) / (2 * h)
        assert abs(fd - (g_recon * v).sum()) < 1e-6 * max(1.0, abs(fd)), ("g_recon", fd)
        v = torch.randn(x.shape, generator=gen, dtype=torch.float64)
        fd = (torch.softmax(seg(x + h * v), 1)[:, 1].mean()
              - torch.softmax(seg(x - h * v), 1)[:, 1].mean()) / (2 * h)
        assert abs(fd - (dscore_dx * v).sum()) < 1e-6 * max(1.0, abs(fd)), ("dscore_dx", fd)
        # Residual mode: the directional derivative of dlogit_dx . dec(Z) along v.
        v = torch.randn(z.shape, generator=gen, dtype=torch.float64)
        u = dlogit_dx.reshape(D, 1, H, W)
        fd = ((u * dec(z + h * v)).sum() - (u * dec(z - h * v)).sum()) / (2 * h)
        assert abs(fd - (g_residual * v).sum()) < 1e-6 * max(1.0, abs(fd)), ("g_residual", fd)

    out = dirs["reference"]
    tensors = {}
    write_f32(out, "x", x32, [1, 1, D, H, W],
              "input volume, NCDHW, uniform [0,1) from torch.rand after seeding", tensors)
    write_f32(out, "z", z, [D, 4, H // 2, W // 2],
              "tiny-ae encoder latents of the slices of x (slice k = batch item k)", tensors)
    write_f32(out, "recon", recon, [1, 1, D, H, W],
              "tiny-ae decoder(z) as a volume (same bytes as [D, 1, H, W] slices)", tensors)
    write_f32(out, "g_recon", g_recon, [D, 4, H // 2, W // 2],
              "reconstruction mode: d tiny-classifier(decoder(z))[0, target] / dz", tensors)
    write_f32(out, "g_residual", g_residual, [D, 4, H // 2, W // 2],
              "residual mode: J_decoder(z)^T . dlogit_dx (upstream gradient taken at x)", tensors)
    write_f32(out, "dlogit_dx", dlogit_dx, [1, 1, D, H, W],
              "d tiny-classifier(x)[0, target] / dx at x", tensors)
    write_f32(out, "seg_logits", seg_logits, [1, 2, D, H, W], "tiny-segmenter(x) logits, NCDHW",
              tensors)
    write_f32(out, "seg_dscore_dx", dscore_dx, [1, 1, D, H, W], "d seg_score / dx at x", tensors)

    ref = {
        "description": "Float64 references for the ctshift test models, computed by PyTorch "
                       + torch.__version__ + " on the saved TorchScript files converted with "
                       ".double(). Tensors are raw little-endian float32, C order (last index "
                       "fastest); values below are float64.",
        "seed": SEED,
        "volume_shape": [1, 1, D, H, W],
        "autoencoder": "tiny-ae",
        "classifier": "tiny-classifier",
        "target_index": TARGET,
        "target_name": "finding_a",
        "segmenter": "tiny-segmenter",
        "segmenter_score_class": 1,
        "tensors": tensors,
        "values": {
            "classifier_logits_x": logits_x[0].tolist(),
            "classifier_nchwd_logits_x": logits_last[0].tolist(),
            "classifier_logits_recon": logits_recon[0].tolist(),
            "s0": logits_recon[0, TARGET].item(),
            "logit_x": logits_x[0, TARGET].item(),
            "seg_score_x": seg_score.item(),
            "box_logit_x": box_logit[0, 0].item(),
        },
    }
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(ref, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models")
