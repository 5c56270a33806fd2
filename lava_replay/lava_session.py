"""Running a connected Lava graph: steps in chunks, always stopped, failures shown with the process's traceback."""
from lava_replay.backends import run_config
from lava_replay.errors import LavaReplayError


class LavaSession:
    """Context manager around one Lava graph (reached from `proc`): run(steps) as often as needed, then stop.

    Lava reports a crash inside a ProcessModel only as "1 Exception(s) occurred. See output above", with the
    traceback logged at INFO level; run() raises a LavaReplayError holding the failed processes' tracebacks.
    """

    def __init__(self, proc, backend="sim", model_map=None, learning="loihi"):
        self.proc = proc
        self.run_cfg = run_config(backend, model_map, learning)
        self.started = False
        self.failed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.failed:
            # after a crash Lava's stop() waits forever for the dead processes' answers (lava-nc #231); the
            # runtime has already joined them, so only the message infrastructure is left to shut down
            self.proc.runtime._messaging_infrastructure.stop()
        elif self.started:
            self.proc.stop()
        return False

    def run(self, steps):
        """Run `steps` more time steps (blocking)."""
        from lava.magma.core.run_conditions import RunSteps

        self.started = True
        try:
            self.proc.run(condition=RunSteps(num_steps=int(steps)), run_cfg=self.run_cfg)
        except RuntimeError as exc:
            self.failed = True
            raise LavaReplayError(f"a Lava process failed ({exc}):\n{self._tracebacks()}") from exc

    def _tracebacks(self):
        runtime = self.proc.runtime
        actors = getattr(getattr(runtime, "_messaging_infrastructure", None), "actors", [])
        traces = [actor.exception[1] for actor in actors if actor.exception]
        return "\n".join(traces) or "(no traceback was reported)"
