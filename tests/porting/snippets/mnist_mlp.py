"""Trains a simple deep multi-layer perceptron on the MNIST dataset (the Keras mnist_mlp example).

Keras imports, replaced below:
    from tensorflow import keras
    from tensorflow.keras.datasets import mnist
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense, Dropout
    from tensorflow.keras.optimizers import RMSprop
"""
import numpy as np
import gradwise as keras
from gradwise.datasets import mnist
from gradwise.models import Sequential
from gradwise.layers import Dense, Dropout
from gradwise.optimizers import RMSprop

batch_size = 128
num_classes = 10
epochs = 2  # corpus: smaller run (the example trains 20 epochs)

# the data, split between train and test sets
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, y_train, x_test, y_test = x_train[:2000], y_train[:2000], x_test[:2000], y_test[:2000]  # corpus: smaller run

x_train = x_train.reshape(2000, 784)  # corpus: 60000 in the example
x_test = x_test.reshape(2000, 784)  # corpus: 10000 in the example
x_train = x_train.astype('float32')
x_test = x_test.astype('float32')
x_train /= 255
x_test /= 255
print(x_train.shape[0], 'train samples')
print(x_test.shape[0], 'test samples')

# convert class vectors to binary class matrices
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = Sequential()
model.add(Dense(512, activation='relu', input_shape=(784,)))
model.add(Dropout(0.2))
model.add(Dense(512, activation='relu'))
model.add(Dropout(0.2))
model.add(Dense(num_classes, activation='softmax'))

model.summary()

model.compile(loss='categorical_crossentropy',
              optimizer=RMSprop(),
              metrics=['accuracy'])

history = model.fit(x_train, y_train,
                    batch_size=batch_size,
                    epochs=epochs,
                    verbose=0,
                    validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print('Test loss:', score[0])
print('Test accuracy:', score[1])
predicted_digits = np.argmax(model.predict(x_test[:20], verbose=0), axis=1)
