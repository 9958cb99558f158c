"""Images per second of ResNet-50 feature extraction: ResNetFeatures vs a naive per-image loop.

Every variant starts from the same uint8 images (``--image-size`` square RGB, 96 like STL-10 by
default) and ends with 2048 pooled ResNet-50 features at a 224x224 network input, so the
preprocessing (uint8 to float, antialiased resize, ImageNet normalisation) is included:

* ``naive``: torchvision transforms (``v2.Resize``, ``v2.ToDtype``, ``v2.Normalize``) applied
  per image on the host, the batch stacked, copied to the device and passed through the
  network in float32 (the loop most scripts write);
* ``ResNetFeatures float32``: the transformer, which moves each uint8 batch to the device and
  preprocesses it there;
* ``ResNetFeatures bfloat16``: the same with ``precision="bfloat16"`` (bfloat16 weights and
  channels-last memory format), the fast path on GPUs with bfloat16 tensor cores.

The weights are random (speed does not depend on them, and nothing is downloaded). Each
variant runs one untimed batch first. Prints a table and writes
``benchmarks/results/feature_speed_<device>.json``.

Example::

    python benchmarks/feature_speed.py --device cuda --n-images 4096   # a GPU
    python benchmarks/feature_speed.py --device cpu --n-images 64      # a quick CPU run
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torchvision
from torchvision.transforms import v2

import skdeepcluster
from skdeepcluster.features import ResNetFeatures
from skdeepcluster.features._images import IMAGENET_MEAN, IMAGENET_STD
from skdeepcluster.utils._torch import resolve_device

from _machine import cpu_name

RESULTS = Path(__file__).resolve().parent / "results"
INPUT_SIZE = 224


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def naive_features(backbone, images, device, batch_size):
    """Host-side torchvision transforms per image, then one network call per batch."""
    preprocess = v2.Compose([
        v2.Resize((INPUT_SIZE, INPUT_SIZE), antialias=True),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    features = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            batch = torch.stack([
                preprocess(torch.from_numpy(image).permute(2, 0, 1))
                for image in images[start:start + batch_size]
            ])
            features.append(backbone(batch.to(device)).cpu().numpy())
    return np.concatenate(features)


def images_per_second(run, images, device, batch_size):
    run(images[:batch_size])  # warm-up: allocations, cuDNN / oneDNN algorithm selection
    synchronize(device)
    start = time.perf_counter()
    features = run(images)
    synchronize(device)
    seconds = time.perf_counter() - start
    assert features.shape == (len(images), 2048)
    return len(images) / seconds, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--n-images", type=int, default=2048)
    parser.add_argument("--image-size", type=int, default=96, help="side of the uint8 images")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()

    device = resolve_device(args.device)
    images = np.random.RandomState(0).randint(
        0, 256, (args.n_images, args.image_size, args.image_size, 3), dtype=np.uint8
    )
    common = dict(input_size=INPUT_SIZE, batch_size=args.batch_size, device=device,
                  random_state=0)
    float32 = ResNetFeatures("resnet50", **common).fit(images[:1])
    bfloat16 = ResNetFeatures("resnet50", precision="bfloat16", **common).fit(images[:1])
    variants = {
        "naive (host transforms per image, float32)":
            lambda X: naive_features(float32.backbone_, X, device, args.batch_size),
        "ResNetFeatures float32": float32.transform,
        "ResNetFeatures bfloat16 channels-last": bfloat16.transform,
    }
    results = {}
    for name, run in variants.items():
        rate, seconds = images_per_second(run, images, device, args.batch_size)
        results[name] = {"images_per_second": rate, "seconds": seconds}
        print(f"{name}: {rate:.1f} images/s", flush=True)

    device_name = torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name()
    naive = results["naive (host transforms per image, float32)"]["images_per_second"]
    print(f"\nResNet-50 features, {args.n_images} uint8 images of {args.image_size}x"
          f"{args.image_size} -> {INPUT_SIZE}x{INPUT_SIZE}, batch {args.batch_size}, "
          f"device {device} ({device_name}), {torch.get_num_threads()} torch threads\n")
    print("| variant | images/s | vs naive |")
    print("|---|---|---|")
    for name, result in results.items():
        rate = result["images_per_second"]
        print(f"| {name} | {rate:.1f} | {rate / naive:.2f}x |")

    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"feature_speed_{device.type}.json"
    path.write_text(json.dumps({
        "device": str(device),
        "device_name": device_name,
        "arch": "resnet50",
        "n_images": args.n_images,
        "image_size": args.image_size,
        "input_size": INPUT_SIZE,
        "batch_size": args.batch_size,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "skdeepcluster": skdeepcluster.__version__,
        "torch_threads": torch.get_num_threads(),
        "results": results,
    }, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
