"""Accuracy metrics of a class-incremental step: old / new / all classes, per class, forgetting."""
import numpy as np


def predictions(counts):
    """Predicted class per sample: the output neuron with the most spikes (ties: the lowest index, as argmax)."""
    return np.asarray(counts).argmax(axis=-1)


def accuracy_report(pred_before, pred_after, labels, old_classes, new_classes):
    """Top-1 accuracy on old, new and all classes before and after learning; per class after; forgetting; where
    the old classes went.

    forgetting = old-class accuracy before minus after (for one 19+1 step the literature's forgetting measure
    reduces to this). old_as_new = share of old-class samples predicted as a new class after learning (the rest
    of 1 - old went to other old classes). confusion = {true class: {predicted class: samples}} after learning.
    """
    labels = np.asarray(labels)
    old = np.isin(labels, old_classes)
    new = np.isin(labels, new_classes)

    def acc(pred, mask):
        return float((pred[mask] == labels[mask]).mean()) if mask.any() else float("nan")

    report = {"old": acc(pred_after, old), "new": acc(pred_after, new), "all": acc(pred_after, old | new),
              "old_before": acc(pred_before, old), "new_before": acc(pred_before, new),
              "all_before": acc(pred_before, old | new)}
    report["forgetting"] = report["old_before"] - report["old"]
    report["confusion"] = {int(c): confusion_row(pred_after[labels == c]) for c in np.unique(labels)}
    report["per_class"] = {c: row.get(c, 0) / sum(row.values()) for c, row in report["confusion"].items()}
    report["old_as_new"] = float(np.isin(pred_after[old], new_classes).mean()) if old.any() else float("nan")
    return report


def confusion_row(pred):
    """{predicted class: samples} of one true class's predictions."""
    classes, counts = np.unique(pred, return_counts=True)
    return dict(zip(classes.tolist(), counts.tolist()))
