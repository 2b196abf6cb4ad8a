"""The person of a photo in a dataset's frame: the framed image and its 18 keypoints, annotation style.

Joins a detector's people (``util.keypoint_detector.Detections``), the COCO -> OpenPose joint
mapping (``data.coco_keypoints``) and the framing (``data.person_crop``); shared by
``script.demo`` and ``script.annotate_keypoints``.
"""
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from data.coco_keypoints import most_confident_person, openpose_from_coco
from data.person_crop import crop_to_frame, crop_window, points_to_frame, whole_image_window
from util.errors import UserError


class NoPersonError(UserError):
    """The detector found nobody in a photo."""


@dataclass(frozen=True)
class FramedPerson:
    """image: PIL RGB image of the frame's size; keypoints: int64 [18, 2] of (row, col) in the
    frame, -1 for missing joints; people: how many people the detector found; score: the chosen
    person's detection score."""

    image: Image.Image
    keypoints: np.ndarray
    people: int
    score: float

    def several_people_note(self, name):
        """A line saying which person was used when the photo showed several, else None."""
        if self.people < 2:
            return None
        return f"{name}: {self.people} people found, using the most confident one (score {self.score:.2f})"


def read_photo(path):
    """A photo as an upright RGB PIL image (the camera's EXIF orientation applied).

    Raises:
        UserError: the file is missing or not a readable image; the message names it.
    """
    try:
        with Image.open(path) as image:
            return ImageOps.exif_transpose(image).convert("RGB")
    except FileNotFoundError:
        raise UserError(f"photo not found: {path}") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise UserError(f"cannot read the photo {path} ({error}); pass a JPEG or PNG image") from None


def frame_person(image, detections, frame_size, margin, joint_threshold, crop=True, name="photo"):
    """Frame the most confident person of a photo.

    Args:
        image: PIL RGB photo.
        detections: ``Detections`` of the photo.
        frame_size: (height, width) of the dataset's annotation frame.
        margin: space around the person's box, a fraction of its height (``data.person_crop``).
        joint_threshold: joints scoring at or below this are missing (-1).
        crop: False to take the whole photo (already framed as the dataset's) stretched to the frame.
        name: how the photo is called in messages.
    Returns:
        FramedPerson.
    Raises:
        NoPersonError: nobody was found.
    """
    index = most_confident_person(detections.scores)
    if index is None:
        raise NoPersonError(f"{name}: no person found; use a photo in which one person is clearly "
                            "visible, or lower --person_threshold")
    joints = openpose_from_coco(detections.keypoints[index], detections.keypoint_scores[index], joint_threshold)
    window = crop_window(detections.boxes[index], frame_size, margin) if crop else whole_image_window(image)
    return FramedPerson(image=crop_to_frame(image, window, frame_size),
                        keypoints=points_to_frame(joints, window, frame_size),
                        people=len(detections.scores), score=float(detections.scores[index]))
