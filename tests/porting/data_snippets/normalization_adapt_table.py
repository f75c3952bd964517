"""Normalization.adapt on a table in front of a linear model, as the TensorFlow regression
tutorial builds its Auto MPG model, in Keras 3's spelling (``keras.`` where the tutorial
writes ``tf.keras.``); the Auto MPG download is replaced by scikit-learn's bundled
diabetes table (lines marked # corpus:).

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers
from sklearn.datasets import load_diabetes  # corpus: the table

features, labels = load_diabetes(return_X_y=True)  # corpus:
labels = labels / 6  # corpus: targets on the scale of miles per gallon (10 to 50)
features = features * 100 + 50  # corpus: raw-looking scales, as the tutorial's columns
train_features, test_features = features[:350], features[350:]  # corpus:
train_labels, test_labels = labels[:350], labels[350:]  # corpus:

normalizer = keras.layers.Normalization(axis=-1)
normalizer.adapt(np.array(train_features))
print(normalizer.mean)

linear_model = keras.Sequential([
    normalizer,
    layers.Dense(units=1)
])
linear_model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.1),
    loss='mean_absolute_error')
history = linear_model.fit(
    train_features,
    train_labels,
    epochs=100,
    # Suppress logging.
    verbose=0,
    # Calculate validation results on 20% of the training data.
    validation_split=0.2)
test_results = linear_model.evaluate(test_features, test_labels, verbose=0)
predictions = linear_model.predict(test_features[:10])
