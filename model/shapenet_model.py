"""View synthesis on ShapeNet cars and chairs, full model (``shapenet``, original: model/shapenet_model.py, ShapeNet).

The ``pose`` model with view codes for poses: the original repeats Pose's training step line for
line (a D step, then a G step with the L1, sampling correctness, VGG content and style, affine
regularisation and adversarial losses, with the same weights). It differs in its inputs (one-hot
view codes), its discriminator (4 stages whatever the dataset) and its test, which renders every
target azimuth of each source view.
"""
from model.model_options import add_generation_options
from model.networks import full_generator, res_discriminator
from model.networks.shapenet_generator import CODE_TILE, ShapeNetGenerator
from model.pose_model import PoseModel
from model.shapenet_input import ViewCodeInput
from options.errors import OptionError
from util.view_results import save_view_synthesis
from util.visuals import draw_flow, draw_image, draw_mask, draw_view_code


class ShapeNetModel(ViewCodeInput, PoseModel):
    visual_drawers = {"input_P1": draw_image, "input_BP1": draw_view_code, "input_BP2": draw_view_code,
                      "img_gen": draw_image, "input_P2": draw_image, "flow_fields": draw_flow, "masks": draw_mask}

    @staticmethod
    def modify_options(parser, is_train):
        return add_generation_options(parser, is_train)

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``ShapeNetGenerator``; D: ``ResDiscriminator`` with 4 stages whatever the dataset.

        Raises:
            OptionError: a ``--load_size`` other than the generator's output size.
        """
        # the target decoder grows the view code from 8x8: 2 upsampling blocks, then one per layer
        size = CODE_TILE * 2 ** (2 + opt.layers)
        if tuple(opt.load_size) != (size, size):
            raise OptionError(f"--load_size {','.join(map(str, opt.load_size))}: the shapenet generator with "
                              f"--layers={opt.layers} makes {size}x{size} images (its decoder grows the view code "
                              f"from {CODE_TILE}x{CODE_TILE}); use --load_size={size},{size} or --layers=N with "
                              f"load size {CODE_TILE} * 2**(N + 2) (the released models: 256, --layers=3)")
        nets = {"G": full_generator(ShapeNetGenerator, opt)}
        if discriminators:
            nets["D"] = res_discriminator(opt)
        return nets

    def test(self):
        """Generate every target of each source in one batch and write ``<results_dir>/<object>/``:
        ``source.png``, ``result_XXXX.png``, ``gt_XXXX.png`` and ``strip.png`` (util.view_results).

        The original generated one target at a time for the whole batch and printed each result's
        path; the images are the same (every layer is per sample), the progress bar replaces the prints.
        """
        batch, targets = self.input_P2.shape[:2]
        sources = self.input_P1.repeat_interleave(targets, dim=0)
        source_codes = self.input_BP1.repeat_interleave(targets, dim=0)
        self.img_gen, self.flow_fields, self.masks = self.net_G(sources, source_codes, self.input_BP2.flatten(0, 1))
        generated = self.img_gen.unflatten(0, (batch, targets))
        for name, source, results, truths in zip(self.image_paths, self.input_P1, generated, self.input_P2):
            save_view_synthesis(self.opt.results_dir, name, source, results, truths)
