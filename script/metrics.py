"""Score generated person images: FID, LPIPS, SSIM, PSNR, ... as the papers compute them.

    python -m script.metrics --gt_path ./dataset/market/test_12864 \
        --distorated_path ./eval_results/market --fid_real_path ./dataset/market/train_12864 \
        --name market --calculate_mask --annotation_path ./dataset/market/market-annotation-test.csv
    python -m script.metrics --generated_path ./eval_results/shape_net_car   # view synthesis folders
    python -m script.metrics --generated_path ./eval_results/face --gt_path ./dataset/FaceForensics/test_data

The original's flags work unchanged; ``--generated_path`` and ``--real_path`` are clearer
aliases. Prints a table and writes the scores as JSON (``--output``, default
``./eval_results/<name>.json``). The metric code lives in ``script/metrics_lib``.
"""
import argparse
import os
import sys

if __package__ in (None, ""):  # run as ``python script/metrics.py``: make the repo root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from script.metrics_lib.evaluate import MetricsConfig  # noqa: E402
from script.metrics_lib.inception import PROTOCOLS  # noqa: E402
from script.metrics_lib.layouts import LAYOUTS, resolve_layout  # noqa: E402
from script.metrics_lib.registry import DEFAULT_METRICS, METRICS  # noqa: E402
from script.metrics_lib.report import write_report  # noqa: E402
from util.cli import run_entry_point  # noqa: E402
from util.cpus import worker_count  # noqa: E402


def build_parser():
    """The command-line parser; option names are ``MetricsConfig`` field names."""
    epilog = "metrics:\n" + "\n".join(f"  {name:<11} {metric.description}" for name, metric in METRICS.items())
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=epilog,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    paths = parser.add_argument_group("data")
    paths.add_argument("--generated_path", "--distorated_path", dest="generated_path", required=True,
                       help="folder of generated images <from>_2_<to>_vis.jpg (test.py's --results_dir)")
    paths.add_argument("--gt_path", help="folder of the ground-truth test images at the generated size, "
                                         "e.g. ./dataset/market/test_12864")
    paths.add_argument("--real_path", "--fid_real_path", dest="real_path",
                       help="folder of the real images of FID, e.g. ./dataset/market/train_12864")
    paths.add_argument("--annotation_path", help="keypoint CSV of the targets, for the masked metrics")
    paths.add_argument("--layout", choices=["auto", *LAYOUTS], default="auto",
                       help="'pairs' (<from>_2_<to>_vis.jpg and --gt_path), 'view_synthesis' (ShapeNet "
                            "<object>/result_XXXX.png beside gt_XXXX.png), 'video_frames' (animation "
                            "<video>/<frame>_vis.png and --gt_path <dataroot>/test_data) or 'auto': detected (default)")
    paths.add_argument("--pairs_path", help="pairs CSV of the test set: every pair must have a generated image "
                                            "(default: the *-pairs-<phase>.csv beside --gt_path, if any)")
    paths.add_argument("--allow_missing", action="store_true",
                       help="score the pairs that have a generated image when some do not (warns, naming them)")
    paths.add_argument("--name", help="name of the scored model (default: the generated folder's name)")
    paths.add_argument("--output", help="JSON file of the scores (default ./eval_results/<name>.json)")

    choice = parser.add_argument_group("metrics")
    choice.add_argument("--metrics", type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
                        help=f"comma-separated names (default {','.join(DEFAULT_METRICS)})")
    choice.add_argument("--calculate_mask", action="store_true",
                        help="also compute mask_lpips and mask_ssim (Market; needs --annotation_path)")
    choice.add_argument("--protocol", choices=PROTOCOLS, default="gfla",
                        help="FID network and input handling: 'gfla' = torchvision ImageNet Inception "
                             "with the 2018 pytorch-fid input (GFLA, DPTN, PIDM, CFLD); 'standard' = "
                             "pytorch-fid's TF Inception (default gfla)")
    choice.add_argument("--inception_weights", help="FID Inception weights file instead of the torch hub cache")
    choice.add_argument("--alexnet_weights", help="torchvision AlexNet weights file for LPIPS instead of the "
                                                  "torch hub cache")
    choice.add_argument("--drop_last_batch", action="store_true",
                        help="as the original, score FID and LPIPS on whole batches only (paper parity)")
    choice.add_argument("--batch_size", type=int, default=64, help="images per batch (default 64)")

    run = parser.add_argument_group("running")
    run.add_argument("--device", default="auto", help="'auto' (a GPU when there is one), 'cpu', 'cuda:0', ...")
    run.add_argument("--num_workers", type=int, default=worker_count(8),
                     help="image-loading processes (default 8; at most the CPUs available)")
    run.add_argument("--cache_dir", help="where real-image FID statistics are cached (default ~/.cache/gfla_metrics)")
    return parser


def main(argv=None):
    """Parse ``argv`` (default ``sys.argv[1:]``), compute, print and save. Returns the report dict."""
    options = vars(build_parser().parse_args(argv))
    evaluate_layout, format_table = LAYOUTS[resolve_layout(options.pop("layout"), options["generated_path"])]
    config = MetricsConfig(**options)
    report = evaluate_layout(config)
    output = config.output or os.path.join("eval_results", f"{report['name']}.json")
    write_report(output, report)
    print(format_table(report))
    print(f"scores written to {output}")
    return report


if __name__ == "__main__":
    run_entry_point(main)
