"""The 17 COCO keypoints of a person detector -> the 18 OpenPose-COCO joints of ``util.skeleton``.

Keypoint R-CNN (and every COCO-trained detector) predicts 17 joints; the annotations GFLA trains on
have OpenPose's 18, the same joints in another order plus a neck. Joints are matched by name; the
neck, which COCO lacks, is the midpoint of the two shoulders when both are confident (in the
released annotations, OpenPose's neck lies within 1.5 pixels of that midpoint for 90 % of the
people). Pure functions on arrays: the detector itself lives in ``util.keypoint_detector``.
"""
import numpy as np

from util.skeleton import JOINT_NAMES, NUM_JOINTS

# COCO's keypoint order (the ``keypoint_names`` of torchvision's Keypoint R-CNN weights).
COCO_JOINT_NAMES = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
    "right_knee", "left_ankle", "right_ankle",
)
NECK = JOINT_NAMES.index("neck")
SHOULDERS = (JOINT_NAMES.index("right_shoulder"), JOINT_NAMES.index("left_shoulder"))
# For each OpenPose joint, the COCO joint of the same name (the neck has none: -1).
COCO_INDEX_OF_JOINT = np.array([COCO_JOINT_NAMES.index(name) if name != "neck" else -1 for name in JOINT_NAMES])

# Keypoint R-CNN's joint scores are heatmap logits, not probabilities; 2 is the threshold with
# which Detectron, the detector's origin, draws confident keypoints.
DEFAULT_JOINT_THRESHOLD = 2.0


def openpose_from_coco(keypoints, scores, threshold=DEFAULT_JOINT_THRESHOLD):
    """Map one person's COCO keypoints to the 18 OpenPose joints.

    Args:
        keypoints: float array [17, 2] of (x, y) image coordinates (pixel i covers [i, i + 1)).
        scores: float array [17] of joint confidences.
        threshold: joints scoring at or below this are missing.
    Returns:
        float64 array [18, 2] of (y, x), NaN for missing joints (the neck too, unless both
        shoulders are present).
    """
    keypoints, scores = np.asarray(keypoints, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    if keypoints.shape != (len(COCO_JOINT_NAMES), 2) or scores.shape != (len(COCO_JOINT_NAMES),):
        raise ValueError(f"expected COCO keypoints [17, 2] and scores [17], got {keypoints.shape} and {scores.shape}")
    coco_yx = np.where((scores > threshold)[:, None], keypoints[:, ::-1], np.nan)
    joints = np.full((NUM_JOINTS, 2), np.nan)
    has_coco = COCO_INDEX_OF_JOINT >= 0
    joints[has_coco] = coco_yx[COCO_INDEX_OF_JOINT[has_coco]]
    joints[NECK] = joints[list(SHOULDERS)].mean(axis=0)  # NaN unless both shoulders are present
    return joints


def most_confident_person(person_scores):
    """Index of the highest-scoring person, or None when there is nobody."""
    person_scores = np.asarray(person_scores)
    return int(np.argmax(person_scores)) if person_scores.size else None
