"""The Keras functional-API guide's first model: a 3-layer MLP built from Input, trained, evaluated,
saved and reloaded.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

rng = np.random.default_rng(0)  # corpus: a small synthetic stand-in for MNIST (the class is the argmax of 10 pixels)
x_train = rng.normal(size=(600, 784)).astype("float32")  # corpus:
y_train = x_train[:, :10].argmax(axis=1)  # corpus:
x_test, y_test = x_train[:100], y_train[:100]  # corpus:

inputs = keras.Input(shape=(784,))
dense = layers.Dense(64, activation="relu")
x = dense(inputs)
x = layers.Dense(64, activation="relu")(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
model.summary()

model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=["accuracy"],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_split=0.2)
test_scores = model.evaluate(x_test, y_test, verbose=2)
print("Test loss:", test_scores[0])
print("Test accuracy:", test_scores[1])

model.save("my_model.keras")
del model
# Recreate the exact same model purely from the file:
model = keras.models.load_model("my_model.keras")
reloaded_scores = model.evaluate(x_test, y_test, verbose=0)  # corpus:
predictions = model.predict(x_test)  # corpus:
