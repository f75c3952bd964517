"""MeanIoU: intersection over union per class, averaged, from a weighted confusion matrix."""

import numbers

import numpy as np

from .base import Metric, sample_weights


class MeanIoU(Metric):
    """Mean over classes of TP / (TP + FP + FN), from a confusion matrix over every output element.

    Classes absent from both the targets and the predictions are left out of the mean,
    so the result equals ``sklearn.metrics.jaccard_score(average='macro')`` on the
    flattened class ids.

    Parameters
    ----------
    num_classes : int
    name : str, optional
    ignore_class : int, optional
        Elements whose target is this class are not counted (e.g. a "void" label).
    sparse_y_true : bool, default True
        `y_true` holds class ids; False: it holds one-hot rows along `axis`.
    sparse_y_pred : bool, default True
        `y_pred` holds class ids; False: it holds class scores along `axis`, as a softmax
        output does (their argmax is taken). Keras silently truncates scores to ids when
        this is left True; gradwise raises.
    axis : int, default -1
        The class axis of the non-sparse inputs.

    Examples
    --------
    >>> metric = MeanIoU(num_classes=2)
    >>> metric.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> metric.result()
    0.3333333333333333
    """

    name = "mean_iou"

    def __init__(self, num_classes, name=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 2:
            raise ValueError(f"MeanIoU: `num_classes` must be an int >= 2, got {num_classes!r}.")
        if ignore_class is not None and (isinstance(ignore_class, bool) or not isinstance(ignore_class, numbers.Integral)):
            raise ValueError(f"MeanIoU: `ignore_class` must be an int or None, got {ignore_class!r}.")
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"MeanIoU: `axis` must be an int, got {axis!r}.")
        self.num_classes = int(num_classes)
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        self.sparse_y_true = bool(sparse_y_true)
        self.sparse_y_pred = bool(sparse_y_pred)
        self.axis = int(axis)
        super().__init__(name)

    def reset_state(self):
        self.confusion = np.zeros((self.num_classes, self.num_classes))

    def _class_ids(self, values, sparse, argument):
        values = np.asarray(values)
        if not sparse:
            return np.argmax(values, axis=self.axis)
        if values.dtype.kind == "f" and not np.all(values == np.round(values)):
            flag = f"sparse_{argument}"
            raise ValueError(
                f"MeanIoU: `{argument}` must hold class ids when {flag}=True, got non-integer values (shape "
                f"{values.shape}). For class scores such as a softmax output pass {flag}=False."
            )
        return values.astype(np.intp)

    def _check_range(self, ids, argument):
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_classes):
            ignored = "" if self.ignore_class is None else f" (besides ignore_class={self.ignore_class})"
            raise ValueError(
                f"MeanIoU: `{argument}` class ids must lie in [0, {self.num_classes}){ignored} for num_classes="
                f"{self.num_classes}, got min {ids.min()} and max {ids.max()}."
            )

    def update_state(self, y_true, y_pred, sample_weight=None):
        true_ids = self._class_ids(y_true, self.sparse_y_true, "y_true")
        predicted_ids = self._class_ids(y_pred, self.sparse_y_pred, "y_pred")
        if true_ids.size != predicted_ids.size:
            raise ValueError(
                f"MeanIoU: `y_true` and `y_pred` must give one class id per element, got {true_ids.size} and "
                f"{predicted_ids.size} (shapes {np.shape(y_true)} and {np.shape(y_pred)})."
            )
        true_ids, predicted_ids = true_ids.reshape(-1), predicted_ids.reshape(-1)
        batch = np.shape(y_pred)[0]
        weights = np.repeat(sample_weights(sample_weight, batch), true_ids.size // batch)
        keep = np.ones(true_ids.size, dtype=bool) if self.ignore_class is None else true_ids != self.ignore_class
        true_ids, predicted_ids = true_ids[keep], predicted_ids[keep]
        self._check_range(true_ids, "y_true")
        self._check_range(predicted_ids, "y_pred")
        cells = true_ids * self.num_classes + predicted_ids
        self.confusion += np.bincount(cells, weights=weights[keep], minlength=self.num_classes**2).reshape(
            self.num_classes, self.num_classes)

    def result(self):
        true_positives = np.diag(self.confusion)
        union = self.confusion.sum(axis=0) + self.confusion.sum(axis=1) - true_positives
        present = union > 0
        return float((true_positives[present] / union[present]).mean()) if present.any() else 0.0

    def get_config(self):
        return {"name": self.name, "num_classes": self.num_classes, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
