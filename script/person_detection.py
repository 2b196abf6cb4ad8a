"""Command-line options and the one call of the scripts that take people from photos
(``script.demo``, ``script.annotate_keypoints``): detect, pick, frame."""
from data.coco_keypoints import DEFAULT_JOINT_THRESHOLD
from data.person_crop import FRAME_MARGINS
from data.person_photo import frame_person, read_photo
from util.keypoint_detector import (DEFAULT_DETECTOR_SIZE, DEFAULT_PERSON_THRESHOLD, WEIGHTS_FILE, detect_people,
                                    load_keypoint_detector)


def add_detection_arguments(parser):
    """``--dataset`` (the frame) and the detector's options."""
    group = parser.add_argument_group("people in photos")
    group.add_argument("--dataset", choices=sorted(FRAME_MARGINS), default="fashion",
                       help="whose frame people are put in: fashion (256x176, h x w; the default) or market (128x64)")
    group.add_argument("--margin", type=float, default=None,
                       help="space around the person's box, a fraction of its height "
                            f"(default {', '.join(f'{k} {v}' for k, v in FRAME_MARGINS.items())})")
    group.add_argument("--detector_weights", default=None,
                       help=f"Keypoint R-CNN weights file (default: {WEIGHTS_FILE} in $TORCH_HOME/hub/checkpoints)")
    group.add_argument("--detector_size", type=int, default=DEFAULT_DETECTOR_SIZE,
                       help="shorter side photos are resized to for detection (smaller is faster, less accurate)")
    group.add_argument("--person_threshold", type=float, default=DEFAULT_PERSON_THRESHOLD,
                       help="least detection score of a person")
    group.add_argument("--joint_threshold", type=float, default=DEFAULT_JOINT_THRESHOLD,
                       help="least score (a heatmap logit) of a joint; weaker joints are missing (-1)")
    return parser


def load_detector(args, device):
    """The Keypoint R-CNN the options ask for."""
    return load_keypoint_detector(args.detector_weights, device, args.person_threshold, args.detector_size)


def frame_photo(path, detector, args, frame_size, crop=True):
    """Read the photo ``path`` and frame its most confident person: a ``data.person_photo.FramedPerson``."""
    image = read_photo(path)
    margin = FRAME_MARGINS[args.dataset] if args.margin is None else args.margin
    return frame_person(image, detect_people(detector, image), frame_size, margin, args.joint_threshold,
                        crop=crop, name=str(path))
