"""Top-k accuracy on scikit-learn's digits, with a seeded run (keras.utils.set_random_seed).

Keras imports, replaced below:
    import keras
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
"""
import gradwise as keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

keras.utils.set_random_seed(812)

digits = load_digits()
x_train, x_test, y_train, y_test = train_test_split(digits.data / 16.0, digits.target, test_size=0.2)

model = keras.Sequential([
    keras.Input(shape=(64,)),
    keras.layers.Dense(64, activation='relu'),
    keras.layers.Dense(10, activation='softmax'),
])
model.compile(
    optimizer='adam',
    loss='sparse_categorical_crossentropy',
    metrics=['accuracy', keras.metrics.SparseTopKCategoricalAccuracy(k=3, name='top3')],
)
model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
loss, accuracy, top3 = model.evaluate(x_test, y_test, verbose=0)
print(f'accuracy {accuracy:.3f}, top-3 accuracy {top3:.3f}')
probabilities = model.predict(x_test, verbose=0)
