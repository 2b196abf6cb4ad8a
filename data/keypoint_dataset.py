"""Human3.6M keypoint sequences for the motion-extraction net: ``--dataset_mode=keypoint``
(original: data/keypoint_dataset.py, KeypointDataset).

Files (data.human36m): ``--input_path`` (noisy detections, COCO-17 order) and ``--gt_path``
(ground truth, Human3.6M-17 order), both VideoPose3D ``.npz`` files, read from the current folder
as in the original (not from ``--dataroot``). Training uses subjects S1, S5, S6, S7, S8; testing
S9 and S11.

A training item is a window of one sequence (item ``i``: sequence ``i``): the ground truth of
``--n_frames_pre_load`` frames ``start, start + t, ...`` (``t = min(--t_step, T // n)``, ``start``
uniform in ``0..max(1, T - (n - 1) t) - 1``) and the input frames around them that the net's
receptive field (``--n_receptive``, 81: 40 frames either side) needs, clamped to the sequence;
both are scaled by U[1, 1.5) and shifted by U[-0.1, 0.1) per axis alike, drawn from the item's
generator (``BaseDataset.sample_rng``). A test item is a whole sequence.
"""
import torch

from data.base_dataset import BaseDataset
from data.human36m import (EXCLUDED_SUBJECTS, NUM_JOINTS, camera_of, normalised_columns, paired_sequences,
                           read_positions)
from options.errors import OptionError
from util.errors import UserError


class KeypointDataset(BaseDataset):
    """Noisy -> clean 2-D keypoint sequences.

    An item (keypoint columns: 17 y then 17 x rows, ``p / 1000 * 2 - 1``):

    * training: ``input_data`` float32 [34, n + R - 1] (n = ``--n_frames_pre_load``, R =
      ``--n_receptive``: [34, 104] by default) and ``gt_data`` [34, n], augmented alike;
    * test: ``input_data`` and ``gt_data`` float32 [34, T] of the whole sequence, and
      ``out_path`` ``{'subject', 'action', 'camera'}`` (the camera index as a string);
    * ``camera``: ``{'id', 'res_w', 'res_h'}`` of the sequence's camera (the original carried the
      full camera calibration, which nothing read).
    """

    def __init__(self, opt):
        super().__init__(opt)
        for name in ("t_step", "n_frames_pre_load", "n_receptive"):
            if getattr(opt, name) < 1:
                raise OptionError(f"--{name}: expected an integer >= 1, got {getattr(opt, name)}")
        inputs, ground_truth = read_positions(opt.input_path), read_positions(opt.gt_path)
        excluded = EXCLUDED_SUBJECTS[bool(opt.isTrain)]
        self.sequences = paired_sequences(inputs, ground_truth, excluded)
        if not self.sequences:
            raise UserError(f"{opt.input_path}: no sequence shared with {opt.gt_path} (same subject, action and "
                            f"camera, lengths within 1 %) outside the subjects {', '.join(excluded)}")
        self.cameras = [camera_of(sequence, opt.input_path) for sequence in self.sequences]
        if opt.isTrain:
            for sequence in self.sequences:
                if len(sequence.gt) < opt.n_frames_pre_load:
                    raise UserError(f"{opt.gt_path}: {sequence.subject}/{sequence.action} camera {sequence.camera}: "
                                    f"{len(sequence.gt)} frames, fewer than --n_frames_pre_load="
                                    f"{opt.n_frames_pre_load}; lower it or remove the sequence")

    def __len__(self):
        return len(self.sequences)

    def __getitem__(self, index):
        sequence, camera = self.sequences[index], self.cameras[index]
        width = camera["res_w"]
        if not self.opt.isTrain:
            return {"input_data": normalised_columns(sequence.input, width),
                    "gt_data": normalised_columns(sequence.gt, width), "camera": camera,
                    "out_path": {"subject": sequence.subject, "action": sequence.action,
                                 "camera": str(sequence.camera)}}
        rng = self.sample_rng(index)
        gt_frames, input_frames = self.window(len(sequence.gt), rng)
        gt_data = normalised_columns(sequence.gt[gt_frames], width)
        input_data = normalised_columns(sequence.input[input_frames], width)
        scale = 0.5 * rng.random() + 1
        shift = torch.tensor([rng.random() * 0.2 - 0.1, rng.random() * 0.2 - 0.1]).repeat_interleave(NUM_JOINTS)
        return {"input_data": input_data * scale + shift[:, None], "gt_data": gt_data * scale + shift[:, None],
                "camera": camera}

    def window(self, length, rng):
        """Ground-truth frame indices of a training window and the input frame indices around them."""
        count, receptive = self.opt.n_frames_pre_load, self.opt.n_receptive
        step = min(self.opt.t_step, length // count)
        start = int(rng.integers(max(1, length - (count - 1) * step)))
        gt_frames = [start + i * step for i in range(count)]
        input_frames = [min(max(start + i * step, 0), length - 1)
                        for i in range(-receptive // 2 + 1, count + receptive // 2)]
        return gt_frames, input_frames

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = BaseDataset.modify_commandline_options(parser, is_train)
        parser.add_argument("--t_step", type=int, default=1, help="frame step of a training window")
        parser.add_argument("--n_frames_pre_load", type=int, default=24, help="output frames of a training window")
        parser.add_argument("--n_frames_pre_load_test", type=int, default=24, help="output frames of a test chunk")
        parser.add_argument("--n_receptive", type=int, default=81, help="receptive field of the net in frames")
        parser.add_argument("--gt_path", type=str, default="./dataset/human36m/data_2d_h36m_gt.npz",
                            help="VideoPose3D ground-truth 2-D keypoints (Human3.6M-17 order)")
        parser.add_argument("--input_path", type=str, default="./dataset/human36m/data_2d_h36m_detectron_pt_coco.npz",
                            help="VideoPose3D detected 2-D keypoints (COCO-17 order)")
        parser.add_argument("--debug", action="store_true", help="accepted for compatibility (no effect)")
        parser.set_defaults(debug=False, structure_nc=NUM_JOINTS, batchSize=32 if is_train else 1)
        return parser
