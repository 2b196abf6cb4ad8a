"""Option groups shared by the models (original: model/*_model.py, modify_options), so each is declared once.

Options only training reads (loss weights, the discriminators) are declared only for train.py,
so test.py's --help lists what a test run uses.
"""
from options.actions import add_bool, int_list, layer_kernel_dict

IGNORED_ARCHITECTURE = "ignored: the architecture follows --model (accepted for the original command lines)"


def add_common_options(parser):
    """Options of every model: attention layers, their kernel sizes, the generator's build and init."""
    parser.add_argument("--attn_layer", type=int_list, default=None,
                        help="layers with flow-guided local attention, e.g. 2,3 (fashion) or 2 (market)")
    parser.add_argument("--kernel_size", type=layer_kernel_dict, default=None,
                        help="attention kernel size per layer, e.g. 2=5,3=3 (fashion) or 2=3 (market)")
    parser.add_argument("--init_type", type=str, default="orthogonal",
                        choices=["normal", "xavier", "xavier_uniform", "kaiming", "orthogonal", "none"],
                        help="weight initialisation of non-spectral-norm layers")
    add_bool(parser, "--use_spect_g", False, "spectral norm in the generator")
    parser.add_argument("--netG", type=str, default=None, help=IGNORED_ARCHITECTURE)
    return parser


def add_flow_stage_options(parser, is_train):
    """Flow-estimator pre-training (pose_flow, shapenetflow): correctness and regularisation only."""
    add_common_options(parser)
    if is_train:
        parser.add_argument("--lambda_correct", type=float, default=20.0,
                            help="weight of the sampling correctness loss")
        parser.add_argument("--lambda_regularization", type=float, default=0.01,
                            help="weight of the affine regularisation loss")
    return parser


def add_generation_options(parser, is_train):
    """Full generators (pose, shapenet, face, dance): G, and for training D with all generation losses."""
    add_common_options(parser)
    parser.add_argument("--layers", type=int, default=3, help="encoder/decoder depth of the generator")
    if is_train:
        parser.add_argument("--netD", type=str, default=None, help=IGNORED_ARCHITECTURE)
        parser.add_argument("--ratio_g2d", type=float, default=0.1, help="D learning rate = lr * ratio_g2d")
        parser.add_argument("--lambda_rec", type=float, default=5.0, help="weight of the L1 reconstruction loss")
        parser.add_argument("--lambda_g", type=float, default=2.0, help="weight of the generator's adversarial loss")
        parser.add_argument("--lambda_correct", type=float, default=5.0,
                            help="weight of the sampling correctness loss")
        parser.add_argument("--lambda_style", type=float, default=500.0, help="weight of the VGG style loss")
        parser.add_argument("--lambda_content", type=float, default=0.5, help="weight of the VGG content loss")
        parser.add_argument("--lambda_regularization", type=float, default=0.0025,
                            help="weight of the affine regularisation loss")
        add_bool(parser, "--use_spect_d", True, "spectral norm in the discriminator")
    return parser


def add_video_options(parser, is_train, frames_d_v):
    """Animation models (face, dance): for training, a temporal discriminator on consecutive frames."""
    add_generation_options(parser, is_train)
    if is_train:
        parser.add_argument("--netD_V", type=str, default=None, help=IGNORED_ARCHITECTURE)
        parser.add_argument("--frames_D_V", type=int, default=frames_d_v, help="frames seen by the temporal D")
    return parser
