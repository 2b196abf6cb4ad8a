"""The skeletons of person image animation: Human3.6M-17, COCO-17 and OpenPose-18 joint orders and limbs.

Clean skeletons (the motion-extraction net's output, the dance dataset's ``train_video2d``) use
the Human3.6M-17 order; noisy AlphaPose skeletons (``train_alphapose``) are stored in OpenPose-18
order and used in COCO-17 order (original: util/openpose_utils.py). Indices are 0-based.
"""
import numpy as np

HUMAN36M_17 = ("Hip", "RHip", "RKnee", "RFoot", "LHip", "LKnee", "LFoot", "Spine", "Thorax", "Neck/Nose",
               "Head", "LShoulder", "LElbow", "LWrist", "RShoulder", "RElbow", "RWrist")
COCO_17 = ("Nose", "LEye", "REye", "LEar", "REar", "LShoulder", "RShoulder", "LElbow", "RElbow", "LWrist",
           "RWrist", "LHip", "RHip", "LKnee", "RKnee", "LAnkle", "RAnkle")
OPENPOSE_18 = ("Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "RHip", "RKnee",
               "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar")

# The 16 limbs drawn into the bone image of a clean (Human3.6M-17) and a noisy (COCO-17) skeleton.
LIMBS_HUMAN36M_17 = ((0, 1), (1, 2), (2, 3), (0, 4), (4, 5), (5, 6), (0, 7), (7, 8), (8, 9), (9, 10), (8, 11),
                     (11, 12), (12, 13), (8, 14), (14, 15), (15, 16))
LIMBS_COCO_17 = ((0, 1), (1, 3), (0, 2), (2, 4), (5, 7), (7, 9), (6, 8), (8, 10), (11, 12), (5, 6), (11, 13),
                 (12, 14), (13, 15), (14, 16), (5, 11), (6, 12))

# COCO-17 joint i is OpenPose-18 joint OPENPOSE_18_TO_COCO_17[i] (the neck has no COCO counterpart).
OPENPOSE_18_TO_COCO_17 = tuple(OPENPOSE_18.index(name) for name in COCO_17)

# A coordinate of exactly 0 marks a missing joint in the skeleton JSON files.
MISSING_VALUE = 0


def label_colormap(count):
    """The PASCAL VOC label colours: uint8 array [count, 3] (label i's bits spread over R, G, B from the top bit).

    The joint colours of the animation bone images (original: util/openpose_utils.py, labelcolormap,
    for any count but 18).
    """
    colours = np.zeros((count, 3), dtype=np.uint8)
    for label in range(count):
        code, rgb = label, [0, 0, 0]
        for bit in range(7, 0, -1):  # seven rounds, as the original
            for channel in range(3):
                rgb[channel] |= ((code >> channel) & 1) << bit
            code >>= 3
        colours[label] = rgb
    return colours
