"""Running a connected Lava graph: steps in chunks, always stopped, failures shown with the process's traceback,
and Ctrl-C ends every Lava process at once."""
import contextlib
import multiprocessing
import os
import signal
import threading

from lava_replay.backends import run_config
from lava_replay.errors import LavaReplayError

GRACE_SECONDS = 2.0
_forking_lava = False  # True while this process starts a Lava runtime's processes


def _lava_child_ignores_sigint():
    if _forking_lava:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


os.register_at_fork(after_in_child=_lava_child_ignores_sigint)


@contextlib.contextmanager
def sigint_deferred(limit=None):
    """Hold off Ctrl-C: a SIGINT meanwhile raises KeyboardInterrupt (the previous handler runs) afterwards.
    With a `limit` (seconds), a block still running that long after the Ctrl-C, or at a second Ctrl-C, is
    interrupted instead (KeyboardInterrupt inside it, repeated every `limit` seconds until it ends).

    A Python-level handler that only notes the signal, not a blocked signal mask: the kernel hands a
    process-directed SIGINT to any thread that does not block it (torch's, tqdm's), and CPython then runs the
    handler in the main thread at once, masked or not (docs/lava-notes.md)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught, ended = [], threading.Event()
    limiter = None if limit is None else threading.Thread(
        target=_interrupt_every, args=(limit, ended, threading.get_ident()), daemon=True)

    def hold(signum, frame):
        if ended.is_set():  # the limiter's last SIGINT, sent as the block ended
            return
        caught.append(signum)
        if limiter is not None and len(caught) == 1:
            limiter.start()
        elif limiter is not None:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        ended.set()
        if limiter is not None and limiter.ident is not None:  # started
            limiter.join()
        signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)


def _interrupt_every(seconds, ended, thread_id):
    """SIGINT to the thread (it interrupts a blocking call there) every `seconds` until `ended` is set."""
    while not ended.wait(seconds):
        signal.pthread_kill(thread_id, signal.SIGINT)


@contextlib.contextmanager
def starting_lava():
    """Processes forked meanwhile ignore SIGINT, so Ctrl-C at a terminal (which signals the whole process group)
    reaches only this process, which ends them (tear_down) once the runtime is built: a Ctrl-C while Lava forks
    would leave the processes forked so far outside the runtime's list, alive."""
    global _forking_lava
    _forking_lava = True
    try:
        with sigint_deferred():
            yield
    finally:
        _forking_lava = False


def tear_down(runtime, grace=GRACE_SECONDS):
    """End a Lava runtime's processes without Lava's stop protocol, which waits for answers that interrupted
    processes never send: SIGTERM to each, SIGKILL after `grace` seconds, then the shared-memory manager, then
    any other child process left (one forked for a runtime that a Ctrl-C cut short holds the job's pipes, and
    multiprocessing's exit handler would wait for it forever)."""
    infra = getattr(runtime, "_messaging_infrastructure", None)
    _end(list(getattr(infra, "actors", [])), grace)
    if getattr(infra, "smm", None) is not None:
        infra.smm.shutdown()
    _end(multiprocessing.active_children(), grace)
    runtime._is_running = runtime._is_started = False  # Runtime.__del__ would call stop() again


def _end(processes, grace):
    """SIGTERM to each process still alive, SIGKILL to those alive `grace` seconds later; all joined."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        multiprocessing.Process.join(process, grace)  # Lava's SystemProcess.join has no timeout
        if process.is_alive():
            process.kill()
            multiprocessing.Process.join(process)


class LavaSession:
    """Context manager around one Lava graph (reached from `proc`): run(steps) as often as needed, then stop.

    Lava reports a crash inside a ProcessModel only as "1 Exception(s) occurred. See output above", with the
    traceback logged at INFO level; run() raises a LavaReplayError holding the failed processes' tracebacks.
    The Lava processes ignore Ctrl-C; on KeyboardInterrupt in this process they are ended at once (tear_down)
    and the KeyboardInterrupt goes on. A Ctrl-C during Lava's own stop is raised once the stop has finished, or
    after GRACE_SECONDS, when the processes are ended instead.
    """

    def __init__(self, proc, backend="sim", model_map=None, learning="loihi", reference=False):
        self.proc = proc
        self.run_cfg = run_config(backend, model_map, learning, reference)
        self.started = False
        self.failed = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        runtime = self.proc.runtime
        if runtime is None:
            return False
        stopped = False
        try:
            if exc_type is None or issubclass(exc_type, Exception):
                # Lava's stop protocol cut short by a Ctrl-C waits forever; one that does not end is cut short
                with sigint_deferred(limit=GRACE_SECONDS):
                    self._stop(runtime)
                    stopped = True
        finally:
            if not stopped:  # KeyboardInterrupt, SystemExit, a Ctrl-C before the deferral or a failed stop
                with sigint_deferred():  # a second Ctrl-C waits until the processes are gone
                    tear_down(runtime)
        return False

    def _stop(self, runtime):
        if self.failed:
            # after a crash Lava's stop() waits forever for the dead processes' answers (lava-nc #231); the
            # runtime has already joined them, so only the message infrastructure is left to shut down
            runtime._messaging_infrastructure.stop()
        elif self.started:
            self.proc.stop()

    def run(self, steps):
        """Run `steps` more time steps (blocking)."""
        from lava.magma.core.run_conditions import RunSteps

        self.started = True
        try:
            if self.proc.runtime is None:
                with starting_lava():
                    self.proc.create_runtime(run_cfg=self.run_cfg)
            self.proc.run(condition=RunSteps(num_steps=int(steps)))
        except RuntimeError as exc:
            self.failed = True
            raise LavaReplayError(f"a Lava process failed ({exc}):\n{self._tracebacks()}") from exc

    def _tracebacks(self):
        runtime = self.proc.runtime
        actors = getattr(getattr(runtime, "_messaging_infrastructure", None), "actors", [])
        traces = [actor.exception[1] for actor in actors if actor.exception]
        return "\n".join(traces) or "(no traceback was reported)"
