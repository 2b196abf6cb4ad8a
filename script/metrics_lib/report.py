"""The scores as a printed table and as a JSON file."""
import json

from util.atomic import atomic_write_text


def format_table(report):
    """A plain-text table of ``report['results']``: metric, value, variance, images scored."""
    rows = [("metric", "value", "variance", "images")]
    for name, result in report["results"].items():
        variance = f"{result['variance']:.6g}" if "variance" in result else ""
        rows.append((name, f"{result['value']:.6g}", variance, str(result["count"])))
    return f"{report['name']} ({report['settings']['protocol']} FID protocol)\n" + aligned_rows(rows)


def aligned_rows(rows):
    """Rows of text cells as a table: a rule under the first (header) row, column 0 left-aligned, others right."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                       for column, (cell, width) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def write_report(path, report):
    """Write ``report`` as indented JSON, atomically (inf/nan as JSON's Infinity/NaN)."""
    atomic_write_text(path, json.dumps(report, indent=2) + "\n")
