"""Overfitting control from the Keras performance guide on Pima: an L2 kernel regularizer, Dropout,
gradient clipping by norm, and early stopping on the validation loss.

Keras imports, replaced below:
    import pandas as pd
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
    from keras.models import Sequential
    from keras.layers import Dense, Dropout
    from keras.optimizers import Adam
    from keras.callbacks import EarlyStopping
"""
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from gradwise.models import Sequential
from gradwise.layers import Dense, Dropout
from gradwise.optimizers import Adam
from gradwise.callbacks import EarlyStopping

df = pd.read_csv('pima-indians-diabetes.csv', header=None)
X = df.iloc[:, :-1].values
y = df.iloc[:, -1].values
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=1)
sc = StandardScaler()
X_train = sc.fit_transform(X_train)
X_test = sc.transform(X_test)

model = Sequential([
    Dense(32, activation='relu', input_shape=(8,), kernel_regularizer='l2'),
    Dropout(0.3),
    Dense(16, activation='relu', kernel_regularizer='l2'),
    Dropout(0.3),
    Dense(1, activation='sigmoid'),
])
model.compile(optimizer=Adam(learning_rate=0.001, clipnorm=1.0), loss='binary_crossentropy', metrics=['accuracy'])
early_stopping = EarlyStopping(monitor='val_loss', patience=10, restore_best_weights=True)
history = model.fit(X_train, y_train, epochs=200, batch_size=32, validation_split=0.2,
                    callbacks=[early_stopping], verbose=0)
scores = model.evaluate(X_test, y_test, verbose=0)
print("Accuracy: %.2f%%" % (scores[1] * 100))
probabilities = model.predict(X_test, verbose=0)
