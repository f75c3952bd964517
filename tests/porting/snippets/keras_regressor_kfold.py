"""Regression tutorial with the Keras wrapper: a baseline network evaluated by k-fold cross-validation.

Keras imports, replaced below:
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense
    from tensorflow.keras.wrappers.scikit_learn import KerasRegressor

The tutorial scores with scoring='neg_mean_squared_error' in its later steps; the
wrapper's default score is R² (scikit-learn's rule for regressors), where Keras' old
wrapper returned the negative loss.
"""
from sklearn.datasets import load_diabetes
from sklearn.model_selection import cross_val_score
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import Pipeline
from gradwise.models import Sequential
from gradwise.layers import Dense
from gradwise.wrappers import KerasRegressor

# load dataset
X, Y = load_diabetes(return_X_y=True)


# define base model
def baseline_model():
    # create model
    model = Sequential()
    model.add(Dense(10, input_shape=(10,), kernel_initializer='normal', activation='relu'))
    model.add(Dense(1, kernel_initializer='normal'))
    # Compile model
    model.compile(loss='mean_squared_error', optimizer='adam')
    return model


# evaluate model with standardized dataset
estimators = []
estimators.append(('standardize', StandardScaler()))
estimators.append(('mlp', KerasRegressor(build_fn=baseline_model, epochs=100, batch_size=5, verbose=0)))
pipeline = Pipeline(estimators)
kfold = KFold(n_splits=3)  # corpus: 10 splits
results = cross_val_score(pipeline, X, Y, cv=kfold, scoring='neg_mean_squared_error')
print("Standardized: %.2f (%.2f) MSE" % (results.mean(), results.std()))
pipeline.fit(X, Y)  # corpus: train and predict once more, for the corpus' check
predictions = pipeline.predict(X[:5])
