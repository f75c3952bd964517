"""Evaluate a Keras model with scikit-learn's cross_val_score through the KerasClassifier wrapper.

Keras imports, replaced below:
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense
    from tensorflow.keras.wrappers.scikit_learn import KerasClassifier
"""
import numpy
from sklearn.model_selection import StratifiedKFold
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from gradwise.models import Sequential
from gradwise.layers import Dense
from gradwise.wrappers import KerasClassifier


# Function to create model, required for KerasClassifier
def create_model():
    # create model
    model = Sequential()
    model.add(Dense(12, input_dim=8, activation='relu'))
    model.add(Dense(8, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    # Compile model
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    return model


# fix random seed for reproducibility
seed = 7
numpy.random.seed(seed)
# load pima indians dataset
dataset = numpy.loadtxt("pima-indians-diabetes.csv", delimiter=",")
# split into input (X) and output (Y) variables
X = dataset[:, 0:8]
Y = dataset[:, 8]
# create model
estimators = []
estimators.append(('standardize', StandardScaler()))
estimators.append(('mlp', KerasClassifier(build_fn=create_model, epochs=20, batch_size=10, verbose=0)))  # corpus: 100 epochs
pipeline = Pipeline(estimators)
# evaluate using 10-fold cross validation
kfold = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)  # corpus: 10 folds
results = cross_val_score(pipeline, X, Y, cv=kfold)
print(results.mean())
pipeline.fit(X, Y)  # corpus: train and predict once more, for the corpus' check
predictions = pipeline.predict(X[:10])
