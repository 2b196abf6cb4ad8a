"""torchvision's Keypoint R-CNN (ResNet-50 FPN, COCO): people and their 17 joints in a photo.

The weights load as torchvision loads them, from the torch hub cache
(``$TORCH_HOME/hub/checkpoints/keypointrcnn_resnet50_fpn_coco-fc266e95.pth``, downloaded there on
first use when the machine is online), or from an explicit file (``--detector_weights``). The
network is the one ``keypointrcnn_resnet50_fpn(weights=COCO_V1)`` builds (frozen batch norm with
eps 0, as those weights were trained), so a file of either origin loads strictly.
"""
import os
import pickle
from dataclasses import dataclass

import numpy as np
import torch
import torchvision.transforms.functional as F
from torchvision.models.detection import KeypointRCNN, KeypointRCNN_ResNet50_FPN_Weights
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision.ops import FrozenBatchNorm2d

from script.metrics_lib.weights import load_weights
from util.errors import UserError

WEIGHTS = KeypointRCNN_ResNet50_FPN_Weights.COCO_V1
WEIGHTS_FILE = os.path.basename(WEIGHTS.url)  # keypointrcnn_resnet50_fpn_coco-fc266e95.pth
DEFAULT_PERSON_THRESHOLD = 0.5
DEFAULT_DETECTOR_SIZE = 800  # torchvision's default: photos are resized to this shorter side


@dataclass(frozen=True)
class Detections:
    """The people found in one photo, most confident first (N may be 0).

    boxes: float [N, 4] of (x0, y0, x1, y1); scores: float [N] in (0, 1]; keypoints: float
    [N, 17, 2] of (x, y) in COCO order; keypoint_scores: float [N, 17] (heatmap logits).
    Image coordinates are continuous: pixel i covers [i, i + 1).
    """

    boxes: np.ndarray
    scores: np.ndarray
    keypoints: np.ndarray
    keypoint_scores: np.ndarray


def build_keypoint_rcnn(person_threshold=DEFAULT_PERSON_THRESHOLD, detector_size=DEFAULT_DETECTOR_SIZE):
    """Keypoint R-CNN with random weights, laid out as the COCO file.

    Args:
        person_threshold: people scoring at or below this are dropped (the box score threshold).
        detector_size: shorter side photos are resized to before detection (smaller is faster).
    """
    backbone = resnet_fpn_backbone(backbone_name="resnet50", weights=None, norm_layer=FrozenBatchNorm2d,
                                   trainable_layers=0)
    network = KeypointRCNN(backbone, num_classes=len(WEIGHTS.meta["categories"]),
                           num_keypoints=len(WEIGHTS.meta["keypoint_names"]),
                           box_score_thresh=person_threshold, min_size=detector_size)
    for module in network.modules():
        if isinstance(module, FrozenBatchNorm2d):
            module.eps = 0.0  # as torchvision does for these weights (trained with eps 0)
    return network


def load_keypoint_detector(weights_path=None, device="cpu", person_threshold=DEFAULT_PERSON_THRESHOLD,
                           detector_size=DEFAULT_DETECTOR_SIZE):
    """The COCO-trained Keypoint R-CNN in eval mode on ``device``.

    Args:
        weights_path: a state_dict file (``--detector_weights``); default the torch hub cache.
        device: torch device to run on.
        person_threshold, detector_size: see ``build_keypoint_rcnn``.
    Raises:
        UserError: the weights are neither cached nor downloadable, or the file does not fit;
            the message names the file, the cache folder and ``--detector_weights``.
    """
    try:
        weights = load_weights(WEIGHTS.url, weights_path, "--detector_weights")
    except (OSError, RuntimeError, ValueError, EOFError, pickle.UnpicklingError) as error:
        raise UserError(f"cannot load the Keypoint R-CNN weights: {' '.join(str(error).split())}") from error
    network = build_keypoint_rcnn(person_threshold, detector_size)
    try:
        network.load_state_dict(weights.state_dict)
    except RuntimeError as error:
        raise UserError(f"{weights.path} is not a torchvision Keypoint R-CNN ResNet-50 FPN state_dict "
                        f"({str(error).splitlines()[0]}); pass --detector_weights with {WEIGHTS_FILE}") from None
    return network.eval().requires_grad_(False).to(device)


@torch.inference_mode()
def detect_people(detector, image):
    """Run the detector on a PIL RGB image; returns ``Detections``."""
    device = next(detector.parameters()).device
    found = detector([F.to_tensor(image).to(device)])[0]
    order = torch.argsort(found["scores"], descending=True)
    found = {key: value[order].float().cpu().numpy() for key, value in found.items()}
    return Detections(boxes=found["boxes"], scores=found["scores"], keypoints=found["keypoints"][:, :, :2],
                      keypoint_scores=found["keypoints_scores"])
