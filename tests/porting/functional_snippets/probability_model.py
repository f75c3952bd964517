"""The basic classification tutorial: a model trained on logits, then wrapped with a Softmax layer in a
Sequential model to predict probabilities.

Keras imports (the tutorial's ``tf.keras`` written as Keras 3's ``keras``), replaced below:
    import keras
"""
import numpy as np
import gradwise as keras

rng = np.random.default_rng(0)  # corpus: synthetic 28x28 images of two bright halves instead of Fashion-MNIST
train_labels = rng.integers(0, 10, size=256)  # corpus:
train_images = rng.uniform(size=(256, 28, 28)) * 0.2 + (train_labels[:, None, None] / 10.0)  # corpus:
test_images, test_labels = train_images[:32], train_labels[:32]  # corpus:

model = keras.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation='relu'),
    keras.layers.Dense(10)
])

model.compile(optimizer='adam',
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])

model.fit(train_images, train_labels, epochs=3)  # corpus: epochs=10

test_loss, test_acc = model.evaluate(test_images,  test_labels, verbose=2)

probability_model = keras.Sequential([model,
                                         keras.layers.Softmax()])

predictions = probability_model.predict(test_images)
