#!/usr/bin/python3
"""Builds ctshift's interim demo models ("v0") in models/: a slice autoencoder trained on real CT and
a fixed-weight differentiable lung segmenter. Both are TorchScript with a model.json in the format of
dev.ctshift.model.ModelManifest.

Usage, from the repository root (Debian's PyTorch 1.13, CPU, ~5-10 minutes on 2 busy cores):
    /usr/bin/python3 scripts/make_demo_models.py [--data DIR] [--out DIR] [--overlay PNG]

--data is the directory with the real CT NIfTI files of the project's shared data, which is NOT part of
the repository; the default ../shared/data/real is relative to the repository root (where CI keeps it).
Only the CT scans are used, never the label maps (except totalseg-upper-abdomen-labels.nii.gz, read
only to report how well the segmenter finds the lung). The bundled sample scan
samples/totalseg-upper-abdomen.nii.gz is evaluated but adds nothing to training: its slices are an
exact copy of slices 82-111 of totalseg-abdomen-pelvis.nii.gz, which the script detects.

Preprocessing matches the manifests (and the Java pipeline): reorient to RAS, HU window [-1000, 1000]
mapped onto [0, 1] and clipped, in-plane pad/crop to 128x128 centred with offset trunc((128 - n) / 2)
(odd extra at the high-index end), pad value 0 (air). A volume array is [D, H, W] = [k, j, i].

Seeds are fixed and two threads are used, so a rerun on the same PyTorch build repeats the same steps;
the printed figures are the ones reported in models/README.md.
"""

import argparse
import math
import os
import time

import nibabel as nib
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import model_manifest

SEED = 20240612
SIZE = 128                      # in-plane H = W after pad/crop
HU_WINDOW = (-1000.0, 1000.0)
SPACING_MM = [3.0, 3.0, 3.0]    # the training scans' grid; the segmenter's neighbourhood assumes it
TRAIN_SCANS = ["totalseg-abdomen-pelvis.nii.gz", "totalseg-upper-abdomen.nii.gz"]
HOLDOUT_SCAN = "totalseg-abdomen-pelvis.nii.gz"
HOLDOUT_EVERY = 5               # slices k % 5 == 0 of HOLDOUT_SCAN are never trained on
SAMPLE = "samples/totalseg-upper-abdomen.nii.gz"
SAMPLE_LABELS = "totalseg-upper-abdomen-labels.nii.gz"
LUNG_LABELS = [10, 11, 12, 13, 14]       # TotalSegmentator lung lobes in that label map
BOWEL_LABELS = [6, 18, 19, 20]           # stomach, small bowel, duodenum, colon

STEPS = 1500
BATCH = 16
CROP = 64
LR = 1e-3


# ---------------------------------------------------------------------------------------------
# Data


def load_ras(path):
    """A NIfTI volume reoriented to RAS as float32 [D, H, W] = [k, j, i]."""
    img = nib.as_closest_canonical(nib.load(path))
    assert nib.aff2axcodes(img.affine) == ("R", "A", "S"), path
    return np.asarray(img.dataobj, dtype=np.float32).transpose(2, 1, 0).copy()


def window(hu):
    lo, hi = HU_WINDOW
    return np.clip((hu - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)


def pad_crop(a, size=SIZE, value=0.0, shift=(0, 0)):
    """Places the last two axes of a onto a size x size canvas, centred as the Java
    ResizeWithPadOrCrop does (offset trunc((size - n) / 2)), moved by shift = (dh, dw)."""
    out = np.full(a.shape[:-2] + (size, size), value, dtype=np.float32)
    src, dst = [], []
    for n, s in zip(a.shape[-2:], shift):
        off = int((size - n) / 2) + s
        lo, hi = max(0, off), min(size, off + n)
        src.append(slice(lo - off, hi - off))
        dst.append(slice(lo, hi))
    out[(..., dst[0], dst[1])] = a[(..., src[0], src[1])]
    return out


def content_mask(shape_hw):
    """True on the canvas pixels that hold scan data (not padding)."""
    return pad_crop(np.ones(shape_hw, np.float32)) > 0


def load_slices(data_dir):
    """Training slices (HU, [N, H, W]) and held-out slices, with exact duplicates removed."""
    train, held, seen = [], [], {}
    for name in TRAIN_SCANS:
        vol = load_ras(os.path.join(data_dir, name))
        dup = 0
        for k, s in enumerate(vol):
            key = s.tobytes()
            if key in seen:
                dup += 1
                continue
            is_held = name == HOLDOUT_SCAN and k % HOLDOUT_EVERY == 0
            seen[key] = is_held
            (held if is_held else train).append(s)
        print(f"  {name}: {vol.shape[0]} slices of {vol.shape[2]}x{vol.shape[1]}, "
              f"{dup} exact duplicates of slices already seen (skipped)")
    print(f"  {len(train)} training slices, {len(held)} held-out slices "
          f"(every {HOLDOUT_EVERY}th slice of {HOLDOUT_SCAN})")
    return np.stack(train), np.stack(held)


def augmented_batch(slices_hu, rng, n):
    """n random CROP x CROP patches of randomly chosen slices, each with a random left-right flip,
    an in-plane shift of up to 8 voxels and an HU scale/offset jitter (applied before windowing, so
    the padding stays air). The networks are fully convolutional, so patches train them for whole
    slices at a quarter of the cost."""
    out = np.empty((n, 1, CROP, CROP), np.float32)
    for b in range(n):
        s = slices_hu[rng.integers(len(slices_hu))]
        if rng.random() < 0.5:
            s = s[:, ::-1]
        s = s * rng.uniform(0.93, 1.07) + rng.uniform(-40.0, 40.0)
        shift = tuple(int(v) for v in rng.integers(-8, 9, size=2))
        r, c = rng.integers(0, SIZE - CROP + 1, size=2)
        out[b, 0] = pad_crop(window(s), shift=shift)[r:r + CROP, c:c + CROP]
    return torch.from_numpy(out)


# ---------------------------------------------------------------------------------------------
# Slice autoencoder: [B, 1, 128, 128] in [0, 1] -> latent [B, 16, 16, 16] -> [B, 1, 128, 128]
#
# The backbone is a linear block code on 8x8 blocks in the logit domain (16 of 64 principal components,
# computed from the training slices), which alone reaches ~28 dB; small convolutional branches whose
# last layers start at zero then learn what the linear code misses. Starting from the principal
# components makes a few minutes of CPU training enough.

EPS = 0.02          # x in [0, 1] is mapped to logit(EPS + (1 - 2 EPS) x), finite at 0 and 1
BLOCK = 8
LATENT = 16


def to_logit(x):
    y = EPS + (1.0 - 2.0 * EPS) * x
    return torch.log(y) - torch.log1p(-y)


def principal_components(slices_x):
    """Mean [64] and the first LATENT principal directions [LATENT, 64] of the logit-domain 8x8
    blocks of slices_x ([N, 128, 128] in [0, 1])."""
    t = to_logit(torch.from_numpy(slices_x)).double()
    n = t.shape[0]
    blocks = t.reshape(n, SIZE // BLOCK, BLOCK, SIZE // BLOCK, BLOCK).permute(0, 1, 3, 2, 4)
    blocks = blocks.reshape(-1, BLOCK * BLOCK)
    mean = blocks.mean(0)
    _, _, vt = torch.linalg.svd(blocks - mean, full_matrices=False)
    return mean.float(), vt[:LATENT].float()


def zero_last(seq):
    with torch.no_grad():
        seq[-1].weight.zero_()
        seq[-1].bias.zero_()
    return seq


class Encoder(nn.Module):
    """z = principal-component coefficients of the logit-domain 8x8 blocks + a learned correction."""

    def __init__(self, mean, basis, c=48):
        super().__init__()
        self.project = nn.Conv2d(1, LATENT, BLOCK, BLOCK)
        with torch.no_grad():
            self.project.weight.copy_(basis.reshape(LATENT, 1, BLOCK, BLOCK))
            self.project.bias.copy_(-basis @ mean)
        self.correct = zero_last(nn.Sequential(
            nn.PixelUnshuffle(4),                                 # [B, 16, 32, 32]
            nn.Conv2d(16, c, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(c, c, 4, 2, 1), nn.ReLU(),                  # 16x16
            nn.Conv2d(c, LATENT, 3, 1, 1)))

    def forward(self, x):
        return self.project(to_logit(x)) + self.correct(x)


class Decoder(nn.Module):
    """sigmoid(principal-component synthesis of the logit-domain blocks + a learned correction)."""

    def __init__(self, mean, basis, c=64):
        super().__init__()
        self.synthesize = nn.ConvTranspose2d(LATENT, 1, BLOCK, BLOCK)
        with torch.no_grad():
            self.synthesize.weight.copy_(basis.reshape(LATENT, 1, BLOCK, BLOCK))
            self.synthesize.bias.zero_()
        self.register_buffer("mean", mean.reshape(1, BLOCK * BLOCK, 1, 1))
        self.correct = zero_last(nn.Sequential(
            nn.Conv2d(LATENT, c, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(c, c, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(c, BLOCK * BLOCK, 3, 1, 1)))
        self.shuffle = nn.PixelShuffle(BLOCK)

    def forward(self, z):
        return torch.sigmoid(self.synthesize(z) + self.shuffle(self.correct(z) + self.mean))


def psnr(recon, target, mask):
    """PSNR in dB (peak 1) over the pixels of mask (the scan's own in-plane area, not the padding)."""
    m = torch.from_numpy(mask).expand_as(target)
    mse = ((recon - target)[m] ** 2).mean().item()
    return 10.0 * math.log10(1.0 / mse)


def reconstruct(enc, dec, x, chunk=16):
    with torch.no_grad():
        return torch.cat([dec(enc(x[i:i + chunk])) for i in range(0, len(x), chunk)])


def train_autoencoder(train_hu, held_hu, rng, steps):
    mean, basis = principal_components(pad_crop(window(train_hu)))
    enc, dec = Encoder(mean, basis), Decoder(mean, basis)
    params = list(enc.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps, pct_start=0.1)
    mask = content_mask(train_hu.shape[1:])
    held = torch.from_numpy(pad_crop(window(held_hu)))[:, None]
    t0 = time.time()
    for step in range(1, steps + 1):
        x = augmented_batch(train_hu, rng, BATCH)
        y = dec(enc(x))
        loss = F.mse_loss(y, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step == 1 or step % 100 == 0 or step == steps:
            print(f"  step {step}/{steps} loss {loss.item():.5f} held-out PSNR "
                  f"{psnr(reconstruct(enc, dec, held), held, mask):.2f} dB ({time.time() - t0:.0f} s)")
    return enc.eval(), dec.eval()


# ---------------------------------------------------------------------------------------------
# Fixed-weight lung segmenter: [1, 1, D, 128, 128] NCDHW in [0, 1] -> logits [1, 2, D, 128, 128]


class LungSegmenter(nn.Module):
    """Soft rule "lung = lung density AND inside the body", built only from smooth operations.

    Three logits (x is the windowed value, 0.05 per 100 HU):
      dense = 40 * (0.2 - x)     positive below HU -600 (denser voxels are not aerated lung)
      gas   = 300 * (x - 0.04)   positive above HU -920 (pure gas and air are not lung)
      body  = 20 * (n - 0.7)     n = mean over a 31x31-voxel (93 mm at 3 mm) in-plane neighbourhood
                                 of the "not air" indicator sigmoid(gas); outside air, the padding
                                 and the image border (zero padding) have a mostly-air neighbourhood
    The lung logit is their soft minimum -log(exp(-dense) + exp(-gas) + exp(-body)) (a smooth AND);
    the background logit is 0, so softmax over the two channels gives P(lung) = sigmoid(lung logit).
    The gas slope is steeper than the density slope so that for typical lung (HU -900..-700) the
    density term dominates: the gradient then says "denser lung means less lung", not "darker lung
    means less lung".
    Bowel gas with partial volume above HU -920 inside the body is also found (a known limitation).
    Works slice by slice (depth kernel 1), so any depth D >= 1 is accepted.
    """

    def __init__(self):
        super().__init__()
        self.k_dense, self.dense_at = 40.0, 0.2
        self.k_gas, self.gas_at = 300.0, 0.04
        self.k_body, self.body_at = 20.0, 0.7
        self.half = 15  # neighbourhood 2 * 15 + 1 = 31 voxels

    def forward(self, x):
        dense = self.k_dense * (self.dense_at - x)
        gas = self.k_gas * (x - self.gas_at)
        k = 2 * self.half + 1
        n = F.avg_pool3d(torch.sigmoid(gas), kernel_size=(1, k, k), stride=1,
                         padding=(0, self.half, self.half), count_include_pad=True)
        body = self.k_body * (n - self.body_at)
        lung = -torch.logsumexp(torch.stack([-dense, -gas, -body]), dim=0)
        return torch.cat([torch.zeros_like(lung), lung], dim=1)


def soft_lung_fraction(seg, x):
    return torch.softmax(seg(x), dim=1)[:, 1].mean()


# ---------------------------------------------------------------------------------------------
# Export and checks


def export(module, example, path, checks=(), script=False):
    """Traces (or scripts) an eval-mode module, saves it, loads it back and asserts that the loaded
    file reproduces eager outputs on the example and on every input in checks."""
    module.eval()
    with torch.no_grad():
        saved = torch.jit.script(module) if script else torch.jit.trace(module, example)
        saved.save(path)
        loaded = torch.jit.load(path).eval()
        for inp in (example,) + tuple(checks):
            want, got = module(inp), loaded(inp)
            assert got.shape == want.shape, (path, got.shape, want.shape)
            err = (got - want).abs().max().item()
            assert err <= 1e-5, (path, tuple(inp.shape), err)
    print(f"  {path}: {os.path.getsize(path) / 1e6:.2f} MB, loaded file reproduces eager outputs "
          f"for input shapes {[tuple(i.shape) for i in (example,) + tuple(checks)]}")
    return loaded


def input_spec(layout=None):
    """The demo models' input; the segmenter states its layout and depth multiple."""
    return model_manifest.input_spec(spacing_mm=SPACING_MM, size=[SIZE, SIZE], hu_window=HU_WINDOW, layout=layout,
                                     depth_multiple=1 if layout else None)


def build_autoencoder(data_dir, out, sample_x, steps):
    print("Slice autoencoder")
    rng = np.random.default_rng(SEED)
    train_hu, held_hu = load_slices(data_dir)
    enc, dec = train_autoencoder(train_hu, held_hu, rng, steps)
    d = os.path.join(out, "demo-ae")
    os.makedirs(d, exist_ok=True)
    held = torch.from_numpy(pad_crop(window(held_hu)))[:, None]
    enc_ts = export(enc, held[:3], os.path.join(d, "encoder.pt"), (held[:1], sample_x))
    z = enc(held[:3]).detach()
    dec_ts = export(dec, z, os.path.join(d, "decoder.pt"), (z[:1], enc(sample_x).detach()))
    model_manifest.write(d, model_manifest.manifest(
        "demo-ae", "autoencoder", {"encoder": "encoder.pt", "decoder": "decoder.pt"}, input=input_spec()))

    # The reported figures come from the saved files, as the Java side will run them.
    mask = content_mask(held_hu.shape[1:])
    train_x = torch.from_numpy(pad_crop(window(train_hu)))[:, None]
    full = np.ones((SIZE, SIZE), bool)
    print(f"  latent {tuple(enc_ts(sample_x[:1]).shape)} per slice")
    print(f"  held-out PSNR {psnr(reconstruct(enc_ts, dec_ts, held), held, mask):.2f} dB "
          f"({len(held)} slices, scan area), {psnr(reconstruct(enc_ts, dec_ts, held), held, full):.2f} dB "
          f"(whole 128x128 canvas)")
    print(f"  training PSNR {psnr(reconstruct(enc_ts, dec_ts, train_x), train_x, mask):.2f} dB "
          f"({len(train_x)} slices, scan area)")
    print(f"  sample scan PSNR {psnr(reconstruct(enc_ts, dec_ts, sample_x), sample_x, mask):.2f} dB "
          f"({len(sample_x)} slices, scan area; copies of held-out and training slices)")


def build_segmenter(data_dir, out, sample_x, overlay):
    print("Lung segmenter (fixed weights)")
    seg = LungSegmenter().eval()
    d = os.path.join(out, "demo-lung-segmenter")
    os.makedirs(d, exist_ok=True)
    vol = sample_x[:, 0][None, None]  # [1, 1, D, H, W]
    gen = torch.Generator().manual_seed(SEED)
    seg_ts = export(seg, vol, os.path.join(d, "model.pt"),
                    (vol[:, :, :1].contiguous(), vol[:, :, 3:10].contiguous(),
                     torch.rand(1, 1, 5, SIZE, SIZE, generator=gen)), script=True)
    model_manifest.write(d, model_manifest.manifest(
        "demo-lung-segmenter", "segmenter", {"model": "model.pt"}, input=input_spec("NCDHW"),
        outputs=["background", "lung"], activation="softmax", threshold=0.5, score_class="lung"))

    # Gradient of the score, by autograd through the saved file and by central differences (float64).
    x = vol.clone().requires_grad_(True)
    score = soft_lung_fraction(seg_ts, x)
    (grad,) = torch.autograd.grad(score, x)
    seg64, x64 = seg_ts.double(), vol.double()
    v = torch.randn(vol.shape, generator=gen, dtype=torch.float64)
    h = 1e-6
    with torch.no_grad():
        fd = ((soft_lung_fraction(seg64, x64 + h * v) - soft_lung_fraction(seg64, x64 - h * v)) / (2 * h)).item()
    auto = (grad.double() * v).sum().item()
    assert abs(fd - auto) <= 1e-3 * abs(fd) + 1e-9, (fd, auto)
    with torch.no_grad():
        prob = torch.softmax(seg_ts(vol), dim=1)[0, 1].numpy()
    hard = prob > 0.5
    g = grad[0, 0].numpy()
    print(f"  sample scan: soft lung fraction {score.item():.5f}, hard mask {hard.mean():.5f} of "
          f"{hard.size} voxels ({int(hard.sum())} voxels)")
    print(f"  d score/dx: autograd {auto:.6e} vs central difference {fd:.6e} along a random direction; "
          f"on hard-mask voxels mean {g[hard].mean():.3e}, non-zero on {np.mean(g[hard] != 0):.3f} of them")

    labels_path = os.path.join(data_dir, SAMPLE_LABELS)
    if os.path.exists(labels_path):
        labels = pad_crop(load_ras(labels_path)).astype(np.int64)
        lung = np.isin(labels, LUNG_LABELS)
        bowel = np.isin(labels, BOWEL_LABELS)
        tp = int((hard & lung).sum())
        print(f"  vs TotalSegmentator lung lobes ({int(lung.sum())} voxels): Dice "
              f"{2 * tp / (hard.sum() + lung.sum()):.3f}, lung found {tp / lung.sum():.3f}; mask voxels in "
              f"lung {tp}, stomach/bowel {int((hard & bowel).sum())}, other organs "
              f"{int((hard & (labels > 0) & ~lung & ~bowel).sum())}, unlabelled "
              f"{int((hard & (labels == 0)).sum())}")
    if overlay:
        write_overlay(sample_x[:, 0].numpy(), hard, overlay)


def write_overlay(x, hard, path):
    """Slices 10, 20, 25, 29 with the hard lung mask in red, anterior up."""
    from PIL import Image
    tiles = []
    for k in (10, 20, 25, 29):
        rgb = np.repeat(x[k, ::-1, :, None], 3, axis=2)
        rgb[hard[k, ::-1]] = [1.0, 0.0, 0.0]
        tiles.append((rgb * 255).astype(np.uint8))
    Image.fromarray(np.concatenate(tiles, axis=1)).resize((4 * 2 * SIZE, 2 * SIZE)).save(path)
    print(f"  overlay: {path}")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=os.path.join(root, "..", "shared", "data", "real"),
                   help="directory with the real CT NIfTI files (default ../shared/data/real from the repo root)")
    p.add_argument("--out", default=os.path.join(root, "models"))
    p.add_argument("--steps", type=int, default=STEPS, help="training steps (quick trials only)")
    p.add_argument("--overlay", help="optional PNG of the segmenter's mask on the sample scan")
    args = p.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    t0 = time.time()
    sample_x = torch.from_numpy(pad_crop(window(load_ras(os.path.join(root, SAMPLE)))))[:, None]
    build_segmenter(args.data, args.out, sample_x, args.overlay)
    build_autoencoder(args.data, args.out, sample_x, args.steps)
    print(f"Done in {time.time() - t0:.0f} s with PyTorch {torch.__version__}")


if __name__ == "__main__":
    main()
