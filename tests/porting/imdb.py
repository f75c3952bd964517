"""A stand-in for ``keras.datasets.imdb`` (which downloads): the same ``load_data`` call and format,
small random reviews whose sentiment a model can learn.

Like Keras's, each review is a list of word indices starting with 1 (the start mark), words
from index 3 on (``index_from=3``), and ``num_words`` keeps the indices below it (the rest
become 2, the out-of-vocabulary mark). Positive reviews use words 4..53 more often,
negative ones words 54..103; the other words are uniform noise. 480 training and 240
test reviews of 20 to 160 words.
"""

import numpy as np


def _reviews(rng, count, num_words):
    labels = rng.integers(0, 2, size=count)
    reviews = []
    for label in labels:
        length = int(rng.integers(20, 160))
        words = rng.integers(104, num_words, size=length)
        telling = rng.random(length) < 0.12
        words[telling] = rng.integers(4, 54, size=int(telling.sum())) + (0 if label else 50)
        reviews.append([1] + words.tolist())
    return reviews, labels


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3):
    """((x_train, y_train), (x_test, y_test)) as Keras's: lists of index lists, labels 0/1."""
    rng = np.random.default_rng(seed)
    vocabulary = num_words or 5000
    data = []
    for count in (480, 240):
        reviews, labels = _reviews(rng, count, vocabulary)
        if maxlen is not None:
            keep = [index for index, review in enumerate(reviews) if len(review) < maxlen]
            reviews, labels = [reviews[index] for index in keep], labels[keep]
        data.append((np.array(reviews, dtype=object), labels))
    return tuple(data)
