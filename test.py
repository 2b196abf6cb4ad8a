"""Generate test results: ``python test.py --name=fashion --model=pose --attn_layer=2,3
--kernel_size=2=5,3=3 --gpu_id=0 --dataset_mode=fashion --dataroot=./dataset/fashion
--results_dir=./eval_results/fashion``.

Loads checkpoint ``--which_iter`` (default 'latest'), puts the networks in eval mode and runs the
model's ``test()`` on every test sample in order (the last partial batch included); ``test()``
writes the images to ``--results_dir`` (the original's result-folder layouts).
"""
import torch
from tqdm import tqdm

import data
import model as models
from model.fast_path import compiled_for_the_first_batch, graph_inference
from options.test_options import TestOptions
from util import distributed as dist
from util.cli import run_entry_point
from util.precision import autocast, autocast_dtype
from util.reproducibility import seed_everything


def test(opt):
    """Run ``model.test()`` over the whole test loader; returns the model."""
    # ---------------------------------------------------------------- set-up
    seed_everything(opt.seed)
    loader = data.create_dataloader(opt)  # drop_last is False when not training
    model = models.create_model(opt)  # loads --which_iter and switches the networks to eval()
    graph_inference(model, opt)  # on one GPU the generator's forward pass is one CUDA graph replay

    # ---------------------------------------------------------------- generation
    with torch.inference_mode(), autocast(model.device.type, autocast_dtype(opt)):  # --precision
        for index, batch in enumerate(tqdm(loader, total=len(loader), desc="test", dynamic_ncols=True)):
            with compiled_for_the_first_batch(index):  # --compile: the last, smaller batch runs eagerly
                model.set_input(batch)
                model.test()

    dist.print0(f"results written to {opt.results_dir}")
    return model


def main():
    test(TestOptions().parse())


if __name__ == "__main__":
    run_entry_point(main)
