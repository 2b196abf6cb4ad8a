"""Framing on the shared real samples: a released frame hidden in a larger photo, found through a
Keypoint R-CNN output made from its released keypoints, comes back with the same 18 joints."""
import os

import numpy as np
import pytest
from PIL import Image

from data.person_crop import FRAME_MARGINS, crop_to_frame, crop_window, dataset_frame, points_to_frame
from data.person_photo import NoPersonError, frame_person
from tests.paths import REAL_SAMPLES

from .fakes import DATASETS, assert_maps_back, detections, person_detection, photo_containing, real_samples

needs_real_samples = pytest.mark.skipif(not os.path.isdir(REAL_SAMPLES), reason=f"no real samples at {REAL_SAMPLES}")
SAMPLES_PER_DATASET = 12


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_frames_are_the_datasets_annotation_frames(dataset):
    assert dataset_frame(dataset) == DATASETS[dataset]["frame"]


@needs_real_samples
@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_released_frame_found_in_a_larger_photo_maps_back_to_its_joints(dataset):
    photos, annotations = real_samples(dataset)
    frame, margin = DATASETS[dataset]["frame"], FRAME_MARGINS[dataset]
    names = [name for name, kp in annotations.items() if (kp >= 0).sum() >= 20][:SAMPLES_PER_DATASET]
    assert len(names) == SAMPLES_PER_DATASET
    for index, name in enumerate(names):
        keypoints = annotations[name]
        with Image.open(os.path.join(photos, name)) as image:
            released = image.convert("RGB")
        scale, offset = 1.7 + 0.23 * index, (13 + 7 * index, 29 + 5 * index)
        photo, window = photo_containing(released, scale, offset, (int(frame[0] * scale) + 60, int(frame[1] * scale) + 90))
        person = person_detection(keypoints, window, frame, margin)
        decoy = person_detection(keypoints, (0.0, 0.0, 40.0, 40.0 * frame[1] / frame[0]), frame, margin, score=0.6)
        framed = frame_person(photo, detections(decoy, person), frame, margin, joint_threshold=2.0, name=name)

        assert framed.people == 2 and framed.score == pytest.approx(0.99)
        assert "2 people found" in framed.several_people_note(name)
        assert_maps_back(framed.keypoints, keypoints, name)
        assert framed.image.size == released.size
        assert_same_picture(framed.image, released, name)


def assert_same_picture(framed, released, name):
    """Close to the released photo (resampled twice: up into the photo, down into the frame) and
    aligned with it: shifting it by one pixel in any direction only makes the difference larger.
    Compared inside a 3-pixel border: the filters there reach into the photo beyond the frame."""
    framed, released = (np.asarray(picture, dtype=np.float64) for picture in (framed, released))
    inner = (slice(3, -3), slice(3, -3))
    shifted = {(dy, dx): np.abs(framed[inner] - np.roll(released, (dy, dx), axis=(0, 1))[inner]).mean()
               for dy in (-1, 0, 1) for dx in (-1, 0, 1)}
    assert shifted[0, 0] < 6.0, f"{name}: framed photo differs from the released one by {shifted[0, 0]:.2f}"
    assert min(shifted, key=shifted.get) == (0, 0), f"{name}: framed photo is shifted: {shifted}"


@needs_real_samples
def test_uncropped_photo_keeps_its_released_joints():
    """--crop=false: a photo already in the frame is used whole; its joints are the released ones."""
    photos, annotations = real_samples("market")
    name, keypoints = next(iter(annotations.items()))
    with Image.open(os.path.join(photos, name)) as image:
        photo = image.convert("RGB")
    window = (0.0, 0.0, float(photo.height), float(photo.width))
    found = detections(person_detection(keypoints, window, (128, 64), margin=0.5))
    framed = frame_person(photo, found, (128, 64), 0.03, joint_threshold=2.0, crop=False)
    assert_maps_back(framed.keypoints, keypoints)
    np.testing.assert_array_equal(np.asarray(framed.image), np.asarray(photo))


def test_nobody_found_is_one_clear_error():
    with pytest.raises(NoPersonError, match="me.jpg: no person found"):
        frame_person(Image.new("RGB", (50, 80)), detections(), (128, 64), 0.03, 2.0, name="me.jpg")


@pytest.mark.parametrize("box, expected", [
    ((10, 20, 30, 120), (17.0, -6.5, 106.0, 53.0)),    # tall box: height + 2 * 3 px margin decides
    ((0, 0, 200, 50), (-178.0, -1.5, 406.0, 203.0)),     # wide box: width + margin decides
])
def test_crop_window_has_the_frames_aspect_and_the_margin(box, expected):
    window = crop_window(box, (128, 64), margin=0.03)
    assert window == pytest.approx(expected)
    assert window[2] / window[3] == pytest.approx(2.0)


def test_window_outside_the_photo_repeats_its_border():
    photo = Image.fromarray(np.array([[[0, 0, 0], [255, 255, 255]]] * 4, dtype=np.uint8))  # 4x2, black | white
    framed = np.asarray(crop_to_frame(photo, (-4.0, -2.0, 12.0, 6.0), (12, 6)))
    assert (framed[:, :3] == 0).all() and (framed[:, 3:] == 255).all()


def test_points_outside_the_frame_or_missing_are_minus_one():
    points = np.array([[5.0, 5.0], [np.nan, np.nan], [-0.1, 3.0], [12.0, 3.0], [11.99, 5.99]])
    pixels = points_to_frame(points, (0.0, 0.0, 12.0, 6.0), (12, 6))
    np.testing.assert_array_equal(pixels, [[5, 5], [-1, -1], [-1, -1], [-1, -1], [11, 5]])
