#!/usr/bin/python3
"""The PyTorch side of scripts/benchmark-vs-pytorch: times the three units of work of one
explanation on the same TorchScript files and the same input as `ctshift benchmark-engine`.

Usage: /usr/bin/python3 scripts/benchmark_pytorch.py AE_DIR MODEL_DIR VOLUME.f32 DEPTH SIZE
           [--threads N] [--batch N] [--chunk N] [--repeats N] [--target I]

(a) encode all slices, `batch` at a time, without gradient;
(b) one volume evaluation: decode every latent slice without gradient (`batch` at a time), then one
    forward of the 3D model and its target logit;
(c) the full latent gradient: model forward + backward to the volume, then the decoder's
    vector-Jacobian products `chunk` slices at a time.
Each unit runs once as warm-up (the TorchScript profiling executor optimises over the first calls),
then `repeats` times; the minimum and median seconds are printed, one line per unit, with the least
CPU time of the process (all threads) during one repeat: on a machine shared with other jobs, CPU
time is the steadier figure.
"""

import argparse
import statistics
import time

import numpy as np
import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ae")
    p.add_argument("model")
    p.add_argument("volume")
    p.add_argument("depth", type=int)
    p.add_argument("size", type=int)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--chunk", type=int, default=16)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--target", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    enc = torch.jit.load(f"{a.ae}/encoder.pt").eval()
    dec = torch.jit.load(f"{a.ae}/decoder.pt").eval()
    model = torch.jit.load(f"{a.model}/model.pt").eval()
    for m in (enc, dec, model):
        for q in m.parameters():
            q.requires_grad_(False)
    d, s = a.depth, a.size
    x = torch.from_numpy(np.fromfile(a.volume, dtype="<f4").reshape(d, 1, s, s).copy())

    def batches(n, step):
        return [(i, min(n, i + step)) for i in range(0, n, step)]

    def encode():
        with torch.no_grad():
            return torch.cat([enc(x[i:j]) for i, j in batches(d, a.batch)])

    z = encode()

    def evaluate():
        with torch.no_grad():
            v = torch.cat([dec(z[i:j]) for i, j in batches(d, a.batch)])
            return model(v.reshape(1, 1, d, s, s))[0, a.target].item()

    def gradient():
        leaf = x.reshape(1, 1, d, s, s).clone().requires_grad_(True)
        model(leaf)[0, a.target].backward()
        up = leaf.grad.reshape(d, 1, s, s)
        parts = []
        for i, j in batches(d, a.chunk):
            zl = z[i:j].clone().requires_grad_(True)
            (dec(zl) * up[i:j]).sum().backward()
            parts.append(zl.grad)
        return torch.cat(parts)

    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, batch {a.batch}, chunk {a.chunk}, "
          f"oneDNN {'on' if torch.backends.mkldnn.enabled else 'off'}")
    for name, unit in (("a encode", encode), ("b evaluation", evaluate), ("c gradient", gradient)):
        unit()  # warm-up
        times = []
        cpu = []
        for _ in range(a.repeats):
            t = time.perf_counter()
            c = time.process_time()
            result = unit()
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        check = float(result) if isinstance(result, float) else float(result.abs().sum())
        print(f"{name:14s} min {min(times):8.3f} s  median {statistics.median(times):8.3f} s  "
              f"cpu {min(cpu):8.3f} s  check {check:.6g}")


if __name__ == "__main__":
    main()
