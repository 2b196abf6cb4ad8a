"""The 18-joint OpenPose-COCO skeleton used by the annotation files, with its limbs and colours.

Joint order and the limb lists are those of the released DeepFashion / Market annotations
(original: data/base_dataset.py, BaseDataset; util/pose_utils.py); all indices are 0-based.
"""

# OpenPose's COCO order: eyes and ears come right before left, as the shoulders do (in the released
# annotations joints 14 and 16 lie on joint 2's side of the body, and the limbs join 16 to 2).
JOINT_NAMES = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip",
    "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
)
NUM_JOINTS = len(JOINT_NAMES)

# Marker of a missing joint coordinate in the annotation CSVs.
MISSING = -1

# The 19 limbs drawn for pose visualisation.
LIMB_SEQ = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11),
    (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17), (2, 16), (5, 17),
)

# One RGB colour per joint (and per limb, by the limb's index).
COLORS = (
    (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0),
    (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255),
    (0, 0, 255), (85, 0, 255), (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
)

# The 23 limbs whose polygons make the body mask of Mask-SSIM / Mask-LPIPS (Market).
MASK_LIMBS = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11),
    (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17), (1, 16), (1, 17),
    (8, 11), (11, 5), (8, 2), (16, 17),
)
