"""The source documents' remedies on Pima: LeakyReLU as a Dense activation, BatchNormalization,
RandomNormal initialization and ReduceLROnPlateau on the validation loss.

Keras imports, replaced below:
    import numpy as np
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense, BatchNormalization, LeakyReLU
    from tensorflow.keras.optimizers import Adam
    from tensorflow.keras.initializers import RandomNormal
    from tensorflow.keras.callbacks import ReduceLROnPlateau
"""
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from gradwise.models import Sequential
from gradwise.layers import Dense, BatchNormalization, LeakyReLU
from gradwise.optimizers import Adam
from gradwise.initializers import RandomNormal
from gradwise.callbacks import ReduceLROnPlateau

data = np.loadtxt('pima-indians-diabetes.csv', delimiter=',')
X, y = data[:, :8], data[:, 8]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)

model = Sequential()
model.add(Dense(64, input_shape=(8,), activation=LeakyReLU(alpha=0.1),
                kernel_initializer=RandomNormal(mean=0.0, stddev=0.05)))
model.add(BatchNormalization())
model.add(Dense(32, activation=LeakyReLU(alpha=0.1)))
model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer=Adam(learning_rate=0.01), loss='binary_crossentropy', metrics=['accuracy'])

reduce_lr = ReduceLROnPlateau(monitor='val_loss', factor=0.2, patience=5, min_lr=0.0001)
history = model.fit(X_train, y_train, validation_split=0.2, epochs=30, batch_size=32, callbacks=[reduce_lr],
                    verbose=0)  # corpus: 100 epochs in the document
loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
print(f'Test accuracy: {accuracy:.3f}')
y_pred = (model.predict(X_test, verbose=0) > 0.5).astype('int32')
