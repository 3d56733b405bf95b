#!/usr/bin/python3
"""Writes the small NIfTI fixtures of the ctshift NIfTI tests with nibabel, an implementation
independent of ctshift's Java reader, plus expected.json with what nibabel reads back from each file:
dims, datatype, byte order, transform codes, the affine and all voxel values (scaling applied, i fastest).

Needs nibabel and numpy (Debian: apt-get install python3-nibabel). Run from the repository root:
    /usr/bin/python3 scripts/make_nifti_fixtures.py
The output is committed in src/test/resources/nifti/; the tests do not need Python.
"""
import json
import os

import nibabel as nib
import numpy as np

OUT = os.path.join("src", "test", "resources", "nifti")
rng = np.random.default_rng(20240611)


def rotation(axis, degrees):
    """3x3 rotation about axis 0, 1 or 2."""
    t = np.deg2rad(degrees)
    c, s = np.cos(t), np.sin(t)
    i, j = [a for a in range(3) if a != axis]
    r = np.eye(3)
    r[i, i], r[i, j], r[j, i], r[j, j] = c, -s, s, c
    return r


def affine(linear, origin):
    a = np.eye(4)
    a[:3, :3] = linear
    a[:3, 3] = origin
    return a


# Oblique grid: rotations about two axes, spacing 0.8 x 0.9 x 2.5 mm, a flipped (left-handed) k axis.
OBLIQUE_LH = affine(rotation(2, 30) @ rotation(0, -20) @ np.diag([0.8, 0.9, -2.5]), [-40.5, 12.25, 7.0])
OBLIQUE_RH = affine(rotation(1, 15) @ np.diag([1.5, 1.25, 3.0]), [100.0, -50.0, -300.0])
SHEARED = affine(np.array([[0.7, 0.2, 0.0], [0.0, 0.7, 0.3], [0.1, 0.0, 2.0]]), [1.0, 2.0, 3.0])


def randint(dtype, lo, hi, shape):
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)


def case_sform_big_endian(path):
    """Big-endian int16; sform (code 2) and a different qform (code 1): the sform must win.
    Carries an extension, so the data starts after byte 352."""
    data = randint(np.int16, -1024, 3000, (5, 4, 3))
    img = nib.Nifti1Image(data, None, header=nib.Nifti1Header(endianness=">"))
    img.set_data_dtype(np.int16)
    img.set_sform(OBLIQUE_RH, code=2)
    img.set_qform(affine(np.diag([2.0, 2.0, 2.0]), [0, 0, 0]), code=1)
    img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"ctshift test extension"))
    img.header["descrip"] = b"big-endian sform fixture"
    nib.save(img, path)


def case_qform_left_handed(path):
    """qform only (sform code 0), rotation plus qfac = -1; float32."""
    data = rng.normal(0, 100, (4, 5, 3)).astype(np.float32)
    img = nib.Nifti1Image(data, None)
    img.set_qform(OBLIQUE_LH, code=1)
    img.set_sform(None, code=0)
    nib.save(img, path)


def case_sform_sheared(path):
    """sform only with shear (no quaternion can express it); uint16."""
    data = randint(np.uint16, 0, 65535, (3, 4, 5))
    img = nib.Nifti1Image(data, None)
    img.set_sform(SHEARED, code=1)
    img.set_qform(None, code=0)
    nib.save(img, path)


def case_scaled(path):
    """int16 with scl_slope 0.5 and scl_inter -1024."""
    data = randint(np.int16, -2000, 6000, (4, 3, 5))
    img = nib.Nifti1Image(data, OBLIQUE_RH)
    img.header.set_slope_inter(0.5, -1024.0)
    nib.save(img, path)


def case_nifti2_float64(path):
    """NIfTI-2, little-endian float64 with sform."""
    data = rng.normal(0, 1e3, (3, 5, 4))
    img = nib.Nifti2Image(data, OBLIQUE_LH)
    nib.save(img, path)


def case_nifti2_big_endian_qform(path):
    """NIfTI-2, big-endian int32, qform only."""
    data = randint(np.int32, -100000, 100000, (4, 4, 3))
    img = nib.Nifti2Image(data, None, header=nib.Nifti2Header(endianness=">"))
    img.set_data_dtype(np.int32)
    img.set_qform(OBLIQUE_RH, code=1)
    img.set_sform(None, code=0)
    nib.save(img, path)


def case_4d(path):
    """4D int8, 3 frames."""
    data = randint(np.int8, -128, 127, (5, 4, 3, 3))
    img = nib.Nifti1Image(data, OBLIQUE_LH)
    nib.save(img, path)


def case_uint32(path):
    """uint32 including values above 2^31 (exact only up to float32 precision)."""
    data = randint(np.uint32, 0, 4294967295, (3, 3, 3))
    data[0, 0, 0], data[1, 0, 0] = 0, 4294967295
    img = nib.Nifti1Image(data, OBLIQUE_RH)
    nib.save(img, path)


def case_uint8(path):
    data = randint(np.uint8, 0, 255, (6, 2, 3))
    nib.save(nib.Nifti1Image(data, OBLIQUE_LH), path)


def case_pixdim_only(path):
    """Neither sform nor qform: the reader falls back to diag(pixdim), NIfTI "method 1"."""
    data = rng.normal(0, 10, (3, 4, 2)).astype(np.float32)
    # Written by hand with nibabel's header, since saving an image always sets one of the transforms.
    hdr = nib.Nifti1Header()
    hdr.set_data_shape(data.shape)
    hdr.set_data_dtype(np.float32)
    hdr.set_zooms((0.8, 0.9, 2.5))
    hdr["vox_offset"] = 352
    with open(path, "wb") as f:
        hdr.write_to(f)
        f.seek(352)
        f.write(data.tobytes(order="F"))


CASES = {
    "be_int16_sform.nii": case_sform_big_endian,
    "qform_left_handed.nii.gz": case_qform_left_handed,
    "sform_sheared_uint16.nii": case_sform_sheared,
    "scaled_int16.nii.gz": case_scaled,
    "nifti2_float64.nii": case_nifti2_float64,
    "nifti2_be_int32_qform.nii.gz": case_nifti2_big_endian_qform,
    "int8_4d.nii.gz": case_4d,
    "uint32.nii": case_uint32,
    "uint8.nii.gz": case_uint8,
    "pixdim_only.nii": case_pixdim_only,
}


def describe(name):
    img = nib.load(os.path.join(OUT, name))
    hdr = img.header
    shape = list(img.shape) + [1] * (4 - len(img.shape))
    if int(hdr["sform_code"]) > 0 or int(hdr["qform_code"]) > 0:
        aff = img.affine
    else:
        # nibabel's fallback centres the grid; NIfTI "method 1" (what ctshift documents) is diag(pixdim).
        aff = np.diag(list(hdr.get_zooms()[:3]) + [1.0])
    slope, inter = img.dataobj.slope, img.dataobj.inter
    return {
        "file": name,
        "version": 2 if isinstance(img, nib.Nifti2Image) else 1,
        "bigEndian": hdr.endianness == ">",
        "datatypeCode": int(hdr["datatype"]),
        "dims": [int(s) for s in shape],
        "qformCode": int(hdr["qform_code"]),
        "sformCode": int(hdr["sform_code"]),
        "sclSlope": float(slope),
        "sclInter": float(inter),
        "description": hdr["descrip"].item().decode("ascii"),
        "orientation": "".join(nib.aff2axcodes(aff)),
        "affine": np.asarray(aff, dtype=float).tolist(),
        # i fastest, then j, k, t: the Java layout.
        "values": np.asarray(img.get_fdata()).ravel(order="F").tolist(),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = []
    for name, make in CASES.items():
        make(os.path.join(OUT, name))
        expected.append(describe(name))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
