"""Benchmark an animation model (face, or dance with --model dance) on a GPU: data loading, the
recurrent training step, the video test.

On synthetic videos (256x256, written to a temporary folder: faces, or iPER-style person videos
with foreground masks) with random weights:

* data loading: seconds per frame of one process (faces: the landmark curve fitting and distance
  maps; dance: the skeleton heatmaps and bone images; on the CPU) and clips per second of the
  loader with ``--workers`` processes;
* training: iterations/s, frames/s and peak memory of ``optimize_parameters`` on clips of
  ``--frames`` frames (chunks of 6, so 5 D and G steps per iteration at 30), batch ``--batch``
  (the original's 2), float32; the clips are loaded before timing, so the loader is not timed;
* test: generated frames/s of ``net_G`` on 6-frame chunks (batch 1, inference mode).

VGG19 gets random weights in a temporary TORCH_HOME (no downloads). About a minute on an H200.

    python -m script.benchmark_face [--model dance] [--steps 10] [--batch 2] [--frames 30] [--workers 8] [--out table.md]
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from script.report_table import print_and_save  # noqa: E402
from util.cli import run_entry_point  # noqa: E402

COMMON = ["--attn_layer=2,3", "--kernel_size=2=5,3=3", "--display_id=0", "--init_type=normal"]
MODEL_OPTIONS = {"face": ["--model=face", "--dataset_mode=face"],
                 "dance": ["--model=dance", "--dataset_mode=dance", "--sub_dataset=iper"]}
LOADED_BATCHES = {"face": 4, "dance": 2}  # batches loaded (and cycled through in training): a video per clip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(MODEL_OPTIONS), default="face", help="the animation model")
    parser.add_argument("--steps", type=int, default=10, help="timed training iterations")
    parser.add_argument("--warmup", type=int, default=2, help="untimed iterations first")
    parser.add_argument("--batch", type=int, default=2, help="clips per iteration")
    parser.add_argument("--frames", type=int, default=30, help="frames per clip (a multiple of 6)")
    parser.add_argument("--workers", type=int, default=8, help="loader processes of the data measurement")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    return parser.parse_args()


def training_options(root, workdir, args):
    from options.train_options import TrainOptions
    return TrainOptions().parse([*MODEL_OPTIONS[args.model], *COMMON, f"--dataroot={root}",
                                 f"--checkpoints_dir={workdir}", f"--name=bench_{args.model}",
                                 "--gpu_ids=0", f"--batchSize={args.batch}", f"--n_frames_total={args.frames}",
                                 f"--nThreads={args.workers}"], save=False)


def measure_loading(opt, batches_wanted):
    """(seconds per frame in one process, clips per second of the loader, the loaded batches)."""
    import data
    from data.registry import create_dataset
    dataset = create_dataset(opt)
    start = time.perf_counter()
    dataset[0]
    per_frame = (time.perf_counter() - start) / opt.n_frames_total
    batches = []
    start = time.perf_counter()
    for batch in data.create_dataloader(opt):
        batches.append(batch)
        if len(batches) == batches_wanted:
            break
    clips_per_second = len(batches) * opt.batchSize / (time.perf_counter() - start)
    return per_frame, clips_per_second, batches


def measure_test(model, batch):
    """Generated frames per second of 6-frame chunks, batch 1, inference mode."""
    clip = model.read_clip(batch)
    structures = clip.structures[:1, :6].cuda()
    reference, reference_structure = clip.reference_image[:1].cuda(), clip.reference_structure[:1].cuda()
    with torch.inference_mode():
        for index in range(6):
            if index == 1:
                torch.cuda.synchronize()
                start = time.perf_counter()
            model.net_G(structures, reference, reference_structure)
        torch.cuda.synchronize()
    return 5 * 6 / (time.perf_counter() - start)


def make_synthetic_videos(model_name, root, train_videos, frames):
    """``train_videos`` training videos and one test video of ``frames`` 256x256 frames for the model."""
    if model_name == "face":
        from script.synthetic_face import make_synthetic_face_dataset
        make_synthetic_face_dataset(root, num_train_videos=train_videos, num_test_videos=1, frames_per_video=frames,
                                    frame_size=256)
    else:
        from script.synthetic_dance import make_synthetic_dance_dataset
        make_synthetic_dance_dataset(root, "iper", num_train_videos=train_videos, num_test_videos=1,
                                     frames_per_video=frames, frame_size=256)


def main():
    args = parse_args()
    if not torch.cuda.is_available():
        print("benchmark_face: no CUDA GPU visible; nothing to measure")
        return
    import model as models
    from script.benchmark_train import timed
    from script.random_weights import write_random_vgg19
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["TORCH_HOME"] = os.path.join(workdir, "torch_home")
        write_random_vgg19(os.environ["TORCH_HOME"])
        root = os.path.join(workdir, args.model)
        batches_wanted = min(LOADED_BATCHES[args.model], args.warmup + args.steps)
        make_synthetic_videos(args.model, root, batches_wanted * args.batch, args.frames)
        opt = training_options(root, workdir, args)
        per_frame, clips_per_second, batches = measure_loading(opt, batches_wanted)
        model = models.find_model_class(args.model)(opt)

        def train_step(batch):
            model.set_input(batch)
            model.optimize_parameters()

        seconds, peak, _ = timed(train_step, batches, args.warmup, args.steps)
        test_fps = measure_test(model, batches[0])
    rate = 1 / seconds
    lines = [f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}, {args.model} model, 256x256, "
             f"clips of {args.frames} frames in chunks of {opt.max_frames_per_gpu}",
             "| what | measure |", "|---|---|",
             f"| train step, batch {args.batch}, fp32 | {rate:.2f} it/s ({seconds:.2f} s/it), "
             f"{rate * args.batch * args.frames:.1f} frames/s, peak {peak:.2f} GiB |",
             f"| data, one process | {per_frame:.3f} s/frame ({per_frame * args.frames:.1f} s/clip) |",
             f"| data, {args.workers} loader processes | {clips_per_second:.2f} clips/s (training needs "
             f"{rate * args.batch:.2f}) |",
             f"| test, batch 1, 6-frame chunks | {test_fps:.1f} frames/s |"]
    print_and_save("\n".join(lines), args.out)


if __name__ == "__main__":
    run_entry_point(main)
