"""The dance dataset: items, augmentation per sub-dataset, references, test lists, bad input."""
import json
import os
import shutil

import numpy as np
import pytest
import torch

import data
from data.skeleton_maps import skeleton_coordinates, skeleton_structure, skeleton_vector
from options.errors import OptionError
from tests.data.dance_samples import (FRAME_SIZE, LEFT_WRIST, NOISY_AS_COCO, clean_joints, write_dance_video,
                                      write_test_list)
from tests.data.resumed_loading import assert_resumed_epoch_matches
from tests.paths import frame_numbers
from util.errors import UserError
from util.skeleton_formats import LIMBS_COCO_17, LIMBS_HUMAN36M_17

SMALL = dict(load_size=(32, 32), n_frames_total=4, max_frames_per_gpu=2)
TEST = dict(load_size=(32, 32), n_frames_pre_load_test=3)


@pytest.fixture(scope="module")
def dance_root(tmp_path_factory):
    """Train: videos 'a' (8 frames) and 'b' (6 frames) with masks; test: 'c' (7 frames) and 'd' (4 frames)."""
    root = tmp_path_factory.mktemp("dance")
    for name, frames in (("a", 8), ("b", 6)):
        write_dance_video(root, "train_256", name, frames, with_masks=True)
    for name, frames, colour in (("c", 7, (40, 90, 160)), ("d", 4, (200, 30, 30))):
        write_dance_video(root, "test_256", name, frames, background=colour)
    write_test_list(root / "test_list.csv", [(str(root / "test_256" / "train_A" / "c"),
                                              str(root / "test_256" / "train_A" / "c"), 2),
                                             (str(root / "test_256" / "train_A" / "d"),
                                              str(root / "test_256" / "train_A" / "c"), 20)])
    return root


@pytest.fixture
def dance_copy(dance_root, private_copy):
    return private_copy(dance_root, "dance")


@pytest.mark.parametrize("sub_dataset", ["fashion", "iper"])
def test_training_item(dance_root, make_opt, sub_dataset):
    opt = make_opt("dance", dance_root, sub_dataset=sub_dataset, **SMALL)
    dataset = data.create_dataset(opt)
    assert len(dataset) == 2 and opt.use_mask == (sub_dataset == "iper")
    item = dataset[1]
    keys = {"gen_images", "gen_skeleton", "ref_image", "ref_skeleton", "gen_paths", "ref_path", "frame_idx"}
    assert set(item) == keys | ({"gen_masks"} if sub_dataset == "iper" else set())
    assert item["gen_images"].shape == (3 * 4, 32, 32) and item["gen_skeleton"].shape == (20 * 4, 32, 32)
    assert item["ref_image"].shape == (3, 32, 32) and item["ref_skeleton"].shape == (20, 32, 32)
    for key in ("gen_images", "gen_skeleton", "ref_image", "ref_skeleton"):
        assert item[key].dtype == torch.float32, key
    assert -1 <= item["gen_images"].min() < 0 < item["gen_images"].max() <= 1
    skeleton = item["gen_skeleton"].view(4, 20, 32, 32)
    assert 0 <= skeleton[:, :17].min() and skeleton[:, :17].max() <= 1 and skeleton[:, 17:].max() == 255
    assert torch.equal(skeleton[:, 17:], skeleton[:, 17:].round())
    if sub_dataset == "iper":
        masks = item["gen_masks"]
        assert masks.shape == (4, 32, 32) and masks.dtype == torch.float32 and 0 <= masks.min() and masks.max() == 1
    frames = frame_numbers(item["gen_paths"])
    assert frames == list(range(frames[0], frames[0] + 4)) and "train_A/b/" in item["gen_paths"][0]
    assert "train_A/b/" in item["ref_path"] and item["frame_idx"] == 0


@pytest.mark.parametrize("sub_dataset", ["fashion", "iper"])
def test_augmentation_moves_frames_skeletons_and_masks_alike(dance_root, make_opt, sub_dataset):
    """The green marker at the left wrist stays under the wrist's heatmap peak; masks follow the frames."""
    dataset = data.create_dataset(make_opt("dance", dance_root, sub_dataset=sub_dataset,
                                           **{**SMALL, "load_size": (64, 64)}))
    checked = 0
    for index in range(6):
        item = dataset[index]
        for slot in range(4):
            image = item["gen_images"][3 * slot:3 * slot + 3]
            marker = torch.nonzero((image[1] > 0.8) & (image[2] < -0.5)).float()
            if len(marker) < 4:
                continue  # shifted out of the picture
            peak = item["gen_skeleton"][20 * slot + LEFT_WRIST]
            wrist = torch.nonzero(peak == peak.max()).float().mean(dim=0)
            assert (marker.mean(dim=0) - wrist).abs().max() < 2.5, (index, slot, marker.mean(dim=0), wrist)
            checked += 1
        if sub_dataset == "iper":
            masks = item["gen_masks"]
            assert (masks[:, 32, 27:37] == 1).all()  # the figure's middle is foreground whatever the augmentation
    assert checked > 16


def test_augmentation_ranges_per_sub_dataset(dance_root, make_opt):
    fashion = data.create_dataset(make_opt("dance", dance_root, sub_dataset="fashion", **SMALL))
    draws = [fashion._draw_affine(np.random.default_rng(seed)) for seed in range(300)]
    angles = np.array([draw.angle for draw in draws])
    shifts = np.array([draw.translate for draw in draws])
    scales = np.array([draw.scale for draw in draws])
    assert -5 <= angles.min() < -4 and 4 < angles.max() <= 5
    assert np.abs(shifts[:, 0]).max() <= 20 and np.abs(shifts[:, 0]).max() > 18
    assert np.abs(shifts[:, 1]).max() <= 3 and np.abs(shifts[:, 1]).max() > 2.7
    assert 0.98 <= scales.min() < 0.985 and 1.015 < scales.max() <= 1.02
    iper = data.create_dataset(make_opt("dance", dance_root, sub_dataset="iper", **SMALL))
    draws = [iper._draw_affine(np.random.default_rng(seed)) for seed in range(100)]
    assert all(draw.translate == (0, 0) and draw.scale == 1 and -5 <= draw.angle <= 5 for draw in draws)
    off = data.create_dataset(make_opt("dance", dance_root, sub_dataset="iper", **SMALL, angle=False))
    assert off._draw_affine(np.random.default_rng(0)) is None
    custom = data.create_dataset(make_opt("dance", dance_root, sub_dataset="fashion", **SMALL, angle=(10.0, 10.0),
                                          shift=(-2.0, -1.0), scale=False))
    draw = custom._draw_affine(np.random.default_rng(0))
    assert draw.angle == 10 and -2 <= min(draw.translate) <= max(draw.translate) <= -1 and draw.scale == 1


@pytest.mark.parametrize("sub_dataset, fill", [("fashion", 1.0), ("iper", -1.0)])
def test_warped_frames_are_filled_white_or_black(dance_root, make_opt, sub_dataset, fill):
    opt = make_opt("dance", dance_root, sub_dataset=sub_dataset, **SMALL, angle=(30.0, 30.0), shift=False, scale=False)
    item = data.create_dataset(opt)[0]
    assert (item["gen_images"][:, 0, 0] == fill).all() and (item["ref_image"][:, 0, 0] == fill).all()


def test_reference_shares_the_clip_augmentation_on_iper_only(dance_root, make_opt):
    """Video 'b' has 6 frames: every frame is a reference candidate; find items whose reference is in the clip."""
    shared = {}
    for sub_dataset in ("fashion", "iper"):
        dataset = data.create_dataset(make_opt("dance", dance_root, sub_dataset=sub_dataset, **SMALL))
        same = []
        for index in range(1, 40, 2):
            item = dataset[index]
            if item["ref_path"] in item["gen_paths"]:
                slot = item["gen_paths"].index(item["ref_path"])
                same.append(torch.equal(item["ref_image"], item["gen_images"][3 * slot:3 * slot + 3]))
        assert len(same) > 3
        shared[sub_dataset] = same
    assert all(shared["iper"]) and not any(shared["fashion"])


def test_reference_skeleton_is_the_noisy_one_in_coco_order(dance_root, make_opt):
    opt = make_opt("dance", dance_root, is_train=False, **TEST, test_list="none")
    item = data.create_dataset(opt)[0]
    reference = frame_numbers([item["ref_path"]])[0]
    joints = NOISY_AS_COCO + [reference, 0]
    joints[NOISY_AS_COCO[:, 0] == 0] = 0
    expected = skeleton_structure(skeleton_coordinates(joints, FRAME_SIZE, (32, 32)), (32, 32), LIMBS_COCO_17)
    assert torch.equal(item["ref_skeleton"], torch.from_numpy(expected))
    assert not item["ref_skeleton"][3].any()  # COCO joint 3, the left ear, is missing in the noisy files


def test_test_chunks_skeletons_and_keypoints(dance_root, make_opt):
    opt = make_opt("dance", dance_root, is_train=False, **TEST, test_list="none")
    dataset = data.create_dataset(opt)
    items = [dataset[index] for index in range(len(dataset))]
    assert len(items) == 3 + 2  # c: 7 frames -> 3 chunks (last padded); d: 4 frames -> 2 chunks
    assert [frame_numbers(item["gen_paths"]) for item in items] == [[0, 1, 2], [3, 4, 5], [6, 6, 6], [0, 1, 2],
                                                                    [3, 3, 3]]
    assert [item["change_seq"] for item in items] == [False, False, True, False, True]
    assert [item["frame_idx"] for item in items] == [3, 6, 9, 3, 6]
    item = items[1]
    assert item["gen_kps_clean"].shape == item["gen_kps_noise"].shape == (34, 3)
    for slot, frame in enumerate(frame_numbers(item["gen_paths"])):
        coordinates = skeleton_coordinates(clean_joints(frame), FRAME_SIZE, (32, 32))
        expected = skeleton_structure(coordinates, (32, 32), LIMBS_HUMAN36M_17)
        assert torch.equal(item["gen_skeleton"][20 * slot:20 * slot + 20], torch.from_numpy(expected))
        assert torch.equal(item["gen_kps_clean"][:, slot:slot + 1],
                           torch.from_numpy(skeleton_vector(coordinates, (32, 32))))
    assert item["gen_kps_noise"][3, 0] == -1 and item["gen_kps_noise"][20, 0] == -1  # the missing left ear
    assert "train_A/c/" in item["ref_path"] and frame_numbers([item["ref_path"]])[0] < 7


def test_test_list_gives_videos_and_cross_identity_references(dance_root, make_opt):
    dataset = data.create_dataset(make_opt("dance", dance_root, is_train=False, **TEST))  # ./test_list.csv
    items = [dataset[index] for index in range(len(dataset))]
    assert [frame_numbers(item["gen_paths"]) for item in items] == [[0, 1, 2], [3, 4, 5], [6, 6, 6], [0, 1, 2],
                                                                    [3, 3, 3]]
    assert all("train_A/c/" in item["ref_path"] and frame_numbers([item["ref_path"]])[0] < 2 for item in items[:3])
    assert all("train_A/c/" in item["ref_path"] for item in items[3:])  # video d animates c's person
    assert all("train_A/d/" in path for item in items[3:] for path in item["gen_paths"])


def test_cross_evaluation_takes_references_from_another_video(dance_root, make_opt):
    opt = make_opt("dance", dance_root, is_train=False, **TEST, test_list="none", cross_eval=True)
    dataset = data.create_dataset(opt)
    assert "train_A/d/" in dataset[0]["ref_path"] and "train_A/c/" in dataset[3]["ref_path"]


def test_items_follow_the_seed(dance_root, make_opt):
    dataset = data.create_dataset(make_opt("dance", dance_root, sub_dataset="fashion", **SMALL))
    first, again = dataset[0], dataset[0]
    assert all(torch.equal(first[key], again[key]) for key in ("gen_images", "gen_skeleton", "ref_image"))
    dataset.reseed(7)
    assert not torch.equal(dataset[0]["gen_images"], first["gen_images"])


def test_no_bone_map_and_structure_nc(dance_root, make_opt):
    opt = make_opt("dance", dance_root, **SMALL, no_bone_map=True)
    with pytest.raises(OptionError, match=r"--structure_nc=20: the dance dataset gives 17 structure channels per "
                                          r"frame; pass --structure_nc=17"):
        data.create_dataset(opt)
    opt.structure_nc = 17
    item = data.create_dataset(opt)[0]
    assert item["gen_skeleton"].shape == (17 * 4, 32, 32) and item["ref_skeleton"].shape == (17, 32, 32)


def test_loader_batches_clips(dance_root, make_opt):
    batch = next(iter(data.create_dataloader(make_opt("dance", dance_root, **SMALL, batchSize=2))))
    assert batch["gen_images"].shape == (2, 12, 32, 32) and batch["gen_masks"].shape == (2, 4, 32, 32)
    assert batch["ref_skeleton"].shape == (2, 20, 32, 32) and len(batch["gen_paths"]) == 4


def test_empty_people_gives_zero_channels(dance_copy, make_opt):
    path = dance_copy / "test_256" / "train_video2d" / "c" / "00001.json"
    path.write_text(json.dumps({"people": []}))
    item = data.create_dataset(make_opt("dance", dance_copy, is_train=False, **TEST, test_list="none"))[0]
    assert not item["gen_skeleton"][20:40].any() and item["gen_skeleton"][:20].any()
    assert not item["gen_kps_clean"][:, 1].any()


# --- bad input: one line naming the file ----------------------------------------------------------------

def one_line(error):
    assert "\n" not in str(error.value)


def test_missing_skeleton_file_for_a_frame(dance_copy, make_opt):
    os.remove(dance_copy / "train_256" / "train_video2d" / "a" / "00003.json")
    with pytest.raises(UserError, match=r"train_A/a: 8 files, but .*train_video2d/a has 7; each frame needs one of "
                                        r"each \(.*train_A/a/00003\.png has none\)") as error:
        data.create_dataset(make_opt("dance", dance_copy, **SMALL))
    one_line(error)


def test_skeleton_with_the_wrong_joint_count(dance_copy, make_opt):
    path = dance_copy / "test_256" / "train_alphapose" / "c" / "00000.json"
    content = json.loads(path.read_text())
    content["people"][0]["pose_keypoints_2d"] = content["people"][0]["pose_keypoints_2d"][:51]
    path.write_text(json.dumps(content))
    dataset = data.create_dataset(make_opt("dance", dance_copy, is_train=False, **TEST, test_list="none"))
    with pytest.raises(UserError, match=r"train_alphapose/c/00000\.json: 51 values in pose_keypoints_2d \(17 joints\); "
                                        r"expected 54 .*OpenPose-18") as error:
        dataset[0]
    one_line(error)


@pytest.mark.parametrize("content, message", [("{\"people\": [", r"cannot read the skeleton JSON"),
                                              ("[1, 2]", r"expected a JSON object with a 'people' list"),
                                              ("{\"people\": [{\"pose_keypoints_2d\": \"1,2\"}]}",
                                               r"people\[0\] needs a 'pose_keypoints_2d' list of numbers")])
def test_unreadable_skeleton_file(dance_copy, make_opt, content, message):
    (dance_copy / "train_256" / "train_video2d" / "a" / "00000.json").write_text(content)
    (dance_copy / "train_256" / "train_video2d" / "b" / "00000.json").write_text(content)
    dataset = data.create_dataset(make_opt("dance", dance_copy, **{**SMALL, "n_frames_total": 6}))
    with pytest.raises(UserError, match=r"train_video2d/b/00000\.json: " + message) as error:
        dataset[1]  # video b: a 6-frame clip holds frame 0
    one_line(error)


def test_missing_and_unreadable_masks(dance_copy, make_opt):
    (dance_copy / "train_256" / "train_C" / "b" / "00002.png").write_bytes(b"not a png")
    dataset = data.create_dataset(make_opt("dance", dance_copy, **{**SMALL, "n_frames_total": 6}))
    with pytest.raises(UserError, match=r"train_C/b/00002\.png: cannot read the frame"):
        dataset[1]
    os.remove(dance_copy / "train_256" / "train_C" / "a" / "00005.png")
    with pytest.raises(UserError, match=r"train_A/a: 8 files, but .*train_C/a has 7; .*train_A/a/00005\.png has none"):
        data.create_dataset(make_opt("dance", dance_copy, **SMALL))
    shutil.rmtree(dance_copy / "train_256" / "train_C")
    with pytest.raises(UserError, match=r"train_C: folder of foreground masks not found"):
        data.create_dataset(make_opt("dance", dance_copy, **SMALL))
    data.create_dataset(make_opt("dance", dance_copy, **SMALL, sub_dataset="fashion"))  # fashion needs no masks


def test_bad_test_lists(dance_copy, make_opt):
    opt = make_opt("dance", dance_copy, is_train=False, **TEST, test_list="missing.csv")
    with pytest.raises(UserError, match=r"missing\.csv: test list not found; .* --test_list=none"):
        data.create_dataset(opt)
    listing = dance_copy / "test_list.csv"
    lines = listing.read_text().splitlines()
    listing.write_text("\n".join(lines[:2] + [lines[2].replace("00001.json", "00009.json")]) + "\n")
    opt.test_list = "test_list.csv"
    with pytest.raises(UserError, match=r"test_list\.csv, line 3, column B_paths_noise: file not found: .*00009\.json"):
        data.create_dataset(opt)
    listing.write_text("A_paths,B_paths_noise\n\"{}\",\"{}\"\n")
    with pytest.raises(UserError, match=r"expected a header with the columns A_paths, B_paths_noise, B_paths_clean"):
        data.create_dataset(opt)


def test_bad_options(dance_root, make_opt, tmp_path):
    with pytest.raises(UserError, match=r"train_256: split folder not found"):
        data.create_dataset(make_opt("dance", tmp_path, **SMALL))
    with pytest.raises(UserError, match=r"train_A/b: 6 frames, fewer than a training clip \(--n_frames_total=8\)"):
        data.create_dataset(make_opt("dance", dance_root, **{**SMALL, "n_frames_total": 8}))
    single = make_opt("dance", dance_root, is_train=False, **TEST, test_list="none", cross_eval=True,
                      max_dataset_size=1)
    data.create_dataset(single)  # two videos on disk: fine even when only one is used
    with pytest.raises(OptionError, match=r"--angle: expected a range"):
        data.create_dataset(make_opt("dance", dance_root, **SMALL, angle=3.0))


@pytest.mark.slow
def test_clips_are_the_same_with_workers_and_on_resume(dance_root, make_opt):
    options = {**SMALL, "batchSize": 1, "max_t_step": 2, "n_frames_total": 2, "sub_dataset": "fashion"}
    keys = ("gen_paths", "ref_path", "gen_images", "gen_skeleton", "ref_image", "ref_skeleton")
    assert len(assert_resumed_epoch_matches(make_opt("dance", dance_root, **options), 3, 1, keys)) == 2
