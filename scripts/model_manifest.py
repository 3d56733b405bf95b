"""The model.json of a model directory, written as ctshift's one writer (ModelManifest.toJson) writes it.

The scripts that make TorchScript models (make_test_models.py, make_demo_models.py,
make_benchmark_models.py, make_bad_models.py) describe their models through this module, so that the
manifests they write have the same keys, key order and number forms as the ones ctshift writes:
ModelManifestScriptTest runs this file and compares its text with Java's, byte for byte.

Entries left as None are not written (ctshift then uses its defaults). Usage:

    write(directory, manifest("tiny-classifier", "classifier", {"model": "model.pt"},
                              input=input_spec(size=[16, 16], layout="NCDHW", depth_multiple=1),
                              outputs=["finding"], activation="sigmoid", threshold=0.5))
"""
import json
import os
import sys


def input_spec(orientation="RAS", spacing_mm=None, size=None, hu_window=(-1000.0, 1000.0), range_=(0, 1),
               layout=None, depth_multiple=None, min_depth=None):
    """An input section in ctshift's entry order; spacing and the HU window as floats, size as integers."""
    spec = {"orientation": orientation}
    if spacing_mm is not None:
        spec["spacing_mm"] = [float(v) for v in spacing_mm]
    if size is not None:
        spec["size"] = [int(v) for v in size]
    spec["hu_window"] = [float(v) for v in hu_window]
    # A range of whole numbers is written as integers, as ctshift writes the usual [0, 1].
    whole = all(float(v).is_integer() for v in range_)
    spec["range"] = [int(v) if whole else float(v) for v in range_]
    if layout is not None:
        spec["layout"] = layout
    if depth_multiple is not None:
        spec["depth_multiple"] = int(depth_multiple)
    if min_depth is not None:
        spec["min_depth"] = int(min_depth)
    return spec


def manifest(name, kind, files, input=None, outputs=None, activation=None, threshold=None, score_class=None,
             fmt="torchscript", heldout_psnr_db=None):
    """A manifest dict in ctshift's key order."""
    m = {"name": name, "kind": kind, "format": fmt, "files": dict(files)}
    if input is not None:
        m["input"] = input
    if outputs:
        m["outputs"] = list(outputs)
    if activation is not None:
        m["activation"] = activation
    if threshold is not None:
        m["threshold"] = float(threshold)
    if score_class is not None:
        m["score"] = {"class": score_class}
    if heldout_psnr_db is not None:
        m["heldout_psnr_db"] = float(heldout_psnr_db)
    return m


def to_json(m):
    """The model.json text: two-space indent, one list element per line, a final newline."""
    return json.dumps(m, indent=2, ensure_ascii=False) + "\n"


def write(directory, m):
    with open(os.path.join(directory, "model.json"), "w", encoding="utf-8") as f:
        f.write(to_json(m))


# The manifests ModelManifestScriptTest compares with the Java writer's text.
EXAMPLES = [
    manifest("demo-lung-segmenter", "segmenter", {"model": "model.pt"},
             input=input_spec(spacing_mm=[3.0, 3.0, 3.0], size=[128, 128], layout="NCDHW", depth_multiple=1),
             outputs=["background", "lung"], activation="softmax", threshold=0.5, score_class="lung"),
    manifest("benchmark-slice-ae", "autoencoder", {"encoder": "encoder.pt", "decoder": "decoder.pt"},
             input=input_spec(spacing_mm=[1.5, 1.5, 2.5], size=[224, 224])),
    manifest("tiny-classifier-nchwd", "classifier", {"model": "model.pt"},
             input=input_spec(size=[16, 16], hu_window=[-200, 300], range_=[-1, 0.5], layout="NCHWD",
                              min_depth=16),
             outputs=["finding_a", "finding_b"], activation="none", threshold=2),
    manifest("bare", "classifier", {"model": "model.pt"}),
]

if __name__ == "__main__":
    # One manifest's text per example, separated by a line holding only "---".
    sys.stdout.write("---\n".join(to_json(m) for m in EXAMPLES))
