"""A non-editable install ships every package, the committed models and the console scripts; model names are
found in ./models (pretrain's default output) before the shipped models."""
import fnmatch
import importlib
import os
import pathlib
import warnings

from setuptools.config.pyprojecttoml import read_configuration

from lava_replay.export import SHIPPED_MODEL_DIR, USER_MODEL_DIR, available_models, model_path

REPO = pathlib.Path(__file__).resolve().parents[1]
with warnings.catch_warnings():  # setuptools calls pyproject.toml support "beta"
    warnings.simplefilter("ignore")
    CONFIG = read_configuration(REPO / "pyproject.toml")


def test_every_package_is_found_and_the_models_are_package_data():
    found = set(CONFIG["tool"]["setuptools"]["packages"])  # what setuptools' packages.find gives
    packages = {str(p.parent.relative_to(REPO)).replace(os.sep, ".") for p in REPO.glob("*/**/__init__.py")
                if p.parts[len(REPO.parts)] in ("lava_replay", "processes")}
    assert {"lava_replay.data", "processes.slot_reset_lif"} <= packages <= found
    globs = CONFIG["tool"]["setuptools"]["package-data"]["lava_replay"]
    shipped = os.listdir(SHIPPED_MODEL_DIR)
    assert {"shd19_T40_new0.net", "shd19_T100_new0.json"} <= set(shipped)
    assert all(any(fnmatch.fnmatch(f"netx_models/{name}", g) for g in globs) for name in shipped)
    assert pathlib.Path(SHIPPED_MODEL_DIR).parent == REPO / "lava_replay"


def test_console_scripts_point_at_callables():
    scripts = CONFIG["project"]["scripts"]
    assert set(scripts) == {"lava-replay-run", "lava-replay-bench", "lava-replay-pretrain"}
    for target in scripts.values():
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function))


def test_model_names_are_found_in_models_before_the_shipped_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert model_path("shd19_T40_new0") == os.path.join(SHIPPED_MODEL_DIR, "shd19_T40_new0.net")
    (tmp_path / USER_MODEL_DIR).mkdir()
    (tmp_path / USER_MODEL_DIR / "shd19_T40_new0.net").write_bytes(b"")
    (tmp_path / USER_MODEL_DIR / "mine.net").write_bytes(b"")
    assert model_path("shd19_T40_new0") == os.path.join(USER_MODEL_DIR, "shd19_T40_new0.net")
    assert model_path("x.net") == "x.net" and model_path("m", "elsewhere") == os.path.join("elsewhere", "m.net")
    assert {"mine", "shd19_T40_new0", "shd19_T100_new0"} <= set(available_models())
