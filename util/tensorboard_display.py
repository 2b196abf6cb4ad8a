"""The Visualizer's TensorBoard backend (``--display_tensorboard``): losses as scalars, visuals as images.

Each call is flushed, so ``tensorboard --logdir <checkpoints_dir>/<name>/tensorboard`` shows it at
once and a crash loses nothing.
"""


class TensorBoardDisplay:
    """Writes TensorBoard event files.

    Args:
        log_dir: folder of the event files (created).
    """

    def __init__(self, log_dir):
        try:
            from torch.utils.tensorboard import SummaryWriter  # imported here: tensorboard is optional
        except ImportError as error:
            raise ImportError("--display_tensorboard needs the tensorboard package: pip install tensorboard") from error
        self.log_dir = log_dir
        self._writer = SummaryWriter(log_dir)

    def plot(self, iteration, errors):
        """Log each loss as scalar ``loss/<name>`` at step ``iteration``."""
        for name, value in errors.items():
            self._writer.add_scalar(f"loss/{name}", float(value), iteration)
        self._writer.flush()

    def show_images(self, images, iteration):
        """Log each uint8 [H, W, 3] image as ``visuals/<label>`` at step ``iteration``."""
        for label, image in images.items():
            self._writer.add_image(f"visuals/{label}", image, iteration, dataformats="HWC")
        self._writer.flush()

    def close(self):
        """Flush and close the event file."""
        self._writer.close()
