"""SpikeDyn figures: accuracy per task (recent vs previous), learned weights as 28×28 images, Pareto front."""
import numpy as np
from matplotlib.figure import Figure

from lava_replay.plots import save_figure


def accuracy_per_task(groups, path):
    """Accuracy on the most recent task and mean accuracy on the previous tasks after each task, per variant:
    `groups` = one list of reports (one per seed, same tasks) per variant; mean line, ± std band over seeds."""
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    for reports in groups:
        tasks = np.arange(len(reports[0]["recent_per_task"]))
        label = reports[0]["variant"] + (f" ({len(reports)} seeds)" if len(reports) > 1 else "")
        for key, style, what in (("recent_per_task", "-o", "most recent task"),
                                 ("previous_per_task", "--s", "previous tasks")):
            vals = np.array([[np.nan if v is None else v for v in r[key]] for r in reports], dtype=float)
            mean = vals.mean(axis=0)  # NaN after the first task for "previous" (none yet)
            color = None if key == "recent_per_task" else line.get_color()
            line, = ax.plot(tasks, mean, style, color=color, label=f"{label}: {what}")
            if len(reports) > 1:
                ax.fill_between(tasks, mean - vals.std(axis=0), mean + vals.std(axis=0), color=line.get_color(),
                                alpha=0.15)
    orders = {tuple(r["classes"]) for reports in groups for r in reports}
    ticks = [str(c) for c in groups[0][0]["classes"]] if len(orders) == 1 else [str(t + 1) for t in tasks]
    ax.set_xticks(tasks, ticks)
    ax.set_xlabel("after learning task (digit)" if len(orders) == 1 else "after learning task (number)")
    ax.set_ylabel("accuracy")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def weight_images(weights, path, max_neurons=100, title=""):
    """The first max_neurons neurons' input weights as a grid of 28×28 images."""
    w = np.asarray(weights)[:max_neurons]
    cols = int(np.ceil(np.sqrt(len(w))))
    rows = int(np.ceil(len(w) / cols))
    canvas = np.full((rows * 29, cols * 29), np.nan)
    for k, row in enumerate(w):
        r, c = divmod(k, cols)
        canvas[r * 29:r * 29 + 28, c * 29:c * 29 + 28] = row.reshape(28, 28)
    fig = Figure(figsize=(6, 6 * rows / cols + 0.4))
    ax = fig.subplots()
    ax.imshow(canvas, cmap="hot_r", vmin=0, vmax=255)
    ax.set_axis_off()
    ax.set_title(f"learned weights of {len(w)} excitatory neurons" + (f" ({title})" if title else ""))
    save_figure(fig, path)


def pareto_front(candidates, path):
    """Accuracy against memory (marker size ~ training energy); Pareto-optimal ones highlighted, pick starred."""
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    for cand in candidates:
        color = "tab:red" if cand["pareto"] else "tab:gray"
        marker = "*" if cand["picked"] else "o"
        ax.scatter(cand["memory_kib"], cand["accuracy"], s=60 + (250 if cand["picked"] else 0),
                   c=color, marker=marker, alpha=0.8 if cand["feasible"] else 0.3)
        ax.annotate(f"N{cand['neurons']}/{cand['bits']}b", (cand["memory_kib"], cand["accuracy"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("memory (KiB)")
    ax.set_ylabel("ACC after the last task")
    ax.set_title("model search: red = Pareto front (accuracy, memory, energy), star = pick, faded = infeasible")
    ax.title.set_fontsize(8)
    fig.tight_layout()
    save_figure(fig, path)
