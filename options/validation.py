"""Checks of option values that argparse cannot express; each failure names the option."""
from options.errors import OptionError

# Attention layers are numbered by decoder depth; the correctness loss has VGG layers
# relu2_1..relu4_1 for layers 2..4 and the flow estimator predicts flows for layers 1..4.
MAX_ATTENTION_LAYER = 4
# Every model's flow estimator halves the image FLOW_ENCODER_LAYERS times (encoder_layer=5 of the
# generators in model/networks) and its decoder doubles it back, adding skip connections of the
# same size: each side of --load_size must be a multiple of 2**5. Its deepest map is instance-
# normalised, which needs more than one value per channel: at least two cells at 1/32 scale.
FLOW_ENCODER_LAYERS = 5
# The affine regularisation fits x = a*row + b*col + c to each k x k window of a flow by least
# squares: three unknowns need three non-collinear points, which a window has from k = 2 on.
MIN_KERNEL_SIZE = 2


def validate_options(opt):
    """Raise OptionError for the first invalid option value found."""
    _check_positive(opt, "batchSize", 1)
    _check_positive(opt, "nThreads", 0)
    for name in ("niter", "niter_decay", "print_freq", "display_freq", "save_latest_freq", "save_iters_freq"):
        if hasattr(opt, name):
            _check_positive(opt, name, 0 if name == "niter_decay" else 1)
    if hasattr(opt, "lr") and not opt.lr > 0:
        raise OptionError(f"--lr: expected a positive learning rate, got {opt.lr}")
    _check_load_size(opt)
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
        if size < MIN_KERNEL_SIZE:
            raise OptionError(f"--kernel_size: kernel size of layer {layer} must be >= {MIN_KERNEL_SIZE}, got {size} "
                              f"(the affine regularisation fits an affine map to each k x k window of the "
                              f"flow, which needs at least 3 non-collinear points)")
        flow_size = [side // 2 ** int(layer) for side in opt.load_size]
        if size > min(flow_size):
            raise OptionError(f"--kernel_size: kernel size {size} of layer {layer} exceeds its "
                              f"{flow_size[0]}x{flow_size[1]} flow at --load_size {_size_text(opt.load_size)} "
                              f"(the affine regularisation needs whole k x k windows); use at most {min(flow_size)}")
    if len(set(opt.attn_layer)) != len(opt.attn_layer):
        raise OptionError(f"--attn_layer: repeated layer in {opt.attn_layer}")


def _check_load_size(opt):
    """The flow estimator's depth fixes which image sizes it can take (see FLOW_ENCODER_LAYERS)."""
    step = 2 ** FLOW_ENCODER_LAYERS
    height, width = opt.load_size
    if height % step or width % step:
        suggestion = _size_text([max(step, round(side / step) * step) for side in (height, width)])
        raise OptionError(f"--load_size {_size_text(opt.load_size)}: height and width must be multiples of {step} "
                          f"(the flow estimator halves the image {FLOW_ENCODER_LAYERS} times and doubles it "
                          f"back), e.g. --load_size={suggestion}")
    if height * width < 2 * step * step:
        raise OptionError(f"--load_size {_size_text(opt.load_size)} is too small: the flow estimator's 1/{step}-scale "
                          f"map would be 1x1 and instance normalisation needs more than one value; "
                          f"use at least --load_size={2 * step},{step} or {step},{2 * step}")


def _size_text(size):
    """(h, w) as the command line writes it: 'h,w'."""
    return ",".join(str(side) for side in size)
