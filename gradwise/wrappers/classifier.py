"""NeuralClassifier: a gradwise classifier as a scikit-learn estimator."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets

from .base import BaseWrapper

_LOSSES = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")


def _sigmoid(values):
    return 0.5 * (1.0 + np.tanh(0.5 * values))  # tanh form: no overflow warning for large |values|


def _softmax(values):
    shifted = np.exp(values - values.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class NeuralClassifier(ClassifierMixin, BaseWrapper):
    """A gradwise model as a scikit-learn classifier (binary or multiclass, any labels).

    Parameters
    ----------
    model : callable or Sequential
        A function returning a compiled model, called at every ``fit``. It receives, if it
        names them (or takes ``**kwargs``), ``n_features_in`` and ``n_classes``, plus every
        ``model__<name>`` parameter as ``<name>``. Or a compiled model: each ``fit`` trains
        a fresh copy (``gradwise.saving.clone_model``); the given model is never changed.
        The loss decides the target encoding: ``binary_crossentropy`` (one sigmoid
        output), ``sparse_categorical_crossentropy`` or ``categorical_crossentropy`` (one
        output per class).
    epochs : int, default 1
    batch_size : int, optional
        Defaults to 32, as in Keras.
    verbose : int, default 0
    random_state : int, RandomState or None
        Seeds the models the build function creates without a seed of their own (and a
        copied model), hence their initialization, shuffling and dropout.
    callbacks : list of Callback or callable returning one, optional
        Deep-copied (or made by the factory) at every fit.
    validation_split : float, default 0.0
    shuffle : bool, default True
    class_weight : dict, 'balanced' or None
        Weights of the classes, keyed by the original labels; multiplies `sample_weight`.
    **model_params
        ``model__<name>=value`` arguments for the build function (searchable by
        GridSearchCV).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    model_ : Sequential
    history_ : dict of str -> list of float
    n_features_in_ : int

    Examples
    --------
    >>> def build(n_features_in, n_classes, units=16):
    ...     model = Sequential([Input((n_features_in,)), Dense(units, activation="relu"),
    ...                         Dense(n_classes, activation="softmax")])
    ...     model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    ...     return model
    >>> classifier = NeuralClassifier(build, epochs=20, model__units=32)  # doctest: +SKIP
    """

    _validate_kwargs = {}

    def __init__(self, model=None, *, epochs=1, batch_size=None, verbose=0, random_state=None, callbacks=None,
                 validation_split=0.0, shuffle=True, class_weight=None, **model_params):
        super().__init__(model, epochs=epochs, batch_size=batch_size, verbose=verbose, random_state=random_state,
                         callbacks=callbacks, validation_split=validation_split, shuffle=shuffle, **model_params)
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        """Train a fresh model on (X, y); labels may be of any type (strings, ints, ...)."""
        X, y, weights = self._validate_fit_data(X, y, sample_weight)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if self.class_weight is not None:
            class_weights = compute_sample_weight(self.class_weight, y)
            weights = class_weights if weights is None else weights * class_weights
        present = np.unique(encoded if weights is None else encoded[weights > 0])
        if len(present) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes (with non-zero weight); "
                f"got 1 class: {self.classes_[present].tolist()}."
            )
        meta = {"n_features_in": X.shape[1], "n_classes": len(self.classes_)}
        return self._fit_model(X, encoded, weights, meta)

    def _check_outputs(self):
        loss, shape = self.model_.loss, self.model_.output_shape
        classes = len(self.classes_)
        name = type(self).__name__
        if loss.name not in _LOSSES:
            raise ValueError(f"{name}: the model must be compiled with one of {list(_LOSSES)}, got loss {loss.name!r}.")
        if loss.name == "binary_crossentropy" and classes != 2:
            raise ValueError(
                f"{name}: loss 'binary_crossentropy' handles 2 classes but y has {classes}; compile with "
                f"'sparse_categorical_crossentropy' and end the model with Dense({classes}, activation='softmax')."
            )
        expected = (1,) if loss.name == "binary_crossentropy" else (classes,)
        if tuple(shape) != expected:
            raise ValueError(
                f"{type(self).__name__}: y has {classes} classes, so a model with loss {loss.name!r} must output "
                f"shape {expected}, got {tuple(shape)}. Use Dense(1, activation='sigmoid') with binary_crossentropy "
                "for 2 classes, or Dense(n_classes, activation='softmax') with sparse_categorical_crossentropy."
            )

    def _encode_targets(self, encoded):
        if self.model_.loss.name == "categorical_crossentropy":
            return np.eye(len(self.classes_))[encoded]
        return encoded

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns ordered as ``classes_``."""
        outputs = self._outputs(X)
        if self.model_.loss.name == "binary_crossentropy":
            positive = _sigmoid(outputs[:, 0]) if self.model_.loss.from_logits else outputs[:, 0]
            return np.column_stack([1.0 - positive, positive])
        if self.model_.loss.from_logits:
            return _softmax(outputs)
        return outputs / outputs.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The most probable class of each sample, as one of ``classes_``."""
        probabilities = self.predict_proba(X)  # checks that the model is fitted
        return self.classes_[np.argmax(probabilities, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = False
        return tags
