"""The folder layouts ``script/metrics.py`` scores, and which one a folder has.

- ``pairs``: pose transfer, ``<from>_2_<to>_vis.jpg`` files matched by name to ``--gt_path``
  (``evaluate``); FID against ``--real_path``.
- ``view_synthesis``: ShapeNet, ``<object>/{source,result_XXXX,gt_XXXX}.png`` folders
  (``view_synthesis``), scored per view, object and azimuth difference.
"""
from script.metrics_lib import evaluate, report, view_synthesis

LAYOUTS = {"pairs": (evaluate.evaluate, report.format_table),
           "view_synthesis": (view_synthesis.evaluate, view_synthesis.format_table)}


def resolve_layout(name, generated_path):
    """``name``, or for 'auto' the layout of ``generated_path``: view synthesis if it holds object folders."""
    if name != "auto":
        return name
    return "view_synthesis" if view_synthesis.is_view_synthesis_folder(generated_path) else "pairs"
