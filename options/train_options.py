"""Options of train.py (original: options/train_options.py, TrainOptions): schedule, learning rate, GAN mode, logging frequencies.

All frequencies and the schedule count optimisation steps (iterations).
"""
from options.base_options import BaseOptions
from util.run_folder import claim_run_folder


class TrainOptions(BaseOptions):
    phase_name = "train"
    is_train = True

    def initialize(self, parser):
        parser = super().initialize(parser)
        parser.add_argument("--iter_count", type=int, default=1,
                            help="iteration counter of a fresh run (a resumed run takes it from the checkpoint)")
        parser.add_argument("--niter", type=int, default=5000000, help="iterations at the initial learning rate")
        parser.add_argument("--niter_decay", type=int, default=0,
                            help="iterations of linear learning-rate decay to zero after --niter")
        parser.add_argument("--lr_policy", type=str, default="lambda", choices=["lambda", "step", "exponent"],
                            help="learning-rate schedule")
        parser.add_argument("--lr_decay_iters", type=int, default=100000,
                            help="--lr_policy=step: multiply the lr by 0.1 every this many iterations")
        parser.add_argument("--lr", type=float, default=1e-4, help="generator learning rate (Adam)")
        parser.add_argument("--gan_mode", type=str, default="lsgan", choices=["lsgan", "hinge", "wgan-gp"],
                            help="adversarial loss")
        parser.add_argument("--display_freq", type=int, default=1000, help="iterations between visual updates")
        parser.add_argument("--eval_iters_freq", type=int, default=15000,
                            help="unused by the pose models; accepted for compatibility")
        parser.add_argument("--print_freq", type=int, default=1000, help="iterations between loss prints")
        parser.add_argument("--save_latest_freq", type=int, default=1000,
                            help="iterations between saves of the 'latest' checkpoint")
        parser.add_argument("--save_iters_freq", type=int, default=10000,
                            help="iterations between numbered checkpoints")
        parser.add_argument("--no_html", action="store_true", help="do not write the HTML page of visuals")
        parser.add_argument("--overwrite", action="store_true",
                            help="delete the checkpoints, logs and page of an earlier run of this --name first")
        parser.add_argument("--vgg_weights", type=str, default=None,
                            help="VGG19 weights of the perceptual losses: a file, or 'random' for a smoke run "
                                 "(not meaningful); without it torchvision's vgg19-dcbb9e9d.pth in "
                                 "$TORCH_HOME/hub/checkpoints")
        return parser

    def save_options(self, opt):
        claim_run_folder(opt)  # before anything of this run is written into its folder
        super().save_options(opt)
