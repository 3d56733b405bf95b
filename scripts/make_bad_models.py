#!/usr/bin/python3
"""Writes TorchScript classifiers that break their manifest's promises, for the input-sanity tests.

Usage (PyTorch 1.13, Debian's interpreter), from the repository root:
    /usr/bin/python3 scripts/make_bad_models.py      # writes src/test/resources/models/bad/

Each directory holds model.pt and a model.json that declares a classifier with one output `finding`
on 16x16 slices (HU window -1000..1000 -> 0..1), like the tiny test models:

    per-slice-classifier  returns [1, 1, D] (a value per slice), not [1, K]
    scalar-classifier     returns a scalar, not [1, K]
    nan-classifier        returns [1, 1] holding NaN, whatever the input
"""
import os

import torch
from torch import nn

import model_manifest

OUT = os.path.join("src", "test", "resources", "models", "bad")


class PerSlice(nn.Module):
    def forward(self, x):
        return x.mean(dim=[3, 4])


class Scalar(nn.Module):
    def forward(self, x):
        return x.mean()


class NotANumber(nn.Module):
    def forward(self, x):
        return x.mean(dim=[1, 2, 3, 4]).unsqueeze(1) * float("nan")


def main():
    example = torch.zeros(1, 1, 6, 16, 16)
    for name, module in (("per-slice-classifier", PerSlice()), ("scalar-classifier", Scalar()),
                         ("nan-classifier", NotANumber())):
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        torch.jit.trace(module.eval(), example).save(os.path.join(d, "model.pt"))
        model_manifest.write(d, model_manifest.manifest(
            name, "classifier", {"model": "model.pt"},
            input=model_manifest.input_spec(size=[16, 16], layout="NCDHW"),
            outputs=["finding"], activation="sigmoid", threshold=0.5))


if __name__ == "__main__":
    main()
