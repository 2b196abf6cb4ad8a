"""Option groups shared by the models (original: model/*_model.py, modify_options), so each is declared once."""
from options.actions import add_bool, int_list, layer_kernel_dict


def add_common_options(parser):
    """Options of every model: attention layers, their kernel sizes, initialisation."""
    parser.add_argument("--attn_layer", type=int_list, default=None,
                        help="layers with flow-guided local attention, e.g. 2,3 (fashion) or 2 (market)")
    parser.add_argument("--kernel_size", type=layer_kernel_dict, default=None,
                        help="attention kernel size per layer, e.g. 2=5,3=3 (fashion) or 2=3 (market)")
    parser.add_argument("--init_type", type=str, default="orthogonal",
                        choices=["normal", "xavier", "xavier_uniform", "kaiming", "orthogonal", "none"],
                        help="weight initialisation of non-spectral-norm layers")
    add_bool(parser, "--use_spect_g", False, "spectral norm in the generator")
    return parser


def add_flow_stage_options(parser, net_g):
    """Flow-estimator pre-training (pose_flow, shapenetflow): correctness and regularisation only."""
    add_common_options(parser)
    parser.add_argument("--netG", type=str, default=net_g, help="generator architecture")
    parser.add_argument("--lambda_correct", type=float, default=20.0, help="weight of the sampling correctness loss")
    parser.add_argument("--lambda_regularization", type=float, default=0.01,
                        help="weight of the affine regularisation loss")
    return parser


def add_generation_options(parser, net_g, net_d="res"):
    """Full generators (pose, shapenet, face, dance): G and D with all generation losses."""
    add_common_options(parser)
    parser.add_argument("--layers", type=int, default=3, help="encoder/decoder depth of the generator")
    parser.add_argument("--netG", type=str, default=net_g, help="generator architecture")
    parser.add_argument("--netD", type=str, default=net_d, help="discriminator architecture")
    parser.add_argument("--ratio_g2d", type=float, default=0.1, help="D learning rate = lr * ratio_g2d")
    parser.add_argument("--lambda_rec", type=float, default=5.0, help="weight of the L1 reconstruction loss")
    parser.add_argument("--lambda_g", type=float, default=2.0, help="weight of the generator's adversarial loss")
    parser.add_argument("--lambda_correct", type=float, default=5.0, help="weight of the sampling correctness loss")
    parser.add_argument("--lambda_style", type=float, default=500.0, help="weight of the VGG style loss")
    parser.add_argument("--lambda_content", type=float, default=0.5, help="weight of the VGG content loss")
    parser.add_argument("--lambda_regularization", type=float, default=0.0025,
                        help="weight of the affine regularisation loss")
    add_bool(parser, "--use_spect_d", True, "spectral norm in the discriminator")
    return parser


def add_video_options(parser, net_g, net_d_v, frames_d_v):
    """Animation models (face, dance): a temporal discriminator on consecutive frames."""
    add_generation_options(parser, net_g)
    parser.add_argument("--netD_V", type=str, default=net_d_v, help="temporal discriminator architecture")
    parser.add_argument("--frames_D_V", type=int, default=frames_d_v, help="frames seen by the temporal D")
    return parser
