"""The keypoint (Human3.6M) and keypointtest (AlphaPose skeletons of a video set) datasets."""
import json

import numpy as np
import pytest
import torch

import data
from data.skeleton_maps import skeleton_coordinates, skeleton_vector
from options.errors import OptionError
from tests.data.dance_samples import FRAME_SIZE, NOISY_AS_COCO, write_dance_video
from util.errors import UserError

WINDOW = dict(n_frames_pre_load=4, n_receptive=5, t_step=1)  # 4 output frames, 2 input frames either side


def ramp(frames, offset):
    """[frames, 17, 2] (x, y): joint j of frame t at (offset + 10 t + j, 500 + j)."""
    positions = np.zeros((frames, 17, 2), dtype=np.float32)
    positions[:, :, 0] = offset + 10 * np.arange(frames)[:, None] + np.arange(17)
    positions[:, :, 1] = 500 + np.arange(17)
    return positions


def write_positions(path, positions, key="positions_2d"):
    np.savez(path, **{key: positions, "metadata": {"num_joints": 17}})
    return str(path)


@pytest.fixture
def h36m_files(tmp_path):
    """S1 (2 cameras) and S9: ground truth and detections (3 columns: x, y, score), equal but for S1 camera 1."""
    gt = {"S1": {"Walking": [ramp(30, 0), ramp(30, 100)]}, "S9": {"Walking": [ramp(20, 7)]},
          "S5": {"Eating": [ramp(100, 0)], "Sitting": [ramp(30, 0)]}}
    detections = {"S1": {"Walking": [np.concatenate([ramp(30, 0), np.ones((30, 17, 1), np.float32)], axis=2),
                                     ramp(30, 200)]},
                  "S9": {"Walking": [ramp(21, 7)]},             # one frame longer: within 1 %? no: 1/20 -> left out
                  "S5": {"Eating": [ramp(101, 0)]},             # 1 % longer: kept, cut to 100 frames
                  "S11": {"Walking": [ramp(30, 0)]}}            # no ground truth
    return (write_positions(tmp_path / "gt.npz", gt), write_positions(tmp_path / "coco.npz", detections))


def keypoint_opt(make_opt, files, is_train=True, **overrides):
    gt_path, input_path = files
    return make_opt("keypoint", "unused", is_train=is_train, gt_path=gt_path, input_path=input_path,
                    **{**WINDOW, **overrides})


def columns(positions):
    """The expected normalised [34, T] columns of [T, 17, 2] pixels (width 1000)."""
    scaled = positions.astype(np.float32) / 1000 * 2 - 1
    return np.concatenate([scaled[:, :, 1].T, scaled[:, :, 0].T])


def test_sequences_pair_and_split_by_subject(h36m_files, make_opt):
    train = data.create_dataset(keypoint_opt(make_opt, h36m_files))
    assert [(s.subject, s.action, s.camera, len(s.gt)) for s in train.sequences] == [
        ("S1", "Walking", 0, 30), ("S1", "Walking", 1, 30), ("S5", "Eating", 0, 100)]
    assert len(train) == 3 and train.cameras[1] == {"id": "55011271", "res_w": 1000, "res_h": 1000}
    with pytest.raises(UserError, match=r"coco\.npz: no sequence shared with .*gt\.npz .* outside the subjects S1, S5"):
        data.create_dataset(keypoint_opt(make_opt, h36m_files, is_train=False))


def test_training_window_and_augmentation(h36m_files, make_opt):
    dataset = data.create_dataset(keypoint_opt(make_opt, h36m_files))
    for index in (0, 2):
        item = dataset[index]
        assert set(item) == {"input_data", "gt_data", "camera"}
        assert item["input_data"].shape == (34, 8) and item["gt_data"].shape == (34, 4)
        assert item["input_data"].dtype == item["gt_data"].dtype == torch.float32
        # input == ground truth in these files: the window's middle is the ground truth, augmented alike
        assert torch.equal(item["input_data"][:, 2:6], item["gt_data"])
    sequence = dataset.sequences[2].gt
    starts, scales, shifts = set(), [], []
    for seed in range(60):  # the draws of the item's generator: window, then scale, then the y and x shifts
        dataset.reseed(seed)
        item = dataset[2]
        rng = dataset.sample_rng(2)
        gt_frames, input_frames = dataset.window(len(sequence), rng)
        scale, shift_y, shift_x = 0.5 * rng.random() + 1, rng.random() * 0.2 - 0.1, rng.random() * 0.2 - 0.1
        shift = np.repeat([shift_y, shift_x], 17)[:, None]
        assert np.allclose(item["gt_data"].numpy(), columns(sequence[gt_frames]) * scale + shift, atol=1e-6)
        assert np.allclose(item["input_data"].numpy(), columns(sequence[input_frames]) * scale + shift, atol=1e-6)
        starts.add(gt_frames[0])
        scales.append(scale)
        shifts += [shift_y, shift_x]
    assert 1 <= min(scales) < 1.1 and 1.4 < max(scales) < 1.5
    assert -0.1 <= min(shifts) < -0.09 and 0.09 < max(shifts) < 0.1
    assert len(starts) > 30 and min(starts) >= 0 and max(starts) <= 96


def test_window_is_clamped_at_the_sequence_ends(h36m_files, make_opt):
    dataset = data.create_dataset(keypoint_opt(make_opt, h36m_files, n_receptive=81, n_frames_pre_load=24))
    rng = np.random.default_rng(0)
    gt_frames, input_frames = dataset.window(30, rng)
    assert len(input_frames) == 104 and gt_frames == list(range(gt_frames[0], gt_frames[0] + 24))
    assert input_frames[40:64] == gt_frames
    assert input_frames[:40] == [max(0, frame) for frame in range(gt_frames[0] - 40, gt_frames[0])]
    assert input_frames[-1] == 29


def test_test_items_are_whole_sequences(tmp_path, make_opt):
    gt = {"S9": {"Posing": [ramp(40, 0)]}, "S11": {"Posing": [ramp(50, 0)]}}
    files = (write_positions(tmp_path / "gt.npz", gt), write_positions(tmp_path / "in.npz", gt))
    dataset = data.create_dataset(keypoint_opt(make_opt, files, is_train=False))
    item = dataset[1]
    assert item["out_path"] == {"subject": "S11", "action": "Posing", "camera": "0"}
    assert np.array_equal(item["gt_data"].numpy(), columns(ramp(50, 0))) and item["input_data"].shape == (34, 50)


@pytest.mark.parametrize("content, message", [
    (None, r"keypoint file not found"),
    ({"positions_3d": {"S1": {}}}, r"no 'positions_2d' entry \(found positions_3d\)"),
    ({"positions_2d": {"S1": {"Walking": [np.zeros((30, 18, 2))]}}},
     r"S1/Walking camera 0: expected an array \[frames, 17, 2 or more\] .*got shape \(30, 18, 2\)"),
    ({"positions_2d": {"S1": {"Walking": [np.zeros((30, 17, 2))] * 5}}},
     r"S1/Walking has camera 4; Human3\.6M has cameras 0\.\.3"),
    ({"positions_2d": {"S1": {"Walking": [np.zeros((3, 17, 2))]}}},
     r"S1/Walking camera 0: 3 frames, fewer than --n_frames_pre_load=4"),
])
def test_bad_keypoint_files(tmp_path, make_opt, content, message):
    path = str(tmp_path / "bad.npz")
    if content is not None:
        np.savez(path, **content)
    files = (path, path) if "positions_3d" not in str(content) else (write_positions(tmp_path / "gt.npz", {}), path)
    with pytest.raises(UserError, match=message) as error:
        data.create_dataset(keypoint_opt(make_opt, files))
    assert "\n" not in str(error.value)


# --- keypointtest ----------------------------------------------------------------------------------------

TEST_CHUNKS = dict(load_size=(32, 32), n_frames_pre_load_test=4, n_receptive=5, eval_set="val")


@pytest.fixture(scope="module")
def video_set(tmp_path_factory):
    root = tmp_path_factory.mktemp("keypointtest")
    write_dance_video(root, "val_256", "a", 10)
    write_dance_video(root, "val_256", "b", 4)
    return root


def test_chunks_cover_each_video_the_last_one_moved_back(video_set, make_opt):
    dataset = data.create_dataset(make_opt("keypointtest", video_set, is_train=False, **TEST_CHUNKS))
    items = [dataset[index] for index in range(len(dataset))]
    frames = [[int(path[-10:-5]) for path in item["gen_paths"]] for item in items]
    assert frames == [[0, 1, 2, 3], [4, 5, 6, 7], [6, 7, 8, 9], [0, 1, 2, 3]]
    assert [item["frame_idx"] for item in items] == [4, 8, 10, 4]
    assert [item["change_seq"] for item in items] == [False, False, True, True]
    assert all(path.endswith(".json") and "train_alphapose" in path for path in items[0]["gen_paths"])


def test_keypoint_window_images_and_shape(video_set, make_opt):
    dataset = data.create_dataset(make_opt("keypointtest", video_set, is_train=False, **TEST_CHUNKS))
    item = dataset[0]
    assert set(item) == {"gen_keypoints", "current_keypoints", "gen_images", "shape", "gen_paths", "video",
                         "frame_idx", "change_seq"}
    assert item["gen_keypoints"].shape == (34, 8) and item["current_keypoints"].shape == (34, 4)
    assert item["video"] == "a" and dataset[3]["video"] == "b"
    assert item["gen_images"].shape == (12, 32, 32) and item["shape"] == (FRAME_SIZE[1], FRAME_SIZE[0])
    expected = []
    for frame in (0, 0, 0, 1, 2, 3, 4, 5):  # 2 frames either side, the first frame repeated before the video
        joints = NOISY_AS_COCO + [frame, 0]
        joints[NOISY_AS_COCO[:, 0] == 0] = 0
        expected.append(skeleton_vector(skeleton_coordinates(joints, FRAME_SIZE, (32, 32)), (32, 32)))
    assert np.array_equal(item["gen_keypoints"].numpy(), np.concatenate(expected, axis=1))
    assert torch.equal(item["current_keypoints"], item["gen_keypoints"][:, 2:6])
    last = dataset[2]["gen_keypoints"]
    assert torch.equal(last[:, -1], last[:, -3])  # frame 9 repeated after the video


def test_keypointtest_bad_input(video_set, make_opt, tmp_path):
    with pytest.raises(OptionError, match=r"keypointtest is a test set"):
        data.create_dataset(make_opt("keypointtest", video_set, is_train=True, **TEST_CHUNKS))
    with pytest.raises(UserError, match=r"val_256/train_A/b: 4 frames, fewer than a test chunk "
                                        r"\(--n_frames_pre_load_test=5\)"):
        data.create_dataset(make_opt("keypointtest", video_set, is_train=False, **{**TEST_CHUNKS,
                                                                                    "n_frames_pre_load_test": 5}))
    write_dance_video(tmp_path, "train_256", "c", 4)
    (tmp_path / "train_256" / "train_alphapose" / "c" / "00002.json").write_text(json.dumps({"people": [{}]}))
    dataset = data.create_dataset(make_opt("keypointtest", tmp_path, is_train=False,
                                           **{**TEST_CHUNKS, "eval_set": "train"}))
    with pytest.raises(UserError, match=r"c/00002\.json: people\[0\] needs a 'pose_keypoints_2d' list"):
        dataset[0]
