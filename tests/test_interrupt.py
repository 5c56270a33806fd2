"""Ctrl-C: a real SIGINT to a running job ends it within seconds with one line, exit code 130, no Lava process
left and nothing written; pretraining names its last checkpoint and the command that resumes it."""
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from lava_replay import data_dir
from lava_replay.cli import run_cli
from lava_replay.data import shd

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAVA_CHILDREN = 4  # shared-memory manager, runtime service and at least two process models


# `python -m module args`, with SIGUSR1 dumping every thread's stack to stderr (for a job that hangs)
RUN_MODULE = ("import faulthandler, runpy, signal, sys; faulthandler.register(signal.SIGUSR1, all_threads=True); "
              "module = sys.argv.pop(1); runpy.run_module(module, run_name='__main__', alter_sys=True)")


def _start(args, out):
    env = dict(os.environ, LAVA_REPLAY_DATA=os.path.abspath(data_dir()), OMP_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-c", RUN_MODULE] + args + ["--out", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_default_sigint)


def _default_sigint():
    """SIGINT as at a terminal: a test runner started in the background by a non-interactive shell (as
    `make test &` in a script) has SIGINT ignored, and its children would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_lava(job, timeout=240):
    """The job's descendants once Lava has forked its processes (fails if the job ends or never gets there)."""
    parent = psutil.Process(job.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert job.poll() is None, f"the job ended before Lava ran: {job.communicate()[1][-2000:]}"
        children = parent.children(recursive=True)
        if len(children) >= LAVA_CHILDREN:
            time.sleep(1.0)  # let the graph run for a moment
            return parent.children(recursive=True)
        time.sleep(0.2)
    raise AssertionError("Lava never started")


def _survivors(processes, wait=10.0):
    deadline = time.monotonic() + wait
    while True:
        alive = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def _interrupt(args, out, whole_group):
    job = _start(args, out)
    try:
        children = _wait_for_lava(job)
        if whole_group:  # Ctrl-C at a terminal signals the whole foreground process group
            os.killpg(job.pid, signal.SIGINT)
        else:
            os.kill(job.pid, signal.SIGINT)
        start = time.monotonic()
        try:
            _, err = job.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(job.pid, signal.SIGUSR1)  # the main process's stacks, to see where it hangs
            time.sleep(2.0)
            os.killpg(job.pid, signal.SIGKILL)
            _, err = job.communicate()
            raise AssertionError(f"the job still ran 60 s after the Ctrl-C; its stacks:\n{err[-6000:]}") from None
        seconds = time.monotonic() - start
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
            job.communicate()
    return job.returncode, err, seconds, children


@pytest.mark.timeout(400)
@pytest.mark.parametrize("whole_group", [True, False], ids=["process-group", "main-process-only"])
def test_ctrl_c_ends_a_quick_run(whole_group, tmp_path):
    assert shd.split_available(data_dir(), "train"), "SHD not found: run the tests with `make test`"
    out = tmp_path / "run"
    code, err, seconds, children = _interrupt(["lava_replay.run", "--quick"], out, whole_group)
    assert code == 130, err[-3000:]
    assert err.rstrip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    assert seconds < 30
    assert _survivors(children) == []
    assert os.listdir(out) == []  # made before the work, nothing (not even a temporary file) written


@pytest.mark.timeout(400)
@pytest.mark.parametrize("args", [["lava_replay.run", "--method", "spikedyn", "--quick"],
                                  ["lava_replay.bench", "compare", "--quick"]], ids=["spikedyn", "bench-compare"])
def test_ctrl_c_ends_spikedyn_runs_and_benches(args, tmp_path):
    out = tmp_path / "out"
    code, err, _, children = _interrupt(args, out, True)
    assert code == 130, err[-3000:]
    assert err.rstrip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in err, err[-3000:]
    assert _survivors(children) == []
    assert os.listdir(out) == []


@pytest.mark.timeout(600)
def test_ctrl_c_in_pretraining_names_the_checkpoint_and_resume_command(tmp_path, monkeypatch, capsys):
    from lava_replay import pretrain

    calls = {"n": 0}
    real_evaluate = pretrain.evaluate

    def interrupted_in_second_epoch(*args, **kwargs):  # evaluate() runs after each epoch's training
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real_evaluate(*args, **kwargs)
    monkeypatch.setattr(pretrain, "evaluate", interrupted_in_second_epoch)
    argv = ["--quick", "--timesteps", "40", "--hidden", "16", "8", "--name", "tiny", "--threads", "1",
            "--model-dir", str(tmp_path / "models"), "--checkpoint-dir", str(tmp_path / "ckpt")]
    assert run_cli(pretrain.main, argv) == 130
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # after the progress bars
    checkpoint = str(tmp_path / "ckpt" / "tiny.pt")
    assert last.startswith("interrupted: last checkpoint " + checkpoint + " (after epoch 1); ")
    assert last.endswith("resume with: python -m lava_replay.pretrain " + " ".join(argv) + " --resume")
    assert "Traceback" not in err
    assert os.listdir(tmp_path / "models") == []  # no half-trained model was exported

    # an interruption before the first epoch ends has no checkpoint to offer
    calls["n"] = 1
    os.remove(checkpoint)
    assert run_cli(pretrain.main, argv) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == "interrupted: no epoch was finished, no checkpoint written"
