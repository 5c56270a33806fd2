"""LavaSession's stop under Ctrl-C: whenever the KeyboardInterrupt comes, no Lava process is left behind (one
left alive makes the interpreter's exit wait for it forever)."""
import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from lava_replay.lava_session import GRACE_SECONDS, LavaSession


@pytest.fixture(autouse=True)
def python_handles_sigint():
    """SIGINT raises KeyboardInterrupt, as at a terminal: a test runner started in the background by a
    non-interactive shell (`make test &`, a CI script) starts with SIGINT ignored, and whether an earlier import
    or test has installed Python's handler since depends on the order the tests ran in."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _graph():
    from lava.proc import io
    from lava.proc.dense.process import Dense
    from lava.proc.lif.process import LIF

    source = io.source.RingBuffer(data=np.ones((2, 10), bool))
    dense = Dense(weights=np.eye(2) * 10)
    lif = LIF(shape=(2,), vth=5)
    source.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    return lif


def _lava_children(wait=5.0):
    """The multiprocessing children still alive `wait` seconds from now (or as soon as there are none)."""
    deadline = time.monotonic() + wait
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    return multiprocessing.active_children()


@pytest.mark.timeout(120)
def test_ctrl_c_while_lava_sends_its_stop_command_waits_for_the_stop():
    """The KeyboardInterrupt comes after Lava's stop protocol, which, cut short before the runtime service got
    its STOP, would wait forever for processes that never stop."""
    lif = _graph()
    with pytest.raises(KeyboardInterrupt):
        with LavaSession(lif) as lava:
            lava.run(5)
            port = lif.runtime.runtime_to_service[0]
            send, sent = port.send, []

            def ctrl_c_then_send(data):
                os.kill(os.getpid(), signal.SIGINT)
                send(data)
                sent.append(data)
            port.send = ctrl_c_then_send
    assert len(sent) == 1  # the stop command went out: the Ctrl-C did not cut the protocol short
    assert _lava_children() == []


@pytest.mark.timeout(120)
def test_ctrl_c_during_a_lava_stop_that_never_ends_ends_every_lava_process_after_the_grace_time():
    """The STOP command is lost after the Ctrl-C, so Lava's stop would wait forever: the session cuts it short
    after GRACE_SECONDS and ends the processes."""
    lif = _graph()
    with pytest.raises(KeyboardInterrupt):
        with LavaSession(lif) as lava:
            lava.run(5)
            lif.runtime.runtime_to_service[0].send = lambda data: os.kill(os.getpid(), signal.SIGINT)
            start = time.monotonic()
    assert GRACE_SECONDS <= time.monotonic() - start < 4 * GRACE_SECONDS
    assert _lava_children() == []


@pytest.mark.timeout(120)
def test_ctrl_c_as_lava_stop_begins_ends_every_lava_process():
    """A KeyboardInterrupt out of Lava's stop (a Ctrl-C just before the deferral) ends the processes."""
    lif = _graph()

    def ctrl_c():
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        with LavaSession(lif) as lava:
            lava.run(5)
            lif.runtime.stop = ctrl_c
    assert _lava_children() == []
