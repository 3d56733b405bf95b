#!/usr/bin/python3
"""Seeds the fuzz tests' input folders from the committed test fixtures (run from the repository root).

Jazzer replays every file of src/test/resources/<package>/<Class>Inputs/<method>/ in `mvn test` and
starts fuzzing from them in scripts/fuzz. Seeds are named seed-*; inputs that found a bug are added
beside them by hand as regression-* (never overwritten here).

Needs Debian's python3 with python3-pydicom (for the DICOM file without preamble).
"""
import glob
import gzip
import io
import os
import shutil

import pydicom

FIX = "src/test/resources"
OUT = "src/test/resources/dev/ctshift"
SEP = b"\n--next-file--\n"  # FuzzFiles.FILE_SEPARATOR


def target(cls, method):
    d = os.path.join(OUT, cls + "Inputs", method)
    os.makedirs(d, exist_ok=True)
    for old in glob.glob(os.path.join(d, "seed-*")):
        os.remove(old)
    return d


def put(d, name, data):
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def without_preamble(path):
    """The data set alone, as old ACR-NEMA-style files store it: no preamble, no "DICM", no meta group."""
    ds = pydicom.dcmread(path)
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.preamble = None
    ds.is_little_endian, ds.is_implicit_VR = True, True
    buf = io.BytesIO()
    pydicom.filewriter.write_dataset(pydicom.filebase.DicomFileLike(buf), ds)
    return buf.getvalue()


def main():
    niftis = sorted(glob.glob(FIX + "/nifti/*.nii*"))
    d = target("io/nifti/NiftiReaderFuzzTest", "plainFile")
    for p in niftis:
        put(d, os.path.basename(p), read(p))
    d = target("io/nifti/NiftiReaderFuzzTest", "gzipFile")
    for p in niftis:
        data = read(p)
        put(d, os.path.basename(p).replace(".gz", ""), gzip.decompress(data) if p.endswith(".gz") else data)

    # One image of each DICOM fixture (transfer syntaxes, enhanced multi-frame, cut short, not DICOM).
    series = sorted(p for p in glob.glob(FIX + "/dicom/*") if os.path.isdir(p))
    firsts = {os.path.basename(s): sorted(f for f in glob.glob(s + "/**", recursive=True)
                                           if os.path.isfile(f))[0] for s in series}
    d = target("io/dicom/DicomReaderFuzzTest", "file")
    for name, p in firsts.items():
        put(d, name, read(p))
    put(d, "truncated", read(FIX + "/dicom/shuffled/truncated.dcm"))
    put(d, "no-preamble", without_preamble(firsts["implicit"]))
    # Folders: a few images of one series, so the fuzzer meets sorting, spacing and duplicate checks.
    d = target("io/dicom/DicomReaderFuzzTest", "folder")
    for s in series:
        files = sorted(f for f in glob.glob(s + "/*") if os.path.isfile(f))[:3]
        if len(files) > 1:
            put(d, os.path.basename(s), SEP.join(read(f) for f in files))

    d = target("model/ModelManifestFuzzTest", "manifest")
    for p in sorted(glob.glob(FIX + "/models/*/model.json")):
        put(d, os.path.basename(os.path.dirname(p)), read(p))

    d = target("batch/ManifestReaderFuzzTest", "csv")
    put(d, "plain", b"path,target,series_uid\nscans/a.nii.gz,effusion,\nscans/b,,1.2.3\n")
    put(d, "quoted", b'\xef\xbb\xbf# cohort\nseries_uid,PATH\n"1.2,3","a ""quoted"" path"\n\n')
    d = target("batch/ManifestReaderFuzzTest", "jsonl")
    put(d, "plain", b'{"path": "scans/a.nii.gz", "target": "effusion"}\n# note\n{"path": "b", "series_uid": "1.2.3"}\n')
    put(d, "null", b'{"path": "a", "target": null}\n')


if __name__ == "__main__":
    main()
