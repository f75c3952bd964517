"""Deep learning with Python, TensorFlow and Keras: MNIST with keras.utils.normalize (a popular video tutorial).

Keras imports, replaced below:
    import keras
    import numpy as np
"""
import gradwise as keras
import numpy as np

mnist = keras.datasets.mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, y_train, x_test, y_test = x_train[:3000], y_train[:3000], x_test[:2000], y_test[:2000]  # corpus: smaller run

x_train = keras.utils.normalize(x_train, axis=1)
x_test = keras.utils.normalize(x_test, axis=1)

model = keras.models.Sequential()
model.add(keras.layers.Flatten())
model.add(keras.layers.Dense(128, activation='relu'))
model.add(keras.layers.Dense(128, activation='relu'))
model.add(keras.layers.Dense(10, activation='softmax'))

model.compile(optimizer='adam',
              loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])

model.fit(x_train, y_train, epochs=2, verbose=0)  # corpus: epochs=3, verbose shown

val_loss, val_acc = model.evaluate(x_test, y_test)
print(val_loss, val_acc)

predictions = model.predict(x_test)
print(np.argmax(predictions[0]))
