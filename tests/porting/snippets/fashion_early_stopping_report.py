"""Fashion-MNIST with one EarlyStopping object as the callbacks argument and scikit-learn's
classification report on the predictions.

Keras imports, replaced below:
    import numpy as np
    from sklearn.metrics import classification_report
    from tensorflow import keras
    from tensorflow.keras.callbacks import EarlyStopping
"""
import numpy as np
from sklearn.metrics import classification_report
import gradwise as keras
from gradwise.callbacks import EarlyStopping

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train, y_train, x_test, y_test = x_train[:2000], y_train[:2000], x_test[:1000], y_test[:1000]  # corpus: smaller run
x_train, x_test = x_train / 255.0, x_test / 255.0

model = keras.models.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=30, validation_split=0.1, verbose=0,
                    callbacks=EarlyStopping(monitor="val_accuracy", patience=2, restore_best_weights=True))
y_pred = np.argmax(model.predict(x_test, verbose=0), axis=1)
report = classification_report(y_test, y_pred, output_dict=True)
print(classification_report(y_test, y_pred))
