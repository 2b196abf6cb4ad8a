"""Argument types and actions of the original command lines (original: util/util.py, the argparse actions).

``--attn_layer=2,3`` gives ``[2, 3]``; ``--kernel_size=2=5,3=3`` gives ``{'2': 5, '3': 3}``
(keys stay strings, as in the original, because the losses sort them as strings).
"""
import argparse


def int_list(text):
    """'2,3' -> [2, 3]."""
    try:
        return [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like '2,3', got {text!r}")


def layer_kernel_dict(text):
    """'2=5,3=3' -> {'2': 5, '3': 3}; a layer given twice is an error (not 'the last one wins')."""
    result = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(
                f"expected layer=kernel pairs like '2=5,3=3', got {text!r}")
        try:
            layer, size = str(int(key)), int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected integer layer=kernel pairs like '2=5,3=3', got {item!r} in {text!r}")
        if layer in result:
            raise argparse.ArgumentTypeError(f"layer {layer} is given twice in {text!r}; give each layer one kernel size")
        result[layer] = size
    return result


def size_pair(text):
    """'256' -> (256, 256); '128,64' -> (128, 64): an image size as (height, width)."""
    values = int_list(text)
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected a size like '256' or '128,64', got {text!r}")
    return tuple(values)


def str2bool(text):
    """Boolean option values: true/false, yes/no, 1/0."""
    lowered = str(text).lower()
    if lowered in ("true", "yes", "1", "on"):
        return True
    if lowered in ("false", "no", "0", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def add_bool(parser, flag, default, help):
    """A real boolean flag: ``--flag`` sets True, ``--flag=false`` sets False.

    The original declared such flags ``store_false`` with default False, so they could never be
    switched on (original: model/*_model.py, modify_options); the defaults are kept.
    """
    parser.add_argument(flag, type=str2bool, nargs="?", const=True, default=default,
                        help=f"{help}; --{flag.lstrip('-')}=false to unset")
