"""What the two pose models share: their batch (a source/target pair with poses) and the warp visual."""
import os

import torch.nn.functional as F

from data.heatmaps import expand_poses
from model.base_model import BaseModel
from model.ops import block_extractor


class PosePairModel(BaseModel):
    """Base of ``PoseFlowModel`` and ``PoseModel``: inputs P1/BP1 (source) and P2/BP2 (target)."""

    def __init__(self, opt):
        super().__init__(opt)
        self.add_networks(self.build_networks(opt, discriminators=self.isTrain))

    def set_input(self, batch):
        """Take a batch of the pair datasets; names results ``<P1 stem>_2_<P2 name>``."""
        batch = expand_poses(batch, self.device)  # the poses come as heatmap factors, expanded on the device
        for key in ("P1", "BP1", "P2", "BP2"):
            setattr(self, "input_" + key, batch[key].to(self.device, non_blocking=True))
        self.image_paths = [os.path.splitext(p1)[0] + "_2_" + p2
                            for p1, p2 in zip(batch["P1_path"], batch["P2_path"])]


def warp_image(image, flow):
    """Backward-warp ``image`` [B, C, H, W] by ``flow`` [B, 2, h, w] (pixels at h x w): a visual.

    The image is first nearest-resized to the flow's size, as the original's ``warp`` visual;
    sampling is bilinear with border clamping, as the ops: a block extraction with 1 x 1 blocks.
    """
    image = F.interpolate(image, size=flow.shape[-2:], mode="nearest")
    return block_extractor(image, flow, 1)
