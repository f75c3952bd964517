"""Shared fixtures: seeded generators and the real datasets."""

from pathlib import Path

import numpy as np
import pytest

SHARED_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def digits_split():
    """scikit-learn digits scaled to [0, 1], stratified 80/20 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.data / 16.0
    return train_test_split(x, digits.target, test_size=0.2, stratify=digits.target, random_state=0)


@pytest.fixture(scope="session")
def pima_split():
    """Pima diabetes, standardized with training statistics, stratified 80/20 split."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    table = np.loadtxt(SHARED_DATASETS / "pima" / "diabetes.csv", delimiter=",", skiprows=1)
    x, y = table[:, :8], table[:, 8]
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_test), y_train, y_test


@pytest.fixture
def float64():
    """Build models in float64 for the duration of a test."""
    from gradwise import backend

    previous = backend.floatx()
    backend.set_floatx("float64")
    yield
    backend.set_floatx(previous)
