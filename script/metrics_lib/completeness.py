"""Is every test pair generated? Scores over a silently smaller set look comparable but are not.

The test pairs are those of the dataset's pairs CSV (``--pairs_path``, by default the
``*-pairs-<phase>.csv`` beside the ``--gt_path`` folder, e.g. ``market-pairs-test.csv`` beside
``test_12864``). ``test.py`` writes pair (``A.jpg``, ``B.jpg``) as ``A_2_B_vis.<ext>``; a pair
without that file makes the evaluation fail, or, with ``--allow_missing``, warn and score the rest.
"""
import glob
import os

from data.annotations import read_pairs
from script.metrics_lib.matching import listing
from util.errors import BadInputError


def default_pairs_csv(gt_path):
    """The one ``*-pairs-<phase>.csv`` beside ``gt_path`` (``<root>/<phase>_<size>``), or None."""
    if gt_path is None:
        return None
    folder = os.path.normpath(gt_path)
    phase = os.path.basename(folder).split("_")[0]
    found = sorted(glob.glob(os.path.join(os.path.dirname(folder), f"*-pairs-{phase}.csv")))
    return found[0] if len(found) == 1 else None


def generated_name(source, target):
    """The file stem test.py writes for the pair (source, target): ``<source stem>_2_<target stem>_vis``."""
    return f"{os.path.splitext(source)[0]}_2_{os.path.splitext(target)[0]}_vis"


def check_every_pair_generated(generated_files, pairs_csv, generated_dir, allow_missing):
    """Raise (or with ``allow_missing`` warn) when a pair of ``pairs_csv`` has no generated image.

    Args:
        generated_files: paths of the generated images.
        pairs_csv: the test pairs CSV (columns ``from``, ``to``).
        generated_dir: ``--generated_path``, for the message.
        allow_missing: warn and go on instead of raising.
    Returns:
        The number of missing pairs.
    """
    present = {os.path.splitext(os.path.basename(path))[0] for path in generated_files}
    expected = [generated_name(source, target) for source, target in read_pairs(pairs_csv)]
    missing = [name for name in expected if name not in present]
    if missing:
        what = (f"{len(missing)} of the {len(expected)} pairs of {pairs_csv} have no generated image in "
                f"--generated_path {generated_dir!r}:{listing([name + '.jpg' for name in missing])}")
        if not allow_missing:
            raise BadInputError(f"{what}; generate them with test.py, or pass --allow_missing to score the others")
        print(f"metrics: warning: {what}; scoring the other {len(expected) - len(missing)} (--allow_missing)")
    return len(missing)
