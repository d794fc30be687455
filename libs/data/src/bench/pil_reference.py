#!/usr/bin/env python3
"""The reference loader's image path, for `npm run bench -w @equilab/data` only (the product never runs Python).

The reference implementation loads a view with PIL `Image.open(f).convert("RGB")`, then torchvision
`Resize((r, r))` (bilinear; on PIL images torchvision calls `Image.resize((r, r), BILINEAR)`, which antialiases),
`ToTensor()` and `Normalize(mean, std)`. Two subcommands, both reading a list of JPEG paths on stdin:

  pil_reference.py bench R PROCESSES
      decode + resize + float32 + normalise, one image at a time, in PROCESSES processes (files split evenly);
      prints one JSON line: images, wall seconds, images/s, process CPU seconds per image.
  pil_reference.py dump R PREFIX
      writes the PIL-resized uint8 images (N, R, R, 3) to PREFIX.uint8.npy and the normalised float32 images
      (N, R, R, 3, HWC) to PREFIX.float32.npy, made by torchvision's own Resize/ToTensor/Normalize when
      torchvision is installed (Debian: python3-torchvision), else by the same arithmetic in NumPy; so the bench
      can compare Equilab's output with the reference's value by value.

Needs python3 with Pillow and NumPy (Debian: python3-pil python3-numpy); the bench skips the anchor, with the
reason, when they are missing.
"""
import json
import multiprocessing as mp
import sys
import time

import numpy as np
from PIL import Image

MEAN = np.array([0.5016, 0.5037, 0.5060], dtype=np.float32)
STD = np.array([0.1030, 0.0999, 0.0969], dtype=np.float32)


def load_uint8(path, r):
    image = Image.open(path).convert("RGB")
    if image.size != (r, r):
        image = image.resize((r, r), Image.BILINEAR)
    return np.asarray(image)


def load_normalised(path, r):
    return (load_uint8(path, r).astype(np.float32) / 255.0 - MEAN) / STD


def bench_worker(args):
    files, r = args
    start = time.process_time()
    checksum = 0.0
    for path in files:
        checksum += float(load_normalised(path, r)[0, 0, 0])
    return time.process_time() - start, checksum


def bench(files, r, processes):
    # Warm-up: page cache and imports, outside the timed part.
    for path in files[: min(len(files), 20)]:
        load_normalised(path, r)
    chunks = [(files[i::processes], r) for i in range(processes)]
    if processes == 1:
        start = time.perf_counter()
        results = [bench_worker(chunks[0])]
        wall = time.perf_counter() - start
    else:
        with mp.Pool(processes) as pool:
            pool.map(bench_worker, [(c[0][:5], r) for c in chunks])  # start the processes before timing
            start = time.perf_counter()
            results = pool.map(bench_worker, chunks)
            wall = time.perf_counter() - start
    cpu = sum(seconds for seconds, _ in results)
    return {
        "images": len(files),
        "wallSeconds": round(wall, 3),
        "imagesPerSecond": round(len(files) / wall, 1),
        "cpuMsPerImage": round(1000 * cpu / len(files), 3),
    }


def main():
    command, r = sys.argv[1], int(sys.argv[2])
    files = [line.strip() for line in sys.stdin if line.strip()]
    if command == "bench":
        print(json.dumps(bench(files, r, int(sys.argv[3]))))
    elif command == "dump":
        prefix = sys.argv[3]
        np.save(prefix + ".uint8.npy", np.stack([load_uint8(path, r) for path in files]))
        try:
            import torchvision
            from torchvision import transforms

            pipeline = transforms.Compose(
                [transforms.Resize((r, r)), transforms.ToTensor(), transforms.Normalize(MEAN.tolist(), STD.tolist())]
            )
            normalised = [pipeline(Image.open(path).convert("RGB")).permute(1, 2, 0).numpy() for path in files]
            by = f"torchvision {torchvision.__version__}"
        except ImportError:
            normalised = [load_normalised(path, r) for path in files]
            by = f"numpy {np.__version__} (torchvision not installed)"
        np.save(prefix + ".float32.npy", np.stack(normalised).astype(np.float32))
        print(json.dumps({"images": len(files), "resolution": r, "normalisedBy": by, "pillow": Image.__version__}))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
