"""The folder layouts ``script/metrics.py`` scores, and which one a folder has.

- ``pairs``: pose transfer, ``<from>_2_<to>_vis.jpg`` files matched by name to ``--gt_path``
  (``evaluate``); FID against ``--real_path``.
- ``view_synthesis``: ShapeNet, ``<object>/{source,result_XXXX,gt_XXXX}.png`` folders
  (``view_synthesis``), scored per view, object and azimuth difference.
- ``video_frames``: face animation, ``<video>/<frame>_vis.png`` folders (``video_frames``), each
  frame against its ground-truth frame; FID against the ground-truth frames.
"""
from script.metrics_lib import evaluate, report, video_frames, view_synthesis

LAYOUTS = {"pairs": (evaluate.evaluate, report.format_table),
           "view_synthesis": (view_synthesis.evaluate, view_synthesis.format_table),
           "video_frames": (video_frames.evaluate, report.format_table)}


def resolve_layout(name, generated_path):
    """``name``, or for 'auto' the layout of ``generated_path``: view synthesis if it holds object
    folders of views, video frames if it holds video folders of frames, else pairs."""
    if name != "auto":
        return name
    if view_synthesis.is_view_synthesis_folder(generated_path):
        return "view_synthesis"
    return "video_frames" if video_frames.is_video_frames_folder(generated_path) else "pairs"
