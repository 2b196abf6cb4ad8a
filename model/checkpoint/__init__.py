"""Checkpoints: every file a run saves or loads goes through this package.

* ``files``: file names, the one reader (``load_file``) and saving a set of files as one unit
  (two-phase commit with a journal, recovered at the next start);
* ``state_dicts``: network state dicts in the released layouts, loaded strictly, or as whole
  sub-modules for the two-stage hand-over;
* ``model_io``: what a model's save holds, loading for testing and resuming training.
"""
from model.checkpoint.files import (CheckpointError, MissingCheckpointError, StagedFiles, file_sha256, load_file,
                                    network_path, numbered_saves, recover_interrupted_save, training_state_path)
from model.checkpoint.model_io import load_for_test, resume_training, save_checkpoint
from model.checkpoint.state_dicts import (CheckpointMismatchError, load_handover, load_state_dict_strict,
                                          top_level_names, unwrap)

__all__ = ["CheckpointError", "CheckpointMismatchError", "MissingCheckpointError", "StagedFiles", "file_sha256",
           "load_file", "load_for_test", "load_handover", "load_state_dict_strict", "network_path",
           "numbered_saves", "recover_interrupted_save", "resume_training", "save_checkpoint",
           "top_level_names", "training_state_path", "unwrap"]
