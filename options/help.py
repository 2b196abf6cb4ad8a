"""--help and unknown-option messages of the entry points.

Each option's help ends with its default, shown once and as the command line writes it; an option
whose default depends on ``--model`` or ``--dataset_mode`` also lists the other models' and
datasets' defaults, so that ``train.py --help`` shows what a ``--model=pose_flow`` run uses. A
misspelt option is answered with the closest one.
"""
import argparse
import difflib


def show_value(value):
    """A default as it is typed on the command line: (256, 176) -> '256,176', {'2': 5} -> '2=5'."""
    if isinstance(value, dict):
        return ",".join(f"{key}={item}" for key, item in value.items())
    if isinstance(value, (tuple, list)):
        return ",".join(str(item) for item in value)
    return str(value)


class HelpFormatter(argparse.HelpFormatter):
    """Appends '(default: X; --model=other: Y)' to each option that takes a value and has a default."""

    def _get_help_string(self, action):
        notes = []
        if action.option_strings and action.nargs != 0 and action.default not in (None, argparse.SUPPRESS):
            notes.append(f"default: {show_value(action.default)}")
        notes += getattr(action, "other_defaults", [])
        text = action.help or ""
        return (f"{text} ({'; '.join(notes)})" if notes else text).replace("%", "%%")


class HelpAction(argparse.Action):
    """``-h/--help``: first runs ``annotate(parser)`` (which notes other models' defaults), then prints."""

    def __init__(self, option_strings, dest, annotate, help=None):
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, help=help)
        self.annotate = annotate

    def __call__(self, parser, namespace, values, option_string=None):
        self.annotate(parser)
        parser.print_help()
        parser.exit()


def note_other_defaults(parser, alternatives):
    """Note on each option of ``parser`` the different defaults it has under other choices.

    Args:
        parser: the parser of the chosen model and dataset.
        alternatives: list of (choice text such as '--model=pose_flow', parser built for that choice).
    """
    actions = {action.dest: action for action in parser._actions if action.option_strings}
    for choice, other in alternatives:
        for other_action in other._actions:
            action = actions.get(other_action.dest)
            if action is not None and other_action.default != action.default:
                if not hasattr(action, "other_defaults"):
                    action.other_defaults = []
                action.other_defaults.append(f"{choice}: {show_value(other_action.default)}")


def _long_options(parser):
    return [string for action in parser._actions for string in action.option_strings if string.startswith("--")]


def unrecognized_message(parser, extras, elsewhere=()):
    """'unrecognized arguments: ...', each with a hint: where it belongs, or the closest option.

    Args:
        parser: the parser that did not recognise ``extras``.
        extras: the unrecognised command-line words.
        elsewhere: (where, parser) pairs, e.g. ('train.py', its parser): an option declared there
            is answered with '(--x is for <where>)' rather than a spelling suggestion.
    """
    options = _long_options(parser)
    words = []
    for argument in extras:
        name = argument.split("=", 1)[0]
        where = next((place for place, other in elsewhere if name in _long_options(other)), None)
        close = difflib.get_close_matches(name, options, n=1) if argument.startswith("--") else []
        if where is not None:
            words.append(f"{argument} ({name} is for {where})")
        elif close:
            words.append(f"{argument} (did you mean {close[0]}?)")
        else:
            words.append(argument)
    return f"unrecognized arguments: {' '.join(words)}"
