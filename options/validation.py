"""Checks of option values that argparse cannot express; each failure names the option."""
from options.errors import OptionError

# Attention layers are numbered by decoder depth; the correctness loss has VGG layers
# relu2_1..relu4_1 for layers 2..4 and the flow estimator predicts flows for layers 1..4.
MAX_ATTENTION_LAYER = 4


def validate_options(opt):
    """Raise OptionError for the first invalid option value found."""
    _check_positive(opt, "batchSize", 1)
    _check_positive(opt, "nThreads", 0)
    for name in ("niter", "niter_decay", "print_freq", "display_freq", "save_latest_freq", "save_iters_freq"):
        if hasattr(opt, name):
            _check_positive(opt, name, 0 if name == "niter_decay" else 1)
    if hasattr(opt, "lr") and not opt.lr > 0:
        raise OptionError(f"--lr: expected a positive learning rate, got {opt.lr}")
    if hasattr(opt, "attn_layer"):
        _check_attention(opt)


def _check_positive(opt, name, minimum):
    value = getattr(opt, name)
    if value < minimum:
        raise OptionError(f"--{name}: expected an integer >= {minimum}, got {value}")


def _check_attention(opt):
    """--attn_layer and --kernel_size must name the same layers, each with a kernel >= 1."""
    if not opt.attn_layer:
        raise OptionError(f"--attn_layer is required for --model={opt.model}, e.g. --attn_layer=2,3")
    if opt.kernel_size is None:
        raise OptionError(f"--kernel_size is required for --model={opt.model}, e.g. --kernel_size=2=5,3=3")
    highest = min(MAX_ATTENTION_LAYER, getattr(opt, "layers", MAX_ATTENTION_LAYER))
    for layer in opt.attn_layer:
        if not 1 <= layer <= highest:
            raise OptionError(f"--attn_layer: layer {layer} is out of range; expected layers in 1..{highest}")
        if str(layer) not in opt.kernel_size:
            raise OptionError(f"--attn_layer: attention layer {layer} has no kernel size; "
                              f"add it to --kernel_size, e.g. --kernel_size={layer}=3")
    for layer, size in opt.kernel_size.items():
        if int(layer) not in opt.attn_layer:
            raise OptionError(f"--kernel_size: layer {layer} is not an attention layer "
                              f"(--attn_layer={','.join(map(str, opt.attn_layer))})")
        if size < 1:
            raise OptionError(f"--kernel_size: kernel size of layer {layer} must be >= 1, got {size}")
    if len(set(opt.attn_layer)) != len(opt.attn_layer):
        raise OptionError(f"--attn_layer: repeated layer in {opt.attn_layer}")
