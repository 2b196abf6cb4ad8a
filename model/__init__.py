"""Model registry: ``--model`` name -> model class, found lazily by module (CycleGAN style, strict).

Each model class has a static ``modify_options(parser, is_train)`` hook that adds its options.
"""
import importlib

_MODELS = {
    "pose": ("model.pose_model", "PoseModel"),
    "pose_flow": ("model.pose_flow_model", "PoseFlowModel"),
    "face": ("model.face_model", "FaceModel"),
    "dance": ("model.dance_model", "DanceModel"),
    "shapenet": ("model.shapenet_model", "ShapeNetModel"),
    "shapenetflow": ("model.shapenetflow_model", "ShapeNetFlowModel"),
    "keypoint": ("model.keypoint_model", "KeypointModel"),
}
_ALIASES = {"poseflownet": "pose_flow"}


def model_names():
    """The valid ``--model`` values, aliases included."""
    return sorted(_MODELS) + sorted(_ALIASES)


def canonical_model_name(name):
    """Resolve aliases (``poseflownet`` -> ``pose_flow``); ValueError for an unknown name."""
    name = _ALIASES.get(name, name)
    if name not in _MODELS:
        raise ValueError(f"--model: unknown model {name!r}; valid models: {', '.join(model_names())}")
    return name


def find_model_class(name):
    """The model class registered under ``name`` (or its alias)."""
    module_name, class_name = _MODELS[canonical_model_name(name)][:2]
    return getattr(importlib.import_module(module_name), class_name)


def get_option_setter(name):
    """The ``modify_options(parser, is_train)`` hook of the model ``name``."""
    return find_model_class(name).modify_options


def create_model(opt):
    """Build the model ``opt.model``, set up schedulers and load checkpoints as ``opt`` says."""
    instance = find_model_class(opt.model)(opt)
    instance.setup(opt)
    return instance
