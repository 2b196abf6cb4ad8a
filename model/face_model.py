"""Face image animation on FaceForensics (``face``, original: model/face_model.py, Face).

A face video is generated from its first frame (the reference) and the edge maps of its
landmarks, frame after frame, each from the reference and the frame generated before it. The
recurrent training step and the video test are the animation models' (model/animation_model.py);
this file says what is particular to faces: the clip's items, the temporal discriminator on frame
differences, the edge-map results.
"""
import torch

from model.animation_model import AnimationClip, AnimationModel
from model.model_options import add_video_options
from model.networks import full_generator, res_discriminator
from model.networks.face_generator import FaceGenerator
from util.video_results import save_frames
from util.visuals import draw_flow, draw_image, draw_mask, frame_strip, structure_drawer

draw_edges = structure_drawer([0])  # channel 0 of a face's structure: its edge map


class FaceModel(AnimationModel):
    visual_drawers = {"P_reference": draw_image, "BP_reference": draw_edges, "P_frame_step": frame_strip(draw_image),
                      "BP_frame_step": frame_strip(draw_edges), "img_gen": frame_strip(draw_image),
                      "flow_fields": frame_strip(draw_flow), "masks": frame_strip(draw_mask)}
    video_kinds = ("edge", "vis")  # <video>_edge_vis_.mp4: the edge map beside the generated frame

    @staticmethod
    def modify_options(parser, is_train):
        add_video_options(parser, is_train, frames_d_v=3)
        if is_train:
            parser.set_defaults(display_freq=100, eval_iters_freq=1000, print_freq=100,
                                save_latest_freq=1000, save_iters_freq=10000)
        return parser

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``FaceGenerator``; D: ``ResDiscriminator`` on single frames; D_V: a ``ResDiscriminator``
        on the ``frames_D_V - 1`` consecutive frame differences stacked on channels."""
        nets = {"G": full_generator(FaceGenerator, opt)}
        if discriminators:
            nets["D"] = res_discriminator(opt)
            nets["D_V"] = res_discriminator(opt, input_nc=(opt.frames_D_V - 1) * opt.image_nc)
        return nets

    def read_clip(self, batch):
        """A face item's frames ``P`` and structures ``BP`` (stacked on channels); the reference is
        the first frame."""
        images, structures = batch["P"], batch["BP"]
        batch_size, _, height, width = images.shape
        images = images.view(batch_size, -1, self.opt.image_nc, height, width)
        structures = structures.view(batch_size, images.size(1), -1, height, width)
        return AnimationClip(images, structures, images[:, 0], structures[:, 0], batch["P_path"])

    def temporal_input(self, frames):
        """The differences of consecutive frames, ``frames[f] - frames[f + 1]``, stacked on channels."""
        return torch.cat([earlier - later for earlier, later in zip(frames[:-1], frames[1:])], dim=1)

    def save_test_results(self, folder, generated):
        """``<frame>_vis.png``, the generated frames, and ``<frame>_edge.png``, the edge maps dark on
        white (original: Face.test, ``(1 - edge) * 2 - 1`` written as an image)."""
        paths = self.frame_paths[0]
        save_frames(folder, paths, generated, "vis")
        save_frames(folder, paths, (1 - self.BP_frame_step[0, :, :1]) * 2 - 1, "edge")
