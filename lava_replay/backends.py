"""Lava run configurations: 'sim' = Loihi2SimCfg fixed point on the CPU; 'loihi' = Loihi2HwCfg when installed."""
from lava_replay.errors import LavaReplayError

BACKENDS = ("sim", "loihi")


def loihi_available():
    """True when the lava-loihi extension (needed for Loihi 2 hardware) is installed."""
    from lava.utils import loihi

    return bool(loihi.is_installed())


def run_config(backend="sim", exception_proc_model_map=None):
    """The Lava RunConfig of a backend; 'loihi' without lava-loihi raises a LavaReplayError (never a CPU fallback)."""
    if backend not in BACKENDS:
        raise LavaReplayError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if backend == "loihi":
        if not loihi_available():
            raise LavaReplayError("backend 'loihi' needs the lava-loihi extension (Intel INRC), which is not "
                                  "installed here; use --backend sim for the CPU simulator")
        from lava.magma.core.run_configs import Loihi2HwCfg

        return Loihi2HwCfg(exception_proc_model_map=exception_proc_model_map or {})
    from lava.magma.core.run_configs import Loihi2SimCfg

    return Loihi2SimCfg(select_tag="fixed_pt", exception_proc_model_map=exception_proc_model_map or {})
