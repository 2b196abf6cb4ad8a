"""The last step of the benchmark and check scripts: print their Markdown table, and save it."""


def print_and_save(table, path=None):
    """Print ``table`` (text) and, when ``path`` is given, also write it there, newline-terminated."""
    print(table)
    if path:
        with open(path, "w") as handle:
            handle.write(table + "\n")
