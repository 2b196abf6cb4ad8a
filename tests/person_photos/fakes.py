"""Keypoint R-CNN outputs made from released annotations (the inverse of the joint mapping and the
framing), and photos that hold a released frame somewhere inside them."""
import contextlib
import hashlib
import io
import os

import numpy as np
from PIL import Image

from data.annotations import read_annotations
from data.person_crop import FRAME_MARGINS
from tests.paths import REAL_SAMPLES
from util.keypoint_detector import Detections

# The OpenPose index of each COCO joint, written out from the two formats' documentation (an
# independent reference for the name-based mapping under test).
OPENPOSE_OF_COCO = (0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10)
CONFIDENT, UNSURE = 10.0, -10.0

DATASETS = {"fashion": dict(folder="deepfashion", prefix="fasion", frame=(256, 176)),
            "market": dict(folder="market", prefix="market", frame=(128, 64))}


def real_samples(dataset):
    """(photo folder, {name: keypoints [18, 2]}) of the shared real samples whose photos are present."""
    info = DATASETS[dataset]
    root = os.path.join(REAL_SAMPLES, info["folder"])
    annotations = read_annotations(os.path.join(root, f"{info['prefix']}-annotation-test.csv"), info["frame"])
    photos = os.path.join(root, "test")
    return photos, {name: kp for name, kp in annotations.items() if os.path.isfile(os.path.join(photos, name))}


def photo_containing(frame_image, scale, offset, canvas_size):
    """A larger photo (canvas_size (h, w), mid grey) with the frame enlarged ``scale`` times at ``offset`` (top, left).

    Returns the photo and the frame's window (top, left, height, width) in it.
    """
    height, width = round(frame_image.height * scale), round(frame_image.width * scale)
    photo = Image.new("RGB", canvas_size[::-1], (128, 128, 128))
    photo.paste(frame_image.resize((width, height), Image.BICUBIC), offset[::-1])
    return photo, (float(offset[0]), float(offset[1]), float(height), float(width))


def person_detection(keypoints, window, frame_size, margin, score=0.99):
    """One person's (box, score, COCO keypoints [17, 2] of (x, y), joint scores [17]) that frame to ``window``.

    Joints are the centres of the released frame pixels moved into the photo; missing joints get
    an unsure score. The box is narrow and as high as the window less the margin, so that the
    window grown from it is ``window`` (height decides, the frame's aspect ratio gives the width).
    """
    top, left, height, width = window
    scale = np.array([height / frame_size[0], width / frame_size[1]])
    photo_yx = (np.asarray(keypoints, dtype=np.float64) + 0.5) * scale + [top, left]
    present = (np.asarray(keypoints) >= 0).all(axis=1)
    coco_xy = photo_yx[list(OPENPOSE_OF_COCO), ::-1]
    coco_scores = np.where(present[list(OPENPOSE_OF_COCO)], CONFIDENT, UNSURE)
    box_height = height / (1 + 2 * margin)
    centre_y, centre_x = top + height / 2, left + width / 2
    box = [centre_x - 0.15 * box_height, centre_y - box_height / 2, centre_x + 0.15 * box_height, centre_y + box_height / 2]
    return np.array(box), score, coco_xy, coco_scores


def detections(*people):
    """``Detections`` of the given ``person_detection`` tuples, most confident first."""
    people = sorted(people, key=lambda person: -person[1])
    if not people:
        return Detections(np.zeros((0, 4)), np.zeros(0), np.zeros((0, 17, 2)), np.zeros((0, 17)))
    boxes, scores, keypoints, keypoint_scores = (np.stack([np.asarray(p[i]) for p in people]) for i in range(4))
    return Detections(boxes, scores, keypoints, keypoint_scores)


def expected_joints(keypoints):
    """What the mapping should give back: the released joints, the neck replaced by the shoulders' midpoint."""
    expected = np.array(keypoints, dtype=np.float64)
    shoulders = expected[[2, 5]]
    expected[1] = (shoulders.mean(axis=0) if (shoulders >= 0).all() else -1)
    return expected


class FakeDetector:
    """Stands in for ``detect_people``: the detections registered for a photo's pixels, else nobody."""

    def __init__(self):
        self.registered = {}

    @staticmethod
    def _key(image):
        return image.size, hashlib.sha1(image.tobytes()).hexdigest()

    def register(self, photo, found):
        self.registered[self._key(photo)] = found

    def __call__(self, detector, image):
        return self.registered.get(self._key(image), detections())


def framed_real_photo(dataset, name, keypoints, index, fake, bystanders=()):
    """A larger photo holding the released frame ``name``, registered with ``fake`` as its most
    confident person (score 0.99), with the ``person_detection`` tuples ``bystanders``."""
    photos = real_samples(dataset)[0]
    frame = DATASETS[dataset]["frame"]
    with Image.open(os.path.join(photos, name)) as image:
        released = image.convert("RGB")
    scale, offset = 2.1 + 0.3 * index, (11 + 5 * index, 17 + 3 * index)
    photo, window = photo_containing(released, scale, offset, (int(frame[0] * scale) + 40, int(frame[1] * scale) + 50))
    fake.register(photo, detections(person_detection(keypoints, window, frame, FRAME_MARGINS[dataset]), *bystanders))
    return photo


def write_random_generator(checkpoints_dir, name, dataset="market"):
    """Save a random-weight pose G of the dataset's paper configuration as ``<checkpoints_dir>/<name>/latest_net_G.pth``."""
    import model as models
    from options.test_options import TestOptions
    from script.pose_from_checkpoint import PAPER_CONFIGS
    with contextlib.redirect_stdout(io.StringIO()):
        opt = TestOptions().parse(["--model=pose", f"--dataset_mode={dataset}", *PAPER_CONFIGS[dataset], "--gpu_ids=-1",
                                   f"--checkpoints_dir={checkpoints_dir}", f"--name={name}", "--init_type=none"],
                                  save=False)
        models.find_model_class("pose")(opt).save_networks("latest")
    return os.path.join(checkpoints_dir, name, "latest_net_G.pth")


def assert_maps_back(found, released, name=""):
    """Joints found = the released ones: missing ones -1, others the same pixel, the neck within a
    pixel of the shoulders' midpoint (a midpoint can land on a pixel border)."""
    expected = expected_joints(released)
    present = (expected >= 0).all(axis=1)
    np.testing.assert_array_equal(found[~present], -1, err_msg=f"{name}: missing joints")
    error = np.abs(found[present] - expected[present])
    assert error.max() <= 1, f"{name}: joints off by up to {error.max()} px"
    assert error[np.flatnonzero(present) != 1].max() == 0, f"{name}: a released joint moved"
