import gzip
import os

import h5py
import numpy as np
import pytest

from lava_replay.data import mnist, protocols, shd
from lava_replay.data.synthetic import synthetic_shd
from lava_replay.errors import LavaReplayError


def test_bin_events_fixed_grid():
    # 1.4 s over 40 bins = 35 ms: 0.0 and 0.034 share bin 0, 0.035 is bin 1, 1.39 is bin 39, 2.0 clips to 39
    raster = shd.bin_events([0.0, 0.034, 0.035, 1.39, 2.0], [3, 3, 5, 7, 8], 40)
    assert raster.shape == (700, 40)
    assert raster.dtype == np.uint8
    assert raster[3, 0] == 1 and raster[3].sum() == 1  # two spikes in one bin stay one (binary)
    assert raster[5, 1] == 1 and raster[7, 39] == 1 and raster[8, 39] == 1
    assert raster.sum() == 4
    assert shd.bin_events([0.02], [0], 100)[0, 1] == 1  # 14 ms bins at T=100


def test_graded_bins_count_events():
    times, units = [0.0, 0.01, 0.034, 0.035] + [0.5] * 300, [3, 3, 3, 3] + [9] * 300
    graded = shd.bin_events(times, units, 40, graded=True)
    assert graded[3, 0] == 3 and graded[3, 1] == 1
    assert graded[9, 14] == 255  # 300 events in one bin saturate the 8-bit payload
    assert np.array_equal(np.minimum(graded, 1), shd.bin_events(times, units, 40))


def _write_shd(path, n=12, n_classes=3, tonic_placeholder=True, channels=700):
    rng = np.random.default_rng(0)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with h5py.File(path, "w") as f:
        vt = f.create_dataset("spikes/times", (n,), dtype=h5py.vlen_dtype(np.float16))
        vu = f.create_dataset("spikes/units", (n,), dtype=h5py.vlen_dtype(np.uint16))
        for i in range(n):
            vt[i] = np.sort(rng.random(50) * 1.3).astype(np.float16)
            vu[i] = rng.integers(0, channels, 50).astype(np.uint16)
        f.create_dataset("labels", data=np.arange(n) % n_classes)
        f.create_dataset("extra/speaker", data=np.zeros(n, dtype=int))
        f.create_dataset("extra/keys", data=np.array([b"k%d" % i for i in range(n_classes)]))
    if tonic_placeholder:
        open(path + ".zip", "a").close()


def _no_download(monkeypatch):
    import tonic

    def offline(self, *a, **k):
        raise OSError("no network")
    monkeypatch.setattr(tonic.datasets.SHD, "download", offline)


def test_load_split_and_cache(tmp_path):
    _write_shd(str(tmp_path / "SHD" / "shd_train.h5"))
    first = shd.load_split(str(tmp_path), "train", 40, progress=False)
    assert first["spikes"].shape == (12, 700, 40)
    assert list(first["labels"][:4]) == [0, 1, 2, 0]
    cached = list((tmp_path / "cache").glob("shd_train_T40_*.npz"))
    assert len(cached) == 1
    second = shd.load_split(str(tmp_path), "train", 40, progress=False)
    assert np.array_equal(first["spikes"], second["spikes"])
    assert second["fingerprint"] == first["fingerprint"]


def test_graded_split_is_cached_apart_from_the_binary_one(tmp_path):
    _write_shd(str(tmp_path / "SHD" / "shd_train.h5"), channels=4)  # events share bins
    binary = shd.load_split(str(tmp_path), "train", 40, progress=False)
    graded = shd.load_split(str(tmp_path), "train", 40, progress=False, graded=True)
    assert (graded["spikes"].sum(axis=(1, 2)) == 50).all()  # every one of a sample's 50 events, in 1.3 s
    assert graded["spikes"].max() > 1
    assert np.array_equal(np.minimum(graded["spikes"], 1), binary["spikes"])
    assert len(list((tmp_path / "cache").glob("shd_train_T40_graded_*.npz"))) == 1
    again = shd.load_split(str(tmp_path), "train", 40, progress=False, graded=True)
    assert np.array_equal(again["spikes"], graded["spikes"])


def test_missing_shd_names_the_file(tmp_path, monkeypatch):
    _no_download(monkeypatch)
    with pytest.raises(LavaReplayError, match="shd_train.h5"):
        shd.load_split(str(tmp_path), "train", 40, progress=False)
    assert os.listdir(tmp_path) == []  # the failed download left nothing behind
    with pytest.raises(LavaReplayError, match="data directory .*missing does not exist"):
        shd.load_split(str(tmp_path / "missing"), "train", 40, progress=False)
    assert not (tmp_path / "missing").exists()


def test_the_h5_file_alone_loads_offline_as_tonic_reads_it(tmp_path, monkeypatch):
    import tonic

    _write_shd(str(tmp_path / "SHD" / "shd_train.h5"), tonic_placeholder=False)
    _no_download(monkeypatch)
    data = shd.load_split(str(tmp_path), "train", 40, progress=False)
    assert sorted(os.listdir(tmp_path / "SHD")) == ["shd_train.h5"]  # nothing added beside the user's file
    (tmp_path / "SHD" / "shd_train.h5.zip").touch()  # tonic reads the same file only with its placeholder
    dataset = tonic.datasets.SHD(save_to=str(tmp_path), train=True)
    for i in range(len(dataset)):
        events, label = dataset[i]
        assert np.array_equal(data["spikes"][i], shd.bin_events(events["t"] * 1e-6, events["x"], 40))
        assert data["labels"][i] == label
    assert np.array_equal(data["speakers"], dataset.speaker)


def _truncate(path):
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size // 2)


@pytest.mark.parametrize("damage", ["truncated", "empty", "no spikes/times", "units out of range"])
def test_unreadable_shd_file_is_called_what_it_is(damage, tmp_path):
    path = str(tmp_path / "SHD" / "shd_train.h5")
    _write_shd(path, tonic_placeholder=False)
    if damage == "truncated":
        _truncate(path)
    elif damage == "empty":
        open(path, "w").close()
    else:
        with h5py.File(path, "r+") as f:
            if damage == "no spikes/times":
                del f["spikes/times"]
            else:
                f["spikes/units"][0] = np.full(50, 700, np.uint16)
    with pytest.raises(LavaReplayError, match=r"shd_train.h5 is not a readable SHD file: "):
        shd.load_split(str(tmp_path), "train", 40, progress=False)
    assert not (tmp_path / "cache").exists()


def test_official_protocol_needs_test_file(tmp_path):
    _write_shd(str(tmp_path / "SHD" / "shd_train.h5"))
    with pytest.raises(LavaReplayError, match="shd_test.h5"):
        protocols.load_shd_protocol(str(tmp_path), "official", 40, progress=False)


def test_spikinglr_split_proportions_and_seed():
    labels = np.repeat(np.arange(20), 520)
    p = protocols.make_protocol("spikinglr", labels, new_classes=[7], seed=3)
    assert p.pretrain_classes == [c for c in range(20) if c != 7]
    assert p.new_classes == [7]
    assert len(p.select("test", labels, [7])) == 64
    assert len(p.select("train", labels, [7])) == 448
    assert len(p.select("val", labels, [7])) == 520 - 512
    old_test = p.select("test", labels, [0])
    assert len(old_test) == round(0.2 * 520)
    parts = [set(p.train), set(p.val), set(p.test)]
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
    again = protocols.make_protocol("spikinglr", labels, new_classes=[7], seed=3)
    other = protocols.make_protocol("spikinglr", labels, new_classes=[7], seed=4)
    assert np.array_equal(p.test, again.test) and not np.array_equal(p.test, other.test)


def test_small_new_class_keeps_seven_to_one():
    labels = np.repeat(np.arange(20), 400)
    p = protocols.make_protocol("spikinglr", labels, new_classes=[0])
    assert len(p.select("test", labels, [0])) == 50
    assert len(p.select("train", labels, [0])) + len(p.select("val", labels, [0])) == 350


def test_multistep_tasks():
    labels = np.repeat(np.arange(20), 30)
    p = protocols.make_protocol("multistep", labels)
    assert p.tasks[0] == list(range(10))
    assert p.tasks[1:] == [[c] for c in range(10, 20)]


@pytest.mark.parametrize("bad", [[20], [-1], [3, 3], list(range(20))])
def test_bad_new_class(bad):
    with pytest.raises(LavaReplayError, match="--new-class"):
        protocols.make_protocol("spikinglr", np.repeat(np.arange(20), 10), new_classes=bad)


def test_unknown_protocol():
    with pytest.raises(LavaReplayError, match="unknown protocol"):
        protocols.make_protocol("nope", np.zeros(10, dtype=int))


def test_synthetic_classes_differ():
    d = synthetic_shd(n_per_class=10, n_classes=3, timesteps=30, seed=1)
    assert d["spikes"].shape == (30, 700, 30)
    means = [d["spikes"][d["labels"] == c].mean(0) for c in range(3)]
    # same-class samples overlap far more than samples of different classes
    within = (means[0] * means[0]).sum()
    across = (means[0] * means[1]).sum()
    assert within > 3 * across


def _write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_mnist_reader(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    _write_idx(folder / "train-images-idx3-ubyte.gz", images)
    _write_idx(folder / "train-labels-idx1-ubyte.gz", np.array([5, 0, 4]))
    x, y = mnist.load_mnist(str(tmp_path), "train")
    assert np.array_equal(x, images) and list(y) == [5, 0, 4]


def test_mnist_errors(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    with pytest.raises(LavaReplayError, match="train-images-idx3-ubyte"):
        mnist.load_mnist(str(tmp_path), "train")
    _write_idx(folder / "train-images-idx3-ubyte.gz", np.zeros((2, 20, 20)))
    _write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(2))
    with pytest.raises(LavaReplayError, match=r"\(n, 28, 28\)"):
        mnist.load_mnist(str(tmp_path), "train")
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"\x01\x02\x03\x04garbage"))
    with pytest.raises(LavaReplayError, match="magic"):
        mnist.load_mnist(str(tmp_path), "train")
    _write_idx(folder / "train-images-idx3-ubyte.gz", np.zeros((200, 28, 28)) + 7)
    _truncate(folder / "train-images-idx3-ubyte.gz")
    with pytest.raises(LavaReplayError, match="cannot read IDX file .*train-images-idx3-ubyte.gz"):
        mnist.load_mnist(str(tmp_path), "train")


def test_official_protocol_uses_the_test_file():
    labels = np.concatenate([np.repeat(np.arange(20), 10), np.repeat(np.arange(20), 3)])
    p = protocols.make_protocol("official", labels, new_classes=[5], n_test_file=60)
    assert np.array_equal(p.test, np.arange(200, 260))
    assert p.train.max() < 200 and p.val.max() < 200
    assert len(p.val) == 20 and len(p.train) == 180


def test_hold_out_speakers_validates_on_unseen_speakers():
    labels = np.repeat(np.arange(20), 50)
    speakers = np.arange(len(labels)) % 5
    p = protocols.make_protocol("spikinglr", labels, new_classes=[0], seed=1)
    held = protocols.hold_out_speakers(p, speakers, [4, 1])
    assert held.val_speakers == (1, 4)
    assert np.array_equal(held.test, p.test)  # the same test split as the random protocol
    assert set(speakers[held.val]) == {1, 4} and not set(speakers[held.train]) & {1, 4}
    non_test = np.setdiff1d(np.arange(len(labels)), p.test)
    assert np.array_equal(np.sort(np.concatenate([held.train, held.val])), non_test)
    with pytest.raises(LavaReplayError, match="--val-speakers 9"):
        protocols.hold_out_speakers(p, speakers, [9])
    with pytest.raises(LavaReplayError, match="every speaker"):
        protocols.hold_out_speakers(p, speakers, range(5))
