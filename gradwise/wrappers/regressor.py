"""NeuralRegressor: a gradwise regression model as a scikit-learn estimator."""

import numpy as np
from sklearn.base import RegressorMixin

from .base import BaseWrapper


class NeuralRegressor(RegressorMixin, BaseWrapper):
    """A gradwise model as a scikit-learn regressor (one or several targets).

    Parameters
    ----------
    model : callable or Sequential
        A function returning a compiled model, called at every ``fit``. It receives, if it
        names them (or takes ``**kwargs``), ``n_features_in`` and ``n_outputs``, plus every
        ``model__<name>`` parameter as ``<name>``. Or a compiled model: each ``fit`` trains
        a fresh copy; the given model is never changed. Its output shape must be
        ``(n_outputs,)``.
    epochs, batch_size, verbose, random_state, callbacks, validation_split, shuffle, **model_params
        As in NeuralClassifier.

    Attributes
    ----------
    model_ : Sequential
    history_ : dict of str -> list of float
    n_features_in_ : int
    n_outputs_ : int

    Examples
    --------
    >>> def build(n_features_in, n_outputs):
    ...     model = Sequential([Input((n_features_in,)), Dense(32, activation="relu"), Dense(n_outputs)])
    ...     model.compile(optimizer="adam", loss="mse")
    ...     return model
    >>> regressor = NeuralRegressor(build, epochs=50)  # doctest: +SKIP
    """

    _validate_kwargs = {"multi_output": True, "y_numeric": True}

    def fit(self, X, y, sample_weight=None):
        """Train a fresh model on (X, y); y of shape (n_samples,) or (n_samples, n_outputs)."""
        X, y, weights = self._validate_fit_data(X, y, sample_weight)
        y = np.asarray(y, dtype=np.float64)
        self._single_target = y.ndim == 1
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        meta = {"n_features_in": X.shape[1], "n_outputs": self.n_outputs_}
        return self._fit_model(X, y, weights, meta)

    def _check_outputs(self):
        shape = tuple(self.model_.output_shape)
        if shape != (self.n_outputs_,):
            raise ValueError(
                f"{type(self).__name__}: y has {self.n_outputs_} target(s), so the model must output shape "
                f"({self.n_outputs_},), got {shape}. End the model with Dense(n_outputs)."
            )

    def _encode_targets(self, y):
        return y.reshape(len(y), self.n_outputs_)

    def predict(self, X):
        """Predictions of shape (n_samples,) for a single target, else (n_samples, n_outputs)."""
        outputs = self._outputs(X)
        return outputs[:, 0] if self._single_target else outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
