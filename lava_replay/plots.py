"""Figures for reports and tutorials (matplotlib, no screen needed)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from lava_replay.fileio import atomic_write_with


def spike_raster(layers, title, path=None, names=None):
    """Raster plot of one sample's spikes, one panel per layer ((neurons, T) arrays); saved when path is given."""
    fig, axes = plt.subplots(len(layers), 1, figsize=(8, 1.6 * len(layers) + 0.6), sharex=True, squeeze=False)
    for i, (ax, layer) in enumerate(zip(axes[:, 0], layers)):
        neurons, steps = layer.nonzero()
        ax.scatter(steps, neurons, s=1.5, c="k", marker="|")
        ax.set_ylabel(names[i] if names else f"layer {i}")
        ax.set_ylim(-1, layer.shape[0])
    axes[-1, 0].set_xlabel("time step")
    fig.suptitle(title)
    fig.tight_layout()
    if path:
        atomic_write_with(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"), suffix=".png")
        plt.close(fig)
    return fig
