"""Figures for reports and tutorials: matplotlib Figure objects, not pyplot, so no backend is chosen or needed
(a notebook keeps its own, and displays a returned figure)."""
import numpy as np
from matplotlib.figure import Figure

from lava_replay.fileio import atomic_write_with


def spike_raster(layers, title, path=None, names=None):
    """Raster plot of one sample's spikes, one panel per layer ((neurons, T) arrays); saved when path is given."""
    fig = Figure(figsize=(8, 1.6 * len(layers) + 0.6))
    axes = fig.subplots(len(layers), 1, sharex=True, squeeze=False)
    for i, (ax, layer) in enumerate(zip(axes[:, 0], layers)):
        neurons, steps = layer.nonzero()
        ax.scatter(steps, neurons, s=1.5, c="k", marker="|")
        ax.set_ylabel(names[i] if names else f"layer {i}")
        ax.set_ylim(-1, layer.shape[0])
    axes[-1, 0].set_xlabel("time step")
    fig.suptitle(title)
    fig.tight_layout()
    if path:
        save_figure(fig, path)
    return fig


def save_figure(fig, path):
    """Write a figure as PNG atomically."""
    atomic_write_with(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"), suffix=".png")


def accuracy_bars(report, path):
    """Old / new / all-class accuracy before and after continual learning, from a report dict."""
    acc = report["accuracy"]
    names = ["old", "new", "all"]
    x = np.arange(len(names))
    fig = Figure(figsize=(5, 3.2))
    ax = fig.subplots()
    ax.bar(x - 0.2, [100 * acc[f"{n}_before"] for n in names], 0.4, label="before")
    ax.bar(x + 0.2, [100 * acc[n] for n in names], 0.4, label="after")
    ax.set_xticks(x, [f"{n} classes" for n in names])
    ax.set_ylabel("top-1 accuracy (%)")
    ax.set_title(f"{report['method']}, T={report['timesteps']} (Lava {report['backend']})")
    ax.legend()
    fig.tight_layout()
    save_figure(fig, path)


def cost_bars(reports, path):
    """Latent memory, Lava latency and training energy of one or more methods' reports, side by side."""
    panels = [(lambda r: r["latent_memory"]["bytes"] / 1024, "latent memory (KiB)"),
              (lambda r: r["latency"]["ms_per_sample"], "Lava latency (ms/sample)"),
              (lambda r: r["energy"]["inference_uJ_per_sample"], "inference energy (µJ/sample)"),
              (lambda r: r["energy"]["training_uJ_per_sample"], "training energy (µJ/sample)")]
    fig = Figure(figsize=(3 * len(panels), 3))
    axes = fig.subplots(1, len(panels))
    for ax, (value, label) in zip(axes, panels):
        ax.bar([r["method"] for r in reports], [value(r) for r in reports])
        ax.set_title(label, fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def speed_bars(results, path):
    """Samples/s of each Lava path of a bench speed result (speed.json), log scale, stock netx marked."""
    from lava_replay.speed import PATHS

    names = ["stock netx", f"evaluation, {results['lanes']} lanes"]
    values = [results["stock_netx"]["samples_per_s"], results["evaluation"]["samples_per_s"]]
    names += [label.format(lanes=results["lanes"]) for _, label in PATHS]
    values += [results["continual"][name]["samples_per_s"] for name, _ in PATHS]
    fig = Figure(figsize=(7, 3.4))
    ax = fig.subplots()
    ax.barh(names[::-1], values[::-1], color=["tab:blue"] * (len(values) - 1) + ["tab:gray"])
    ax.set_xscale("log")
    ax.set_xlim(right=max(values) * 3)
    ax.axvline(values[0], color="k", lw=0.8, ls="--")
    for y, v in enumerate(values[::-1]):
        ax.annotate(f"{v:.1f}", (v, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlabel(f"samples/s in Lava (T={results['timesteps']}, CPU simulator)")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    save_figure(fig, path)
