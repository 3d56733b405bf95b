#!/usr/bin/python3
"""Writes the small DICOM test series under src/test/resources/dicom/ (run from the repository root).

Every series is synthetic: 32x32 (or smaller) pixels, a few slices, values from a formula so that
tests can recompute every voxel independently:

    HU(i, j, k) = ((7 * i + 13 * j + 101 * k) % 1500) * scale + offset

with i the column, j the row and k the slice index after sorting along the slice normal
(ascending). For each case <name>/ a file <name>.json beside it holds the expected grid size, the
voxel-to-RAS+ affine (computed here with numpy from the DICOM geometry) and scale/offset.

Needs Debian's python3 with python3-pydicom and python3-numpy. Output is deterministic (fixed seed,
fixed UIDs) so re-running it gives the same bytes apart from pydicom version differences.
"""
import json
import os
import random
import shutil
import struct
import sys

import numpy as np
import pydicom
import pydicom.encaps
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (
    ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian,
    DeflatedExplicitVRLittleEndian, RLELossless, JPEGLosslessSV1)

OUT = os.path.join("src", "test", "resources", "dicom")
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT = "1.2.840.10008.5.1.4.1.1.2.1"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
ROOT = "1.2.826.0.1.3680043.10.1234."  # fixed test prefix; fixtures are never sent anywhere
rng = random.Random(4)
_uid_counter = [0]


def uid():
  _uid_counter[0] += 1
  return ROOT + str(_uid_counter[0])


def hu_values(cols, rows, k, scale, offset):
  i = np.arange(cols)[None, :]
  j = np.arange(rows)[:, None]
  return ((7 * i + 13 * j + 101 * k) % 1500) * scale + offset


def expected_affine(row_dir, col_dir, spacing, first, step):
  """RAS+ affine of the voxel grid: i along the row direction, j down the columns, k along step."""
  lps = np.eye(4)
  lps[:3, 0] = np.asarray(row_dir, float) * spacing[1]
  lps[:3, 1] = np.asarray(col_dir, float) * spacing[0]
  lps[:3, 2] = np.asarray(step, float)
  lps[:3, 3] = np.asarray(first, float)
  return (np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps).tolist()


class Series:
  """Geometry and encoding of one synthetic series; positions are sorted ascending along the normal."""

  def __init__(self, name, n=5, rows=32, cols=32, row_dir=(1, 0, 0), col_dir=(0, 1, 0),
               spacing=(0.8, 0.7), first=(-12.5, -20.0, 30.0), step=None, slope=1.0,
               intercept=0.0, signed=True, scale=1, offset=-1000, modality="CT",
               description="synthetic CT"):
    self.name, self.n, self.rows, self.cols = name, n, rows, cols
    self.row_dir, self.col_dir, self.spacing = row_dir, col_dir, spacing
    normal = np.cross(row_dir, col_dir)
    self.step = np.asarray(step if step is not None else normal * 2.5, float)
    self.first = np.asarray(first, float)
    self.slope, self.intercept, self.signed = slope, intercept, signed
    self.scale, self.offset, self.modality = scale, offset, modality
    self.description = description
    self.study, self.series, self.frame_of_ref = STUDY, uid(), FRAME_OF_REF

  def position(self, k):
    return self.first + k * self.step

  def stored(self, k):
    hu = hu_values(self.cols, self.rows, k, self.scale, self.offset)
    raw = (hu - self.intercept) / self.slope
    assert np.all(raw == np.round(raw)), "formula must give integer stored values"
    return raw.astype(np.int16 if self.signed else np.uint16)

  def expected(self, n=None, first_k=0):
    return {
        "dims": [self.cols, self.rows, n or self.n],
        "affine": expected_affine(self.row_dir, self.col_dir, self.spacing,
                                  self.position(first_k), self.step),
        "scale": self.scale, "offset": self.offset, "firstK": first_k,
    }


STUDY = "1.2.826.0.1.3680043.10.1234.1000"
FRAME_OF_REF = "1.2.826.0.1.3680043.10.1234.1001"


def base_dataset(s, sop_class, sop_uid):
  ds = Dataset()
  ds.SpecificCharacterSet = "ISO_IR 100"
  ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
  ds.SOPClassUID = sop_class
  ds.SOPInstanceUID = sop_uid
  ds.StudyDate, ds.StudyTime = "20240102", "101500"
  ds.AccessionNumber = "ACC42"
  ds.Modality = s.modality
  ds.Manufacturer = "ctshift fixtures"
  ds.ReferringPhysicianName = ""
  ds.SeriesDescription = s.description
  ds.PatientName = "Test^Phantom"
  ds.PatientID = "PHANTOM-1"
  ds.PatientBirthDate = "19700101"
  ds.PatientSex = "O"
  ds.StudyInstanceUID = s.study
  ds.SeriesInstanceUID = s.series
  ds.StudyID = "7"
  ds.SeriesNumber = 3
  ds.FrameOfReferenceUID = s.frame_of_ref
  ds.PositionReferenceIndicator = ""
  ds.SamplesPerPixel = 1
  ds.PhotometricInterpretation = "MONOCHROME2"
  ds.Rows, ds.Columns = s.rows, s.cols
  ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
  ds.PixelRepresentation = 1 if s.signed else 0
  return ds


def file_meta(sop_class, sop_uid, syntax):
  meta = FileMetaDataset()
  meta.MediaStorageSOPClassUID = sop_class
  meta.MediaStorageSOPInstanceUID = sop_uid
  meta.TransferSyntaxUID = syntax
  meta.ImplementationClassUID = ROOT + "0"
  return meta


def slice_dataset(s, k, syntax, instance_number):
  sop = uid()
  ds = base_dataset(s, CT_IMAGE if s.modality == "CT" else MR_IMAGE, sop)
  ds.file_meta = file_meta(ds.SOPClassUID, sop, syntax)
  ds.InstanceNumber = instance_number
  ds.ImagePositionPatient = [float(v) for v in s.position(k)]
  ds.ImageOrientationPatient = [float(v) for v in list(s.row_dir) + list(s.col_dir)]
  ds.PixelSpacing = list(s.spacing)
  ds.SliceThickness = float(np.linalg.norm(s.step))
  ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = s.intercept, s.slope, "HU"
  ds.is_little_endian = syntax != ExplicitVRBigEndian
  ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
  pixels = s.stored(k)
  if syntax == ExplicitVRBigEndian:
    ds.PixelData = pixels.astype(pixels.dtype.newbyteorder(">")).tobytes()
  elif syntax == RLELossless:
    ds.PixelData = pixels.tobytes()
    ds.compress(RLELossless, pixels)
  elif syntax == JPEGLosslessSV1:
    ds.PixelData = pydicom.encaps.encapsulate([jpeg_lossless(pixels)])
  else:
    ds.PixelData = pixels.tobytes()
  if syntax in (ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian):
    ds["PixelData"].VR = "OW"
  return ds


def write_series(folder, s, syntax=ExplicitVRLittleEndian, ks=None, names=None):
  ks = list(range(s.n)) if ks is None else ks
  order = ks[:]
  rng.shuffle(order)  # file names and instance numbers carry no order
  numbers = rng.sample(range(1, 100), len(order))
  os.makedirs(folder, exist_ok=True)
  paths = []
  for idx, k in enumerate(order):
    ds = slice_dataset(s, k, syntax, numbers[idx])
    name = names(idx) if names else "%08x" % rng.getrandbits(32)
    path = os.path.join(folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ds.save_as(path, write_like_original=False)
    paths.append((path, k))
  return paths


def jpeg_lossless(pixels):
  """A minimal JPEG lossless (process 14, predictor 1, point transform 0) encoding of a 2D uint/int16 image."""
  img = pixels.astype(np.int64) & 0xFFFF
  rows, cols = img.shape
  # One Huffman table: categories 0..16 all get 5-bit codes (17 of 32 codes, never all ones).
  lengths = [0] * 16
  lengths[4] = 17
  codes = {ssss: ssss for ssss in range(17)}
  out = bytearray(b"\xff\xd8")
  out += b"\xff\xc3" + struct.pack(">HBHHB", 11, 16, rows, cols, 1) + bytes([1, 0x11, 0])
  dht = bytes([0x00]) + bytes(lengths) + bytes(range(17))
  out += b"\xff\xc4" + struct.pack(">H", 2 + len(dht)) + dht
  out += b"\xff\xda" + struct.pack(">HB", 8, 1) + bytes([1, 0x00]) + bytes([1, 0, 0])
  bits = []
  for y in range(rows):
    for x in range(cols):
      if x == 0 and y == 0:
        pred = 1 << 15
      elif y == 0:
        pred = img[y, x - 1]
      elif x == 0:
        pred = img[y - 1, x]
      else:
        pred = img[y, x - 1]
      diff = int(img[y, x] - pred) & 0xFFFF
      if diff >= 0x8000:
        diff -= 0x10000
      ssss = 0 if diff == 0 else abs(diff).bit_length()
      bits += [(codes[ssss] >> b) & 1 for b in range(4, -1, -1)]
      if 0 < ssss < 16:
        extra = diff if diff > 0 else diff - 1
        bits += [(extra >> b) & 1 for b in range(ssss - 1, -1, -1)]
  bits += [1] * (-len(bits) % 8)
  for b in range(0, len(bits), 8):
    byte = int("".join(map(str, bits[b:b + 8])), 2)
    out.append(byte)
    if byte == 0xFF:
      out.append(0)
  out += b"\xff\xd9"
  if len(out) % 2:
    out.append(0)
  return bytes(out)


def write_enhanced(folder, s):
  """One Enhanced CT file with all frames, frames stored in shuffled slice order."""
  order = list(range(s.n))
  rng.shuffle(order)
  sop = uid()
  ds = base_dataset(s, ENHANCED_CT, sop)
  ds.file_meta = file_meta(ENHANCED_CT, sop, ExplicitVRLittleEndian)
  ds.ImageType = ["ORIGINAL", "PRIMARY", "VOLUME", "NONE"]
  ds.InstanceNumber = 1
  ds.NumberOfFrames = s.n
  ds.ContentDate, ds.ContentTime, ds.AcquisitionDateTime = "20240102", "101500", "20240102101500"
  shared = Dataset()
  measures = Dataset()
  measures.PixelSpacing = list(s.spacing)
  measures.SliceThickness = float(np.linalg.norm(s.step))
  shared.PixelMeasuresSequence = Sequence([measures])
  orientation = Dataset()
  orientation.ImageOrientationPatient = [float(v) for v in list(s.row_dir) + list(s.col_dir)]
  shared.PlaneOrientationSequence = Sequence([orientation])
  transform = Dataset()
  transform.RescaleIntercept, transform.RescaleSlope, transform.RescaleType = (
      s.intercept, s.slope, "HU")
  shared.PixelValueTransformationSequence = Sequence([transform])
  ds.SharedFunctionalGroupsSequence = Sequence([shared])
  frames = []
  for k in order:
    item = Dataset()
    position = Dataset()
    position.ImagePositionPatient = [float(v) for v in s.position(k)]
    item.PlanePositionSequence = Sequence([position])
    frames.append(item)
  ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
  ds.PixelData = b"".join(s.stored(k).tobytes() for k in order)
  ds["PixelData"].VR = "OW"
  ds.is_little_endian, ds.is_implicit_VR = True, False
  os.makedirs(folder, exist_ok=True)
  ds.save_as(os.path.join(folder, "enhanced.dcm"), write_like_original=False)


def save_expected(name, expected):
  with open(os.path.join(OUT, name + ".json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")


def main():
  if not os.path.isdir("src/test"):
    sys.exit("run from the repository root")
  shutil.rmtree(OUT, ignore_errors=True)
  os.makedirs(OUT)

  # Shuffled names in nested folders, plus files that are not DICOM or are cut short.
  s = Series("shuffled", description="shuffled names")
  write_series(os.path.join(OUT, "shuffled"), s,
               names=lambda idx: ("sub/" if idx % 2 else "") + "IMG%04d" % rng.randrange(10000))
  with open(os.path.join(OUT, "shuffled", "notes.txt"), "w") as f:
    f.write("not a DICOM file\n")
  src = sorted(os.listdir(os.path.join(OUT, "shuffled")))[0]
  with open(os.path.join(OUT, "shuffled", src), "rb") as f:
    head = f.read(200)
  with open(os.path.join(OUT, "shuffled", "truncated.dcm"), "wb") as f:
    f.write(head)
  save_expected("shuffled", s.expected())

  # Two CT series (5 and 3 slices) and an MR series in one folder.
  big = Series("two-series", description="big series")
  small = Series("two-series-small", n=3, description="small series", first=(0, 0, 0))
  mr = Series("two-series-mr", n=2, modality="MR", description="an MR")
  for series in (big, small, mr):
    write_series(os.path.join(OUT, "two-series"), series)
  save_expected("two-series", big.expected())
  exp_small = small.expected()
  exp_small["seriesUid"] = small.series
  save_expected("two-series-small", exp_small)

  write_series(os.path.join(OUT, "no-ct"), Series("no-ct", n=3, modality="MR"))

  s = Series("missing-slice", n=6)
  write_series(os.path.join(OUT, "missing-slice"), s, ks=[0, 1, 2, 4, 5])

  s = Series("uneven", n=5)
  paths = write_series(os.path.join(OUT, "uneven"), s)
  for p, _ in paths:  # move the top slice 0.8 mm further up: spacing 2.5, 2.5, 2.5, 3.3
    ds = pydicom.dcmread(p)
    if abs(ds.ImagePositionPatient[2] - s.position(4)[2]) < 1e-6:
      ds.ImagePositionPatient = [float(v) for v in s.position(4) + [0, 0, 0.8]]
      ds.save_as(p)

  s = Series("duplicate", n=4)
  paths = write_series(os.path.join(OUT, "duplicate"), s)
  ds = pydicom.dcmread(paths[0][0])
  ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = uid()
  ds.save_as(os.path.join(OUT, "duplicate", "zz-duplicate"))
  save_expected("duplicate", s.expected())

  s = Series("mixed-size", n=4)
  paths = write_series(os.path.join(OUT, "mixed-size"), s)
  small_img = Series("mixed-size", n=4, rows=30)
  small_img.series = s.series
  ds = slice_dataset(small_img, paths[0][1], ExplicitVRLittleEndian, 50)
  ds.save_as(paths[0][0], write_like_original=False)

  # Gantry tilt: positions step along y as well as z (stack sheared against the image normal).
  s = Series("tilted", n=4, step=(0.0, 0.9, 2.5), description="tilted gantry")
  write_series(os.path.join(OUT, "tilted"), s)
  save_expected("tilted", s.expected())

  # Oblique orientation, unsigned pixels with slope 2 / intercept -1024, big endian.
  c30, s30 = np.cos(np.pi / 6), np.sin(np.pi / 6)
  s = Series("big-endian", n=4, rows=24, cols=28, row_dir=(c30, s30, 0), col_dir=(0, 0, -1),
             spacing=(1.5, 0.9), first=(10, -5, 80), slope=2.0, intercept=-1024.0,
             signed=False, scale=2, offset=-1024)
  write_series(os.path.join(OUT, "big-endian"), s, syntax=ExplicitVRBigEndian)
  save_expected("big-endian", s.expected())

  for name, syntax in (("implicit", ImplicitVRLittleEndian),
                       ("deflate", DeflatedExplicitVRLittleEndian),
                       ("rle", RLELossless), ("jpeg-lossless", JPEGLosslessSV1)):
    s = Series(name, n=3, intercept=-1024.0, signed=name != "rle", offset=-1000)
    write_series(os.path.join(OUT, name), s, syntax=syntax)
    save_expected(name, s.expected())

  # Enhanced (multi-frame) CT, coronal: rows run from head to feet.
  s = Series("enhanced", n=5, row_dir=(1, 0, 0), col_dir=(0, 0, -1), first=(-10, 5, 40),
             intercept=-1024.0)
  write_enhanced(os.path.join(OUT, "enhanced"), s)
  save_expected("enhanced", s.expected())


if __name__ == "__main__":
  main()
