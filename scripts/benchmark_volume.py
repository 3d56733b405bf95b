#!/usr/bin/python3
"""The input volume of the side-by-side benchmark: a deterministic body-like phantom of 134 axial
slices of 224 x 224 on the benchmark models' grid (RAS, 1.5 x 1.5 x 2.5 mm).

Usage: /usr/bin/python3 scripts/benchmark_volume.py OUTDIR
writes OUTDIR/volume.nii (float32 HU, for ./ctshift explain) and OUTDIR/volume.f32 (the same volume
in the models' range [0, 1], raw little-endian float32 in [D][H][W] order, for the engine benchmarks).
"""

import os
import struct
import sys

import numpy as np

DEPTH = 134
SPACING = (1.5, 1.5, 2.5)


def model_range(d, h, w, seed=1):
    """[D, H, W] float32 in [0, 1]: air, an elliptic body of soft tissue, two lungs, a spine, noise."""
    rng = np.random.default_rng(seed)
    k = np.arange(d)[:, None, None]
    y = ((np.arange(h) - h / 2) / (0.38 * h))[None, :, None]
    x = ((np.arange(w) - w / 2) / (0.45 * w))[None, None, :]
    taper = 1 + 0.15 * np.cos(np.pi * k / d)  # the body narrows toward both ends
    body = (x * taper) ** 2 + y ** 2 < 1
    lungs = ((np.abs(x) - 0.45) ** 2 / 0.09 + (y + 0.1) ** 2 / 0.3 < 1) & body
    spine = (np.hypot(x, y - 0.6) < 0.12) & body
    v = np.where(body, 0.52, 0.0)
    v = np.where(lungs, 0.15, v)
    v = np.where(spine, 0.8, v)
    v = v + 0.01 * rng.standard_normal((d, h, w))
    return np.clip(v, 0, 1).astype(np.float32)


def write_nifti(path, hu):
    """NIfTI-1 single file, float32, axes i = W, j = H, k = D, RAS affine diag(spacing)."""
    d, h, w = hu.shape
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, 3, w, h, d, 1, 1, 1, 1)
    struct.pack_into("<hh", header, 70, 16, 32)  # datatype FLOAT32, bitpix
    struct.pack_into("<8f", header, 76, 1.0, *SPACING, 1, 1, 1, 1)
    struct.pack_into("<f", header, 108, 352.0)  # vox_offset
    struct.pack_into("<f", header, 112, 1.0)  # scl_slope
    header[123] = 2 | 8  # xyzt_units: mm, s
    struct.pack_into("<hh", header, 252, 0, 1)  # qform_code 0, sform_code 1 (scanner)
    struct.pack_into("<4f", header, 280, SPACING[0], 0, 0, 0)
    struct.pack_into("<4f", header, 296, 0, SPACING[1], 0, 0)
    struct.pack_into("<4f", header, 312, 0, 0, SPACING[2], 0)
    header[344:348] = b"n+1\0"
    with open(path, "wb") as f:
        f.write(header)
        f.write(b"\0\0\0\0")
        f.write(hu.astype("<f4").tobytes())


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    v = model_range(DEPTH, 224, 224)
    v.astype("<f4").tofile(os.path.join(out, "volume.f32"))
    write_nifti(os.path.join(out, "volume.nii"), v * 2000.0 - 1000.0)
    print(f"wrote {out}/volume.nii and {out}/volume.f32 ({DEPTH} x 224 x 224)")


if __name__ == "__main__":
    main()
