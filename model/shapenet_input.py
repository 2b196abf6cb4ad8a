"""What the two view-synthesis models share: their batch, with the [h, v] view labels as one-hot codes.

The shapenet dataset labels a view ``[h, v]`` (h = azimuth / 10, v = elevation in degrees); the
networks take the 21-channel code ``one_hot(h // 2, 18) ⊕ one_hot(v // 10, 3)`` (original:
model/shapenet_model.py and model/shapenetflow_model.py, obtain_shape_net_semantic, which relied
on torch 1.0's integer ``/`` and only set the inputs on a GPU; here ``//``, on any device).
"""
import torch
import torch.nn.functional as F

from data.shapenet_dataset import split_view_id


def view_code(labels, azimuth_classes=18, elevation_classes=3, dtype=torch.float32):
    """One-hot view codes of view labels.

    Args:
        labels: integer tensor [B, 2, h, w] (the dataset gives h = w = 1): channel 0 the azimuth / 10
            (0, 2, ..., 34), channel 1 the elevation in degrees (0, 10, 20).
        azimuth_classes, elevation_classes: ``--label_nc_h``, ``--label_nc_v``.
        dtype: floating type of the code.
    Returns:
        [B, azimuth_classes + elevation_classes, h, w]: 1 at channel ``h // 2`` and at channel
        ``azimuth_classes + v // 10``, 0 elsewhere.
    Raises:
        ValueError: labels of another shape or type, or a class out of range.
    """
    if labels.dim() != 4 or labels.shape[1] != 2 or labels.is_floating_point():
        raise ValueError(f"view labels: expected an integer tensor [B, 2, h, w] of [azimuth/10, elevation], "
                         f"got {labels.dtype} {tuple(labels.shape)}")
    parts = []
    for classes, divisor, channel, what in ((azimuth_classes, 2, 0, "azimuth/10"),
                                            (elevation_classes, 10, 1, "elevation")):
        index = labels[:, channel] // divisor
        outside = labels[:, channel][(index < 0) | (index >= classes)]
        if outside.numel():
            raise ValueError(f"view labels: {what} = {outside[0].item()} is outside 0..{classes * divisor - 1}")
        parts.append(F.one_hot(index.long(), classes))
    return torch.cat(parts, dim=-1).permute(0, 3, 1, 2).to(dtype)


class ViewCodeInput:
    """Mixin placed before a ``PosePairModel`` subclass: ``set_input`` for the shapenet dataset.

    Training items are pairs (P1, BP1 -> P2, BP2) as the pose datasets give, with labels instead
    of poses. Test items hold one source view and all its targets (``P2``, ``BP2``, ``P2_path``
    lists of T); they become ``input_P2`` [B, T, 3, H, W] and ``input_BP2`` [B, T, 21, 1, 1], and
    ``image_paths`` the objects' names.
    """

    def code(self, labels):
        """The view code of ``labels`` [B, 2, 1, 1] in the images' type."""
        return view_code(labels, self.opt.label_nc_h, self.opt.label_nc_v, self.input_P1.dtype)

    def set_input(self, batch):
        if not isinstance(batch["P2"], (list, tuple)):
            super().set_input(batch)
            self.input_BP1, self.input_BP2 = self.code(self.input_BP1), self.code(self.input_BP2)
            return
        device = self.device
        self.input_P1 = batch["P1"].to(device, non_blocking=True)
        self.input_BP1 = self.code(batch["BP1"].to(device, non_blocking=True))
        self.input_P2 = torch.stack(list(batch["P2"]), dim=1).to(device, non_blocking=True)
        self.input_BP2 = torch.stack([self.code(labels.to(device, non_blocking=True)) for labels in batch["BP2"]],
                                     dim=1)
        # the original took P1_path.split('_')[0]; the same for ShapeNet's names, which have no '_'
        self.image_paths = [split_view_id(path)[0] for path in batch["P1_path"]]
