"""Digits with one-hot targets (to_categorical), categorical crossentropy, top-k accuracy, a CSV log
and the best weights kept by ModelCheckpoint (save_weights_only) then loaded back.

Keras imports, replaced below:
    import keras
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from keras.utils import to_categorical
    from keras.callbacks import CSVLogger, ModelCheckpoint
"""
import gradwise as keras
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from gradwise.utils import to_categorical
from gradwise.callbacks import CSVLogger, ModelCheckpoint

digits = load_digits()
X = digits.images.reshape(len(digits.images), -1) / 16.0
y = to_categorical(digits.target, num_classes=10)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

model = keras.Sequential([
    keras.Input(shape=(64,)),
    keras.layers.Dense(128, activation='relu'),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10, activation='softmax'),
])
model.compile(optimizer='adam', loss='categorical_crossentropy',
              metrics=['accuracy', keras.metrics.TopKCategoricalAccuracy(k=2)])
callbacks = [
    CSVLogger('training.log'),
    ModelCheckpoint('best.weights.h5', monitor='val_accuracy', save_best_only=True, save_weights_only=True),
]
model.fit(X_train, y_train, epochs=15, batch_size=32, validation_split=0.1, callbacks=callbacks, verbose=0)
log = pd.read_csv('training.log')
print(log.tail(3))
model.load_weights('best.weights.h5')
loss, accuracy, top2 = model.evaluate(X_test, y_test, verbose=0)
predicted_classes = np.argmax(model.predict(X_test, verbose=0), axis=1)
