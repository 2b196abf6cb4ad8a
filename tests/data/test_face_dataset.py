"""The face dataset: items, training clips, test chunks with padding and change_seq, bad input."""
import os
import shutil

import pytest
import torch
from PIL import Image

import data
from data.face_landmarks import read_landmarks
from data.face_maps import face_structure
from options.errors import OptionError
from tests.data.face_samples import FRAME_SIZE, write_face_video
from tests.data.resumed_loading import assert_resumed_epoch_matches
from tests.paths import frame_numbers
from util.errors import UserError
from util.reproducibility import epoch_batches

SMALL = dict(load_size=(32, 32), n_frames_total=4, max_frames_per_gpu=2)


@pytest.fixture(scope="module")
def face_root(tmp_path_factory):
    """Two train videos (9 and 6 frames) and two test videos (8 and 3 frames)."""
    root = tmp_path_factory.mktemp("face")
    for phase, videos in (("train", {"000": 9, "001": 6}), ("test", {"100": 8, "101": 3})):
        for seed, (name, frames) in enumerate(videos.items()):
            write_face_video(root, phase, name, frames, seed=seed)
    return root


@pytest.fixture
def face_copy(face_root, private_copy):
    return private_copy(face_root, "face")


def test_training_item(face_root, make_opt):
    dataset = data.create_dataset(make_opt("face", face_root, **SMALL))
    assert len(dataset) == 2
    item = dataset[1]
    assert set(item) == {"BP", "P", "BP_path", "P_path", "change_seq", "frame_idx"}
    assert item["BP"].shape == (16 * 4, 32, 32) and item["P"].shape == (3 * 4, 32, 32)
    assert item["BP"].dtype == item["P"].dtype == torch.float32
    assert item["P"].min() >= -1 and item["P"].max() <= 1 and item["P"].min() < -0.5 < 0.5 < item["P"].max()
    structure = item["BP"].view(4, 16, 32, 32)
    assert structure[:, :15].min() >= 0 and structure[:, :15].max() <= 1
    assert set(structure[:, 15].unique().tolist()) == set(range(7))
    assert item["change_seq"] is False and item["frame_idx"] == 0
    frames = frame_numbers(item["P_path"])
    assert frames == list(range(frames[0], frames[0] + 4)) and os.path.dirname(item["P_path"][0]).endswith("001")
    assert item["BP_path"] == os.path.join(face_root, "train_keypoints", "001", f"{frames[-1]:05d}.txt")


def test_frame_channels_match_the_maps_of_their_files(face_root, make_opt):
    dataset = data.create_dataset(make_opt("face", face_root, **SMALL))
    item = dataset[0]
    for slot, frame_path in enumerate(item["P_path"]):
        landmark_path = frame_path.replace("train_data", "train_keypoints")[:-4] + ".txt"
        with Image.open(frame_path) as frame:
            expected = face_structure(read_landmarks(landmark_path), frame.convert("RGB"), FRAME_SIZE, (32, 32))
        assert torch.equal(item["BP"][16 * slot:16 * (slot + 1)], torch.from_numpy(expected))


def test_training_clips_follow_the_seed(face_root, make_opt):
    opt = make_opt("face", face_root, **{**SMALL, "max_t_step": 2, "n_frames_total": 2})
    dataset = data.create_dataset(opt)
    clips = [dataset.clip_plan(index) for index in range(40)]
    assert [clip.video for clip in clips[:4]] == [0, 1, 0, 1]
    assert clips == [dataset.clip_plan(index) for index in range(40)]  # a function of (seed, index)
    steps = {clip.frames[1] - clip.frames[0] for clip in clips}
    assert steps == {1, 2}
    for clip in clips:
        assert len(clip.frames) == 2 and 0 <= clip.frames[0] and clip.frames[-1] < dataset.video_lengths[clip.video]
    dataset.reseed(1)
    assert [dataset.clip_plan(index) for index in range(40)] != clips


def test_training_start_covers_the_video(face_root, make_opt):
    dataset = data.create_dataset(make_opt("face", face_root, **SMALL))  # 4 frames, step 1
    starts = {dataset.clip_plan(index).frames[0] for index in range(0, 400, 2)}  # video 000: 9 frames
    assert starts == set(range(6))


def test_test_chunks_pad_and_change_sequence(face_root, make_opt):
    opt = make_opt("face", face_root, is_train=False, load_size=(32, 32), n_frames_pre_load_test=3)
    dataset = data.create_dataset(opt)
    items = [dataset[index] for index in range(len(dataset))]
    assert len(dataset) == 3 + 1  # 8 frames -> 3 chunks (last padded), 3 frames -> 1 chunk
    assert [frame_numbers(item["P_path"]) for item in items] == [[0, 1, 2], [3, 4, 5], [6, 7, 7], [0, 1, 2]]
    assert [item["frame_idx"] for item in items] == [3, 6, 9, 3]
    assert [item["change_seq"] for item in items] == [False, False, True, True]
    padded = items[2]["BP"].view(3, 16, 32, 32)
    assert torch.equal(padded[1], padded[2]) and torch.equal(items[2]["P"][3:6], items[2]["P"][6:9])
    assert os.path.basename(os.path.dirname(items[3]["P_path"][0])) == "101"


def test_test_start_frame_and_total(face_root, make_opt):
    opt = make_opt("face", face_root, is_train=False, load_size=(32, 32), n_frames_pre_load_test=2, start_frame=1,
                   total_test_frames=2)
    dataset = data.create_dataset(opt)
    plans = [dataset.clip_plan(index) for index in range(len(dataset))]
    assert [(plan.video, plan.frames, plan.frame_idx, plan.change_seq) for plan in plans] == [
        (0, (1, 2), 3, True), (1, (1, 2), 3, True)]
    opt.start_frame, opt.total_test_frames = 2, None
    plans = [data.create_dataset(opt).clip_plan(index) for index in range(4)]
    assert [(plan.video, plan.frames, plan.change_seq) for plan in plans] == [
        (0, (2, 3), False), (0, (4, 5), False), (0, (6, 7), True), (1, (2, 2), True)]
    opt.start_frame, opt.total_test_frames = 1, 3
    with pytest.warns(UserWarning, match="not a multiple of --n_frames_pre_load_test=2: testing 2 frames"):
        assert len(data.create_dataset(opt)) == 2


def test_loader_batches_clips(face_root, make_opt):
    opt = make_opt("face", face_root, **SMALL, batchSize=2)
    batch = next(iter(data.create_dataloader(opt)))
    assert batch["BP"].shape == (2, 64, 32, 32) and batch["P"].shape == (2, 12, 32, 32)
    assert len(batch["P_path"]) == 4 and len(batch["P_path"][0]) == 2 and batch["change_seq"].tolist() == [False] * 2


def test_no_dist_map_needs_two_structure_channels(face_root, make_opt):
    opt = make_opt("face", face_root, **SMALL, no_dist_map=True)
    with pytest.raises(OptionError, match=r"--structure_nc=16: the face dataset gives 2 structure channels per "
                                          r"frame .*; pass --structure_nc=2"):
        data.create_dataset(opt)
    opt.structure_nc = 2
    item = data.create_dataset(opt)[0]
    assert item["BP"].shape == (2 * 4, 32, 32) and item["BP"][1::2].max() == 6


def test_no_canny_edge_works(face_root, make_opt):
    plain = data.create_dataset(make_opt("face", face_root, **SMALL, no_canny_edge=True))[0]["BP"]
    canny = data.create_dataset(make_opt("face", face_root, **SMALL))[0]["BP"]
    edges_plain, edges_canny = plain[0::16], canny[0::16]
    assert (edges_canny >= edges_plain).all() and (edges_canny > edges_plain).any()
    assert torch.equal(plain.view(4, 16, 32, 32)[:, 1:], canny.view(4, 16, 32, 32)[:, 1:])


# --- bad input: one line naming the file or folder -------------------------------------------------------

def test_landmark_file_with_wrong_line_count(tmp_path, make_opt):
    write_face_video(tmp_path, "train", "000", 4, landmark_lines=67)
    with pytest.raises(UserError, match=r"train_keypoints/000/00000\.txt: 67 landmark lines, expected 68") as error:
        data.create_dataset(make_opt("face", tmp_path, **SMALL))[0]
    assert "\n" not in str(error.value)


def test_landmark_line_that_is_not_two_numbers(tmp_path, make_opt):
    _, landmark_dir = write_face_video(tmp_path, "train", "000", 4)
    path = os.path.join(landmark_dir, "00002.txt")
    lines = open(path).readlines()
    lines[4] = "12;40\n"
    open(path, "w").writelines(lines)
    dataset = data.create_dataset(make_opt("face", tmp_path, **SMALL))
    with pytest.raises(UserError, match=r"00002\.txt, line 5: expected 'x,y' \(two numbers\), got '12;40'"):
        dataset[0]


def test_frame_and_landmark_counts_differ(face_copy, make_opt):
    os.remove(face_copy / "train_keypoints" / "001" / "00003.txt")
    with pytest.raises(UserError, match=r"train_keypoints/001: 5 files, but .*train_data/001 has 6; each frame needs"):
        data.create_dataset(make_opt("face", face_copy, **SMALL))


def test_video_without_landmarks(face_copy, make_opt):
    write_face_video(face_copy, "train", ".000.partial", 1)  # hidden folders are not videos
    assert len(data.create_dataset(make_opt("face", face_copy, **SMALL))) == 2
    shutil.rmtree(face_copy / "train_keypoints" / "001")
    with pytest.raises(UserError, match=r"train_data/001: no matching folder .*train_keypoints/001"):
        data.create_dataset(make_opt("face", face_copy, **SMALL))


def test_video_shorter_than_a_clip(face_root, make_opt):
    with pytest.raises(UserError, match=r"train_data/001: 6 frames, fewer than a training clip \(--n_frames_total=8\)"):
        data.create_dataset(make_opt("face", face_root, **{**SMALL, "n_frames_total": 8}))
    opt = make_opt("face", face_root, is_train=False, load_size=(32, 32), total_test_frames=6)
    with pytest.raises(UserError, match=r"test_data/101: 3 frames, too few for --start_frame=0 and "
                                        r"--total_test_frames=6"):
        data.create_dataset(opt)


def test_missing_folders_and_bad_options(tmp_path, face_root, make_opt):
    with pytest.raises(UserError, match=r"train_data: folder of frames not found"):
        data.create_dataset(make_opt("face", tmp_path, **SMALL))
    with pytest.raises(OptionError, match=r"--n_frames_total=5: .* expected a multiple of 2, e.g. 4"):
        data.create_dataset(make_opt("face", face_root, **{**SMALL, "n_frames_total": 5}))
    with pytest.raises(OptionError, match=r"--max_t_step: expected an integer >= 1, got 0"):
        data.create_dataset(make_opt("face", face_root, **SMALL, max_t_step=0))


@pytest.mark.slow
def test_clips_are_the_same_with_workers_and_on_resume(face_root, make_opt):
    options = {**SMALL, "batchSize": 1, "max_t_step": 2, "n_frames_total": 2}
    full = assert_resumed_epoch_matches(make_opt("face", face_root, **options), 3, 1, ("P_path", "BP"))
    assert len(full) == 2
    other_epoch = list(epoch_batches(data.create_dataloader(make_opt("face", face_root, **options)), 0, 4))
    assert [batch["P_path"] for batch in other_epoch] != [batch["P_path"] for batch in full]
