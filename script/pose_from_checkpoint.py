"""The pose model from a checkpoint and one generation, with inputs made as the pair datasets make them.

The model is built as ``test.py`` builds it (the options, then ``model.create_model`` in test mode,
which loads G strictly), for a dataset's frame and its paper configuration; a bare weights file
(``--checkpoint``) is loaded through a temporary checkpoint folder.
"""
import contextlib
import io
import os
import shutil
import tempfile

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image

import model as models
from data.heatmaps import keypoints_to_heatmaps
from data.pair_dataset import image_to_tensor
from options.test_options import TestOptions
from util.errors import UserError
from util.image_io import tensor_to_uint8

# The paper's attention configuration of each dataset (the README's training commands).
PAPER_CONFIGS = {"fashion": ["--attn_layer=2,3", "--kernel_size=2=5,3=3"],
                 "market": ["--attn_layer=2", "--kernel_size=2=3"]}


def pose_options(dataset, model_argv, checkpoint_dir=None):
    """test.py's options for ``dataset`` (its frame, sizes and paper configuration), then ``model_argv``."""
    # --init_type=none: every weight comes from the checkpoint; the orthogonal initialisation
    # (a QR decomposition per layer, ~10 s on a CPU) would be thrown away.
    argv = ["--model=pose", f"--dataset_mode={dataset}", *PAPER_CONFIGS[dataset], "--init_type=none",
            f"--gpu_ids={0 if torch.cuda.is_available() else -1}", *model_argv]
    if checkpoint_dir is not None:
        argv += [f"--checkpoints_dir={checkpoint_dir}", "--name=checkpoint", "--which_iter=latest"]
    with contextlib.redirect_stdout(io.StringIO()):  # the option listing is noise here
        return TestOptions().parse(argv, save=False)


def load_pose_model(opt, weights_name):
    """``model.create_model`` in test mode: G loaded strictly, eval mode."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return models.create_model(opt)
    except (FileNotFoundError, ValueError) as error:
        raise UserError(f"cannot load the pose generator {weights_name}: {' '.join(str(error).split())}; "
                        "--dataset, --attn_layer and --kernel_size must match its training") from None


@contextlib.contextmanager
def checkpoint_folder(checkpoint):
    """A temporary ``<dir>/checkpoint/latest_net_G.pth`` pointing at ``--checkpoint`` (None: no folder)."""
    if checkpoint is None:
        yield None
        return
    if not os.path.isfile(checkpoint):
        raise UserError(f"--checkpoint: no file at {checkpoint}")
    with tempfile.TemporaryDirectory() as folder:
        os.makedirs(os.path.join(folder, "checkpoint"))
        link = os.path.join(folder, "checkpoint", "latest_net_G.pth")
        try:
            os.symlink(os.path.abspath(checkpoint), link)
        except OSError:  # no symlinks here (e.g. Windows without the right): a copy does
            shutil.copyfile(checkpoint, link)
        yield folder


def heatmaps(keypoints, opt):
    """BP [1, 18, H, W], as the pair datasets make it."""
    return torch.from_numpy(keypoints_to_heatmaps(keypoints, opt.load_size, opt.old_size))[None]


def network_image(image, opt):
    """P [1, 3, H, W] in [-1, 1], as the pair datasets make it (bilinear resize to --load_size)."""
    resized = F.resize(image, list(opt.load_size), interpolation=F.InterpolationMode.BILINEAR)
    return image_to_tensor(resized)[None]


def generate(pose_model, opt, image, keypoints, target_keypoints):
    """The person of ``image`` (PIL, in the frame) at ``keypoints`` moved to ``target_keypoints``:
    uint8 [h, w, 3] in the frame (DeepFashion: the network's 256x256 resized back to 256x176)."""
    with torch.inference_mode():
        generated = pose_model.net_G(network_image(image, opt).to(opt.device),
                                     heatmaps(keypoints, opt).to(opt.device),
                                     heatmaps(target_keypoints, opt).to(opt.device))[0]
    frame = tuple(opt.old_size)
    return np.asarray(Image.fromarray(tensor_to_uint8(generated)).resize(frame[::-1], Image.BICUBIC))
