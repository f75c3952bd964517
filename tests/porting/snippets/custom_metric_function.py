"""Custom metrics as plain functions, as the Keras documentation shows them ("Usage of metrics").

Keras imports, replaced below:
    from keras import backend as K
    from keras.models import Sequential
    from keras.layers import Dense
"""
import numpy as K
from gradwise.models import Sequential
from gradwise.layers import Dense


def mean_pred(y_true, y_pred):
    return K.mean(y_pred)


# Generate dummy data
import numpy as np
data = np.random.random((1000, 100))
labels = np.random.randint(2, size=(1000, 1))

model = Sequential()
model.add(Dense(32, activation='relu', input_dim=100))
model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer='rmsprop',
              loss='binary_crossentropy',
              metrics=['accuracy', mean_pred])
# Train the model, iterating on the data in batches of 32 samples
history = model.fit(data, labels, epochs=10, batch_size=32, verbose=0)
print(history.history['mean_pred'])
predictions = model.predict(data[:10], verbose=0)
