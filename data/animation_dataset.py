"""Base of the video (animation) datasets, face and dance: which frames each item loads.

Behaviour of the original ``AnimationDataset`` (original: data/animation_dataset.py,
AnimationDataset; the padding of data/face_dataset.py, FaceDataset.pad_for_latest_frames):

* training: item ``i`` is a clip of video ``i % n`` (``n`` videos, at most ``--max_dataset_size``)
  of ``--n_frames_total`` frames ``start, start + step, ...``, with ``step`` uniform in
  ``1..min(--max_t_step, length // n_frames_total)`` and ``start`` uniform in
  ``0..max(1, length - (n_frames_total - 1) * step) - 1``; both are drawn from the item's own
  generator (``BaseDataset.sample_rng``), so a clip is a function of the loader's seed and the index;
* test: the items are the chunks of ``--n_frames_pre_load_test`` consecutive frames of every video
  in order, from ``--start_frame`` to the end of the video (or ``--total_test_frames`` frames);
  the last chunk of a video is padded by repeating its last frame; ``frame_idx`` is the frame after
  the chunk and ``change_seq`` is True on a video's last chunk.

Deliberate differences: the original's test set was stateful (it advanced a frame counter on each
load, so it needed one worker); here each chunk is a function of its index, any number of loader
workers gives the same items. A training video shorter than a clip is an error (the original
loaded a shorter clip, which could not be batched with full ones), and so is an ``n_frames_total``
that is not a multiple of ``max_frames_per_gpu`` (the original silently rounded it down). With
``--start_frame`` the test ends at the video's end (or after ``--total_test_frames`` frames from
there), where the original stopped early or read past the end.
"""
import warnings
from typing import NamedTuple

from data.base_dataset import BaseDataset
from options.errors import OptionError
from util.errors import UserError


class ClipPlan(NamedTuple):
    """The frames one item loads."""

    video: int         # index of the video in ``find_videos()``'s list
    frames: tuple      # frame indices in loading order (a test chunk's padding repeats the last frame)
    frame_idx: int     # test: the index after the chunk (the original's counter); training: 0
    change_seq: bool   # test: this chunk ends its video; training: False


class AnimationDataset(BaseDataset):
    """Videos cut into training clips or test chunks; subclasses load the frames of a ``ClipPlan``.

    Subclasses implement ``find_videos()`` and build items from ``self.clip_plan(index)``. A
    subclass setting ``pad_last_test_chunk = False`` gets full last chunks instead of padded ones:
    the last chunk of a video is moved back to end at the video's last frame (overlapping the one
    before; original: data/keypointtest_dataset.py, KeypointTestDataset.update_seq_idx).
    """

    pad_last_test_chunk = True

    def __init__(self, opt):
        super().__init__(opt)
        self.is_train = bool(opt.isTrain)
        self._check_options(opt)
        videos = self.find_videos()[:opt.max_dataset_size]
        self.video_lengths = [length for _, length in videos]
        if self.is_train:
            self.clip_length = opt.n_frames_total
            for folder, length in videos:
                if length < self.clip_length:
                    raise UserError(f"{folder}: {length} frames, fewer than a training clip "
                                    f"(--n_frames_total={self.clip_length}); lower --n_frames_total or remove the video")
        else:
            self.chunks = self._test_chunks(opt, videos)

    def find_videos(self):
        """The dataset's videos as a list of (folder named in messages, number of frames)."""
        raise NotImplementedError

    def __len__(self):
        return len(self.video_lengths) if self.is_train else len(self.chunks)

    def clip_plan(self, index, rng=None):
        """The ``ClipPlan`` of item ``index``.

        ``rng``: the item's generator when the subclass draws more from it after the clip (default:
        a fresh ``sample_rng(index)``); unused in test.
        """
        if not self.is_train:
            return self.chunks[index]
        video = index % len(self.video_lengths)
        length = self.video_lengths[video]
        rng = self.sample_rng(index) if rng is None else rng
        step = int(rng.integers(min(self.opt.max_t_step, length // self.clip_length))) + 1
        start = int(rng.integers(max(1, length - (self.clip_length - 1) * step)))
        return ClipPlan(video, tuple(range(start, start + self.clip_length * step, step)), 0, False)

    @staticmethod
    def _check_options(opt):
        names = ("n_frames_total", "max_frames_per_gpu", "max_t_step") if opt.isTrain else ("n_frames_pre_load_test",)
        for name in names + ("max_dataset_size",):
            if getattr(opt, name) < 1:
                raise OptionError(f"--{name}: expected an integer >= 1, got {getattr(opt, name)}")
        if opt.isTrain:
            chunk = min(opt.n_frames_total, opt.max_frames_per_gpu)
            if opt.n_frames_total % chunk:
                raise OptionError(f"--n_frames_total={opt.n_frames_total}: a training clip is processed in chunks "
                                  f"of --max_frames_per_gpu={opt.max_frames_per_gpu} frames; expected a multiple "
                                  f"of {chunk}, e.g. {opt.n_frames_total - opt.n_frames_total % chunk}")
            return
        if getattr(opt, "start_frame", 0) < 0:
            raise OptionError(f"--start_frame: expected a frame index >= 0, got {opt.start_frame}")
        total, chunk = opt.total_test_frames, opt.n_frames_pre_load_test
        if total is not None and total < chunk:
            raise OptionError(f"--total_test_frames={total}: expected at least --n_frames_pre_load_test={chunk} "
                              f"frames, or none (whole videos)")

    def _test_chunks(self, opt, videos):
        """Every video's chunks of ``n_frames_pre_load_test`` frames, in order."""
        chunk, first = opt.n_frames_pre_load_test, getattr(opt, "start_frame", 0)
        total = opt.total_test_frames
        if total is not None and total % chunk:
            warnings.warn(f"--total_test_frames={total} is not a multiple of --n_frames_pre_load_test={chunk}: "
                          f"testing {total - total % chunk} frames per video", stacklevel=3)
            total -= total % chunk
        chunks = []
        for video, (folder, length) in enumerate(videos):
            stop = length if total is None else first + total
            if first >= length or stop > length:
                wanted = f"--start_frame={first}" + ("" if total is None else f" and --total_test_frames={total}")
                raise UserError(f"{folder}: {length} frames, too few for {wanted}; lower them or remove the video")
            if not self.pad_last_test_chunk and stop < chunk:
                raise UserError(f"{folder}: {length} frames, fewer than a test chunk "
                                f"(--n_frames_pre_load_test={chunk}); lower it or remove the video")
            for start in range(first, stop, chunk):
                if not self.pad_last_test_chunk:
                    start = min(start, stop - chunk)
                frames = tuple(min(frame, length - 1) for frame in range(start, start + chunk))
                chunks.append(ClipPlan(video, frames, start + chunk, start + chunk >= stop))
        return chunks

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = BaseDataset.modify_commandline_options(parser, is_train)
        parser.add_argument("--n_frames_total", type=int, default=30, help="frames per training clip")
        parser.add_argument("--max_frames_per_gpu", type=int, default=6, help="frames per forward pass")
        parser.add_argument("--n_frames_pre_load_test", type=int, default=1, help="frames per test chunk")
        parser.add_argument("--total_test_frames", type=int, default=300, help="frames tested per video")
        parser.add_argument("--max_t_step", type=int, default=1, help="largest frame step of a training clip")
        parser.add_argument("--debug", action="store_true", help="debug mode of the video loaders")
        return parser
