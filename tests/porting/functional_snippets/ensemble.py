"""The guide's ensemble: three models with one input shape averaged into one model.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers


def get_model():
    inputs = keras.Input(shape=(128,))
    outputs = layers.Dense(1)(inputs)
    return keras.Model(inputs, outputs)


model1 = get_model()
model2 = get_model()
model3 = get_model()

inputs = keras.Input(shape=(128,))
y1 = model1(inputs)
y2 = model2(inputs)
y3 = model3(inputs)
outputs = layers.average([y1, y2, y3])
ensemble_model = keras.Model(inputs=inputs, outputs=outputs)

rng = np.random.default_rng(0)  # corpus: a linear target, so the ensemble has something to learn
x = rng.normal(size=(256, 128)).astype("float32")  # corpus:
y = x[:, :4].sum(axis=1, keepdims=True)  # corpus:
ensemble_model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")  # corpus:
history = ensemble_model.fit(x, y, epochs=5, batch_size=32, verbose=0)  # corpus:
predictions = ensemble_model.predict(x[:8])  # corpus:
