"""Regression with an early-stopping callback passed on its own and R² as a metric (Keras regression guide style).

Keras imports, replaced below:
    import keras
    import numpy as np
    import pandas as pd
    from keras import layers
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
"""
import gradwise as keras
import numpy as np
import pandas as pd
from gradwise import layers
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)


def build_model():
    model = keras.Sequential([
        layers.Dense(64, activation='relu', input_shape=[X_train.shape[1]]),
        layers.Dense(64, activation='relu'),
        layers.Dense(1)
    ])
    optimizer = keras.optimizers.RMSprop(0.001)
    model.compile(loss='mse', optimizer=optimizer, metrics=['mae', keras.metrics.R2Score()])
    return model


model = build_model()
early_stop = keras.callbacks.EarlyStopping(monitor='val_loss', patience=10, restore_best_weights=True)
history = model.fit(X_train, y_train, epochs=300, validation_split=0.2, verbose=0, callbacks=early_stop)

hist = pd.DataFrame(history.history)
hist['epoch'] = history.epoch
print(hist.tail())

loss, mae, r2 = model.evaluate(X_test, y_test, verbose=2)
print("Testing set Mean Abs Error: {:5.2f}, R2: {:5.2f}".format(mae, r2))
test_predictions = model.predict(X_test).flatten()
