"""Trains a Bidirectional LSTM on the IMDB sentiment classification task (the Keras example
imdb_bidirectional_lstm.py), on small random reviews in IMDB's format.

Keras imports, replaced below:
    import numpy as np
    from keras.preprocessing import sequence
    from keras.models import Sequential
    from keras.layers import Dense, Dropout, Embedding, LSTM, Bidirectional
    from keras.datasets import imdb
"""
import numpy as np
from gradwise.utils import sequence
from gradwise.models import Sequential
from gradwise.layers import Dense, Dropout, Embedding, LSTM, Bidirectional
from tests.porting import imdb  # small random reviews in the format of keras.datasets.imdb (no download)


max_features = 20000
# cut texts after this number of words
# (among top max_features most common words)
maxlen = 100
batch_size = 32

print('Loading data...')
(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=max_features)
print(len(x_train), 'train sequences')
print(len(x_test), 'test sequences')

print('Pad sequences (samples x time)')
x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
print('x_train shape:', x_train.shape)
print('x_test shape:', x_test.shape)
y_train = np.array(y_train)
y_test = np.array(y_test)

model = Sequential()
model.add(Embedding(max_features, 128, input_length=maxlen))
model.add(Bidirectional(LSTM(64)))
model.add(Dropout(0.5))
model.add(Dense(1, activation='sigmoid'))

# try using different optimizers and different optimizer configs
model.compile('adam', 'binary_crossentropy', metrics=['accuracy'])

print('Train...')
history = model.fit(x_train, y_train,  # corpus: history = kept to check the run (the example calls model.fit(...))
                    batch_size=batch_size,
                    epochs=3,  # corpus: smaller run (the example trains 4 epochs)
                    validation_data=[x_test, y_test])
predictions = model.predict(x_test[:10])  # corpus: a final prediction
