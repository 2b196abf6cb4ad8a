"""The quick start's results page: one self-contained folder, ``index.html`` beside its images.

Top to bottom: the notes (in red when the run is not what it should be, e.g. random VGG19
weights), the metric table of the model and of the trivial baselines, the loss curves, every test
pair (source | target pose | generated | ground truth, with its scores), and how the run was made
(settings, stage times, the equivalent commands).
"""
import html
import os
import shutil
from dataclasses import dataclass, field
from typing import Optional

from util.atomic import atomic_write_text
from util.image_io import save_image

IMAGE_WIDTH = 96  # displayed width of a 64-pixel-wide Market image
STYLE = """
body{font-family:sans-serif;margin:24px;max-width:1300px}
table{border-collapse:collapse} td,th{padding:4px 8px;text-align:center;vertical-align:middle}
.metrics td,.metrics th{border-bottom:1px solid #ddd} .better{font-weight:bold;color:#080}
.pairs td{border-bottom:1px solid #eee} .pairs img{image-rendering:auto}
.scores{text-align:left;font-size:90%;white-space:nowrap} .dim{color:#777}
.warning{border:3px solid #c00;background:#fee;color:#900;padding:8px 12px;font-weight:bold}
.note{border-left:4px solid #888;background:#f6f6f6;padding:6px 12px}
pre{background:#f4f4f4;padding:8px;overflow-x:auto;font-size:85%}
"""


@dataclass
class PairRow:
    """One test pair: names, image paths, the target's skeleton picture and the scores by metric name."""
    source: str  # image names, as in the pairs CSV
    target: str
    source_path: str
    pose_picture: object  # uint8 [H, W, 3]
    generated_path: str
    ground_truth_path: str
    scores: dict  # method key -> {metric name: score}


@dataclass
class PageContent:
    """Everything the page shows."""
    title: str
    warnings: list  # loud notes (red)
    notes: list  # plain notes
    methods: list  # [(key, heading, short label)]: the model first, then the baselines
    metrics: list  # [(metric name, better when 'lower'/'higher', {method key: value})]
    verdict: str  # what the table says, in one sentence
    loss_plot: Optional[str]  # the loss curves: a PNG file name in the page folder, or None
    rows: list  # [PairRow]
    settings: dict
    timings: dict  # stage -> seconds
    commands: list  # equivalent command lines
    links: dict = field(default_factory=dict)  # text -> path relative to the page folder


def _paragraphs(texts, css_class):
    return [f'<p class="{css_class}">{html.escape(text)}</p>' for text in texts]


def _metric_table(methods, metrics):
    headings = "".join(f"<th>{html.escape(heading)}</th>" for _, heading, _ in methods)
    parts = [f'<table class="metrics"><tr><th>metric</th><th>better</th>{headings}</tr>']
    for name, better, values in metrics:
        best = (min if better == "lower" else max)(values.values())
        cells = "".join(f'<td class="{"better" if values[key] == best else ""}">{values[key]:.4g}</td>'
                        for key, _, _ in methods)
        parts.append(f"<tr><td>{html.escape(name)}</td><td>{better}</td>{cells}</tr>")
    parts.append("</table>")
    return parts


def _scores_cell(row, methods):
    (model, _, _), baselines = methods[0], methods[1:]
    lines = []
    for name, score in row.scores[model].items():
        others = ", ".join(f"{short} {row.scores[key][name]:.3f}" for key, _, short in baselines)
        lines.append(f'{html.escape(name)} {score:.3f} <span class="dim">({html.escape(others)})</span>')
    return f'<td class="scores">{"<br>".join(lines)}</td>'


def _pair_rows(methods, rows, image_names):
    baselines = ", ".join(short for _, _, short in methods[1:])
    parts = ['<table class="pairs"><tr><th>#</th><th>source</th><th>target pose</th><th>generated</th>'
             f'<th>ground truth</th><th>scores ({html.escape(baselines)})</th></tr>']
    for index, (row, images) in enumerate(zip(rows, image_names), start=1):
        cells = "".join(f'<td><img src="images/{html.escape(name)}" width="{IMAGE_WIDTH}" alt="{kind}"></td>'
                        for kind, name in images)
        parts.append(f'<tr class="pair" id="pair{index}"><td>{index}<br><span class="dim">'
                     f"{html.escape(row.source)}<br>&rarr; {html.escape(row.target)}</span></td>"
                     f"{cells}{_scores_cell(row, methods)}</tr>")
    parts.append("</table>")
    return parts


def _copy(path, folder, stem):
    """Copy ``path`` to ``<folder>/<stem><its extension>``; returns the new file name."""
    name = stem + os.path.splitext(path)[1]
    shutil.copyfile(path, os.path.join(folder, name))
    return name


def _copy_images(rows, image_dir):
    """Copy or draw each row's four pictures into ``image_dir``; returns [[(kind, file name)] per row]."""
    os.makedirs(image_dir, exist_ok=True)
    names = []
    for index, row in enumerate(rows, start=1):
        pose = f"{index:03d}_pose.png"
        save_image(row.pose_picture, os.path.join(image_dir, pose))
        names.append([("source", _copy(row.source_path, image_dir, f"{index:03d}_source")), ("target pose", pose),
                      ("generated", _copy(row.generated_path, image_dir, f"{index:03d}_generated")),
                      ("ground truth", _copy(row.ground_truth_path, image_dir, f"{index:03d}_ground_truth"))])
    return names


def write_results_page(folder, content):
    """Write ``<folder>/index.html`` with its images under ``<folder>/images``; returns the page's path."""
    image_names = _copy_images(content.rows, os.path.join(folder, "images"))
    parts = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8">', f"<title>{html.escape(content.title)}</title>",
             f"<style>{STYLE}</style></head><body>", f"<h1>{html.escape(content.title)}</h1>"]
    parts += _paragraphs(content.warnings, "warning") + _paragraphs(content.notes, "note")
    parts.append(f"<h2>Scores over the {len(content.rows)} test pairs</h2>")
    parts += _metric_table(content.methods, content.metrics)
    parts.append(f"<p><b>{html.escape(content.verdict)}</b></p>")
    parts.append('<p class="dim">Bold green: the best of the row. A model that has learnt to move a person into '
                 "another pose beats both baselines: copying the source image (right person, wrong pose) and "
                 "the mean training image (what a model that ignores its inputs would output).</p>")
    if content.loss_plot:
        parts += ["<h2>Training losses</h2>", '<p class="dim">Dashed red line: stage two (the full model) '
                  "starts; light: as logged, dark: a running mean.</p>",
                  f'<img src="{html.escape(content.loss_plot)}" alt="loss curves">']
    parts.append("<h2>Every test pair</h2>")
    parts += _pair_rows(content.methods, content.rows, image_names)
    parts.append("<h2>How this run was made</h2><table>")
    parts += [f'<tr><td style="text-align:left">{html.escape(str(key))}</td><td style="text-align:left">'
              f"{html.escape(str(value))}</td></tr>" for key, value in content.settings.items()]
    parts += [f'<tr><td style="text-align:left">time: {html.escape(stage)}</td><td style="text-align:left">'
              f"{seconds:.1f} s</td></tr>" for stage, seconds in content.timings.items()]
    parts.append("</table><p>The same steps by hand:</p>")
    parts.append(f"<pre>{html.escape(chr(10).join(content.commands))}</pre>")
    parts += [f'<p><a href="{html.escape(path)}">{html.escape(text)}</a></p>' for text, path in content.links.items()]
    parts.append("</body></html>\n")
    path = os.path.join(folder, "index.html")
    atomic_write_text(path, "\n".join(parts))
    return path
