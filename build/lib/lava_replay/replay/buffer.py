"""The latent replay buffer: stored old-class latents, compressed and bit-packed, with exact memory accounting."""
import os
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

from lava_replay.errors import LavaReplayError
from lava_replay.fileio import atomic_save_npz
from lava_replay.replay.compression import bits_per_sample, compress
from processes.spike_packing import stored_steps, unpack

FORMAT = "lava-replay latent buffer v1"


@dataclass
class LatentBuffer:
    """Compressed latents (bit-packed, (n, neurons, ceil(stored_steps / 8)) uint8) and what they fit.

    timesteps: T of the model that made them; window: OR-compression window (1 = none); lr_layer: the layer
    they come from; model: the .net file name; model_sha: its content hash (a buffer only fits that model).
    """

    packed: np.ndarray
    labels: np.ndarray
    neurons: int
    timesteps: int
    window: int
    lr_layer: int
    model: str
    model_sha: str

    @classmethod
    def from_latents(cls, latents, labels, window, lr_layer, model, model_sha):
        """Compress (n, neurons, T) latent spikes by OR over `window` steps and pack them to bits."""
        latents = np.asarray(latents, dtype=bool)
        if latents.ndim != 3 or len(latents) == 0:
            raise LavaReplayError(f"latents must be shaped (samples > 0, neurons, T), got {latents.shape}")
        packed = np.packbits(compress(latents, window), axis=-1)
        return cls(packed, np.asarray(labels, dtype=np.int64), latents.shape[1], latents.shape[2], window,
                   lr_layer, model, model_sha)

    @property
    def stored_steps(self):
        """Time bins kept per latent neuron."""
        return stored_steps(self.timesteps, self.window)

    def latents(self, indices=slice(None)):
        """Decompressed latent spikes (n, neurons, T) of the stored samples `indices` (default all)."""
        return unpack(self.packed[indices], self.window, self.timesteps)

    def check_fits(self, model_sha=None, neurons=None, timesteps=None, window=None, name="the replay buffer"):
        """LavaReplayError unless the buffer was made by this model, with this latent size, T and window."""
        problems = []
        if model_sha is not None and self.model_sha != model_sha:
            problems.append(f"it was made by another model ({self.model}); regenerate it for this one")
        if neurons is not None and self.neurons != neurons:
            problems.append(f"it holds {self.neurons}-neuron latents; the LR layer has {neurons}")
        if timesteps is not None and self.timesteps != timesteps:
            problems.append(f"it holds T={self.timesteps} latents; T={timesteps} was requested")
        if window is not None and self.window != window:
            problems.append(f"it was compressed 1:{self.window}; the method uses 1:{window}")
        if problems:
            raise LavaReplayError(f"{name} does not fit: " + "; ".join(problems))

    def memory(self):
        """Exact storage of the latents at 1 bit per spike bin: samples, bits per sample, bits, bytes.

        bytes is what the bit-packed array holds (each neuron's row padded to whole bytes); bits / 8 is the
        ideal without padding.
        """
        per_sample = bits_per_sample(self.neurons, self.timesteps, self.window)
        return {"samples": int(len(self.labels)), "bits_per_sample": int(per_sample),
                "bits": int(per_sample * len(self.labels)), "bytes": int(self.packed.nbytes),
                "ideal_bytes": int(-(-per_sample * len(self.labels) // 8))}

    def save(self, path):
        """Write the buffer atomically as .npz with a format tag."""
        atomic_save_npz(path, format=np.array(FORMAT), packed=self.packed, labels=self.labels,
                        shape=np.array([self.neurons, self.timesteps, self.window, self.lr_layer]),
                        model=np.array(self.model), model_sha=np.array(self.model_sha))

    @classmethod
    def load(cls, path, model_sha=None, neurons=None, timesteps=None):
        """Read a saved buffer; check its format and that it fits the model / latent size / T asked for."""
        if not os.path.exists(path):
            raise LavaReplayError(f"replay buffer {path} not found")
        try:
            with np.load(path, allow_pickle=False) as z:
                if str(z["format"]) != FORMAT:
                    raise LavaReplayError(f"{path} is not a latent replay buffer ({FORMAT!r} expected)")
                n, t, w, layer = (int(v) for v in z["shape"])
                buf = cls(z["packed"], z["labels"], n, t, w, layer, str(z["model"]), str(z["model_sha"]))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise LavaReplayError(f"replay buffer {path} is unreadable or incomplete ({exc}); expected a "
                                  "replay_buffer.npz written by python -m lava_replay.run") from exc
        if len(buf.labels) == 0:
            raise LavaReplayError(f"replay buffer {path} is empty; expected stored latents to replay")
        if buf.packed.shape != (len(buf.labels), n, -(-buf.stored_steps // 8)):
            raise LavaReplayError(f"replay buffer {path}: packed latents {buf.packed.shape} do not match "
                                  f"{len(buf.labels)} samples x {n} neurons x {buf.stored_steps} steps")
        buf.check_fits(model_sha, neurons, timesteps, name=f"replay buffer {path}")
        return buf


def replay_indices(labels, candidates, per_class, rng):
    """Up to per_class sample indices of each class among `candidates` (sorted), chosen with rng."""
    if per_class < 1:
        raise LavaReplayError(f"--replay-per-class must be >= 1, got {per_class}")
    labels = np.asarray(labels)
    chosen = [rng.permutation(candidates[labels[candidates] == c])[:per_class]
              for c in np.unique(labels[candidates])]
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
