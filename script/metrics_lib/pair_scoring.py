"""One pass over the generated/ground-truth pairs: per-pair scores in the workers, LPIPS in batches."""
import torch
from tqdm import tqdm

from script.metrics_lib.body_mask import body_mask
from script.metrics_lib.image_files import check_size, read_rgb, to_chw_tensor
from script.metrics_lib.lpips_metric import lpips_distances
from script.metrics_lib.runtime import full_fp32, make_loader
from util.errors import BadInputError


class PairDataset(torch.utils.data.Dataset):
    """Loads each pair, draws its mask and computes its ``pair`` metrics.

    Items: dict with the per-pair scores by metric name (float), and when ``with_images`` the
    uint8 images ``'generated'``, ``'target'`` [3, H, W] and, with keypoints, ``'mask'`` bool [H, W].
    """

    def __init__(self, pairs, pair_metrics, keypoints=None, with_images=False):
        self.pairs = pairs
        self.pair_metrics = pair_metrics
        self.keypoints = keypoints
        self.with_images = with_images

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        pair = self.pairs[index]
        generated, target = read_rgb(pair.generated), read_rgb(pair.target)
        check_size(pair.generated, generated, target.shape[:2], pair.target)
        mask = None
        if self.keypoints is not None:
            mask = body_mask(self.keypoints[pair.target_name], target.shape[:2])
        item = {}
        if self.with_images:
            item.update(generated=to_chw_tensor(generated), target=to_chw_tensor(target))
            if mask is not None:
                item["mask"] = torch.from_numpy(mask)
        generated, target = generated / 255.0, target / 255.0
        for metric in self.pair_metrics:
            pair_images = (target * mask[..., None], generated * mask[..., None]) if metric.masked \
                else (target, generated)
            try:
                item[metric.name] = metric.score(*pair_images)
            except ValueError as error:
                raise BadInputError(f"{metric.name} of {pair.generated!r} vs {pair.target!r}: {error}") from error
        return item


def score_pairs(pairs, metrics, device, batch_size, num_workers, keypoints=None, lpips_model=None):
    """Score every pair with the ``pair`` and ``lpips`` metrics among ``metrics``.

    Args:
        pairs: list[ImagePair].
        metrics: list[registry.Metric] of kinds 'pair' and 'lpips'.
        device: where LPIPS runs.
        batch_size, num_workers: data loading (no pair is dropped here).
        keypoints: dict target file name -> [18, 2] keypoints, needed by masked metrics.
        lpips_model: from ``lpips_metric.build_lpips``, needed by 'lpips' metrics.
    Returns:
        dict metric name -> np.ndarray float64 [len(pairs)] of per-pair scores, in ``pairs`` order.
    """
    pair_metrics = [metric for metric in metrics if metric.kind == "pair"]
    lpips_metrics = [metric for metric in metrics if metric.kind == "lpips"]
    dataset = PairDataset(pairs, pair_metrics, keypoints, with_images=bool(lpips_metrics))
    scores = {metric.name: [] for metric in pair_metrics + lpips_metrics}
    if lpips_metrics:
        lpips_model = lpips_model.to(device)
    with torch.inference_mode(), full_fp32():
        for batch in tqdm(make_loader(dataset, batch_size, num_workers, device),
                          desc="pairs (" + ", ".join(scores) + ")", unit="batch"):
            for metric in pair_metrics:
                scores[metric.name].append(batch[metric.name].double())
            for metric in lpips_metrics:
                mask = batch["mask"].to(device) if metric.masked else None
                scores[metric.name].append(lpips_distances(
                    lpips_model, batch["generated"].to(device), batch["target"].to(device), mask))
    return {name: torch.cat(values).numpy() for name, values in scores.items()}
