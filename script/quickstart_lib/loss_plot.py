"""The loss curves of a run as one PNG, drawn with PIL (no plotting library needed).

One panel per loss (their scales differ by orders of magnitude), all on the same iteration axis,
with a dashed line where the second training stage starts. Each curve is drawn as logged (light)
and as a running mean (dark), since a few images per batch make the logged values noisy.
"""
import json
import math

from PIL import Image, ImageDraw, ImageFont

PANEL_SIZE = (380, 190)  # width, height in pixels
COLUMNS = 3
MARGIN = dict(left=64, right=14, top=26, bottom=28)
RAW_COLOUR = (170, 200, 230)
MEAN_COLOUR = (31, 119, 180)
MEAN_POINTS = 15  # the running mean spans about 1/15 of a curve's points
AXIS_COLOUR = (90, 90, 90)
STAGE_COLOUR = (214, 39, 40)


def read_loss_log(jsonl_path):
    """The records of a ``loss_log.jsonl``: list of (iteration, {loss name: value}) in file order."""
    with open(jsonl_path) as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return [(record["iteration"], record["losses"]) for record in records]


def loss_series(records):
    """{loss name: [(iteration, value), ...]} in the order the names first appear; non-finite values dropped."""
    series = {}
    for iteration, losses in records:
        for name, value in losses.items():
            if math.isfinite(value):
                series.setdefault(name, []).append((iteration, value))
    return series


def running_mean(values, window):
    """The mean of each value with up to ``window // 2`` neighbours on each side (fewer at the ends)."""
    half = window // 2
    windows = [values[max(0, index - half):index + half + 1] for index in range(len(values))]
    return [sum(window) / len(window) for window in windows]


def _label(value):
    return f"{value:.3g}"


def _draw_panel(draw, origin, name, points, x_range, stage_start, font):
    left, top = origin[0] + MARGIN["left"], origin[1] + MARGIN["top"]
    right, bottom = origin[0] + PANEL_SIZE[0] - MARGIN["right"], origin[1] + PANEL_SIZE[1] - MARGIN["bottom"]
    draw.text((left, origin[1] + 6), name, fill=(0, 0, 0), font=font)
    draw.rectangle((left, top, right, bottom), outline=AXIS_COLOUR)
    values = [value for _, value in points]
    low, high = min(values), max(values)
    if high - low < 1e-12 * max(1.0, abs(high)):  # a flat curve: centre it
        low, high = low - 0.5 * max(abs(low), 1e-6), high + 0.5 * max(abs(high), 1e-6)
    x_low, x_high = x_range

    def to_pixel(iteration, value):
        x = left + (iteration - x_low) / max(x_high - x_low, 1) * (right - left)
        y = bottom - (value - low) / (high - low) * (bottom - top)
        return x, y

    for value, y in ((high, top), (low, bottom)):
        draw.text((left - 4, y), _label(value), fill=AXIS_COLOUR, font=font, anchor="rm")
    for iteration, anchor in ((x_low, "lt"), (x_high, "rt")):
        draw.text((to_pixel(iteration, low)[0], bottom + 4), str(iteration), fill=AXIS_COLOUR, font=font,
                  anchor=anchor)
    if stage_start is not None and x_low < stage_start < x_high:
        x = to_pixel(stage_start, low)[0]
        for y in range(int(top), int(bottom), 8):
            draw.line((x, y, x, min(y + 4, bottom)), fill=STAGE_COLOUR)
    for stage in _split(points, stage_start):  # a loss of both stages: no line, no mean across the change
        if len(stage) == 1:
            x, y = to_pixel(*stage[0])
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=MEAN_COLOUR)
            continue
        iterations, stage_values = zip(*stage)
        means = running_mean(stage_values, max(1, len(stage) // MEAN_POINTS))
        draw.line([to_pixel(*point) for point in stage], fill=RAW_COLOUR, width=1)
        draw.line([to_pixel(*point) for point in zip(iterations, means)], fill=MEAN_COLOUR, width=2)


def _split(points, stage_start):
    """``points`` before and from ``stage_start`` (the non-empty parts)."""
    if stage_start is None:
        return [points]
    before = [point for point in points if point[0] < stage_start]
    return [part for part in (before, points[len(before):]) if part]


def plot_losses(records, path, stage_start=None):
    """Draw every loss of ``records`` and save the PNG at ``path``.

    Args:
        records: list of (iteration, {loss name: value}), e.g. ``read_loss_log(...)``.
        path: the PNG to write.
        stage_start: the first iteration of stage two (drawn as a dashed red line), or None.
    Raises:
        ValueError: no finite loss to draw.
    """
    series = loss_series(records)
    if not series:
        raise ValueError("plot_losses: the records hold no finite loss value to draw")
    iterations = [iteration for points in series.values() for iteration, _ in points]
    x_range = (min(min(iterations), stage_start or min(iterations)), max(iterations))
    rows = math.ceil(len(series) / COLUMNS)
    width, height = PANEL_SIZE[0] * min(COLUMNS, len(series)), PANEL_SIZE[1] * rows
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=13)
    for index, (name, points) in enumerate(series.items()):
        origin = (PANEL_SIZE[0] * (index % COLUMNS), PANEL_SIZE[1] * (index // COLUMNS))
        _draw_panel(draw, origin, name, points, x_range, stage_start, font)
    image.save(path)
