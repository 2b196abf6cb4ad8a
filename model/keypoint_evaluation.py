"""The motion extraction net over whole sequences, and its errors on Human3.6M's test sequences."""
import csv
import io

import torch
import torch.nn.functional as F

from data.skeleton_maps import NUM_JOINTS
from util.atomic import atomic_write_text

WINDOWS_PER_PASS = 256  # windows the net sees at once (bounds the memory of long sequences)


def chunk_starts(length, chunk):
    """First frames of the chunks of ``chunk`` frames covering ``length`` frames, the last moved back
    to end at the last frame (as data.keypointtest_dataset cuts a video)."""
    return [min(start, max(length - chunk, 0)) for start in range(0, length, chunk)]


def cleaned_sequence(net, keypoints, chunk, pad):
    """The net's output for a whole sequence, chunk by chunk, as a set is cleaned.

    Args:
        net: the motion extraction net, receptive field ``2 pad + 1``.
        keypoints: [34, T] noisy keypoint columns.
        chunk: output frames per window (``--n_frames_pre_load_test``, 24).
        pad: frames the net needs either side (40); the sequence's first and last frames repeat
            where it runs out.
    Returns:
        [34, T] the cleaned columns; the frames two chunks cover take the later chunk's output, as
        the later files replace the earlier ones when a set is cleaned.
    """
    length = keypoints.shape[1]
    starts = chunk_starts(length, chunk)
    frames = (torch.tensor(starts)[:, None] + torch.arange(-pad, chunk + pad)).clamp(0, length - 1)
    windows = keypoints[:, frames.to(keypoints.device)].permute(1, 0, 2)  # [windows, 34, chunk + 2 pad]
    outputs = torch.cat([net(part) for part in windows.split(WINDOWS_PER_PASS)])
    cleaned = keypoints.new_empty(keypoints.shape[0], length)
    for start, output in zip(starts, outputs):
        count = min(chunk, length - start)
        cleaned[:, start:start + count] = output[:, :count]
    return cleaned


class SequenceErrors:
    """The errors of the cleaned test sequences, as a CSV rewritten after each sequence.

    Columns: ``sequence`` (``<subject>/<action>.<camera>``), ``frames``, ``mse`` (the training loss,
    on the normalised columns), ``mpjpe_px`` (mean distance between the cleaned and the true
    joints, in pixels); the last row, ``all``, holds the frame-weighted means so far.
    """

    COLUMNS = ("sequence", "frames", "mse", "mpjpe_px")

    def __init__(self, path):
        self.path = path
        self.rows = []

    def add(self, sequence, output, ground_truth, image_width):
        """Score one sequence: ``output`` and ``ground_truth`` [34, T], normalised by ``image_width``."""
        mse = F.mse_loss(output, ground_truth).item()
        offsets = (output - ground_truth).T.reshape(-1, 2, NUM_JOINTS)
        mpjpe = (offsets.norm(dim=1).mean() * image_width / 2).item()
        self.rows.append((sequence, output.shape[1], mse, mpjpe))
        frames = sum(row[1] for row in self.rows)
        means = [sum(row[1] * row[column] for row in self.rows) / frames for column in (2, 3)]
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(self.COLUMNS)
        writer.writerows((name, count, f"{error:.6g}", f"{pixels:.4f}") for name, count, error, pixels in self.rows)
        writer.writerow(("all", frames, f"{means[0]:.6g}", f"{means[1]:.4f}"))
        atomic_write_text(self.path, text.getvalue())
