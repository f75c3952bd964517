"""Task inference and target encoding."""

import numpy as np
import pytest

from gradwise.tabular import TargetEncoder, infer_task
from gradwise.tabular.target import quantity_spread, quantity_tail


@pytest.mark.parametrize("cells, task", [
    (["yes", "no", "yes"], "binary"),
    (["0", "1", "1"], "binary"),
    (["cat", "dog", "bird"], "multiclass"),
    ([str(i % 10) for i in range(50)], "multiclass"),
    ([str(i) for i in range(50)], "regression"),          # more distinct integers than classes allow
    (["1.5", "2.25", "3.0"], "regression"),
])
def test_task_is_inferred_from_the_target(cells, task):
    assert infer_task(cells) == task


def test_whole_numbers_with_a_tail_seen_once_are_a_quantity():
    visits = ["0"] * 40 + ["1"] * 20 + ["2"] * 10 + ["3"] * 5 + ["11", "15", "24"]  # a count's sparse tail
    assert quantity_tail(visits) == [11, 15, 24]
    assert infer_task(visits) == "regression"
    assert infer_task(["0"] * 40 + ["1"] * 20 + ["2"] * 10 + ["3"] * 5) == "multiclass"  # no value seen once
    extremes = ["1"] + ["2"] * 10 + ["3"] * 10 + ["4"] * 10 + ["9"]  # seen once at both ends
    assert quantity_tail(extremes) == [1, 9] and infer_task(extremes) == "regression"


def test_a_code_seen_once_among_common_ones_stays_a_class():
    codes = ["1"] * 10 + ["2"] * 10 + ["3"] + ["4"] * 10 + ["5"] * 10  # a rare code in the middle
    assert quantity_tail(codes) == [] and infer_task(codes) == "multiclass"
    assert quantity_tail(["a"] * 5 + ["b"] * 5 + ["c"]) == []  # words are no quantity
    assert quantity_tail(["0"] * 5 + ["1"]) == []  # two values are classes (binary)
    assert quantity_tail([str(i) for i in range(30)] + ["0"]) == []  # more values than classes allow


def test_values_seen_once_among_too_many_for_the_rows_are_a_quantity():
    # a count of ships' accidents: 16 values on 40 rows, some seen once among the common ones
    accidents = {0: 8, 1: 5, 2: 2, 3: 1, 4: 2, 5: 1, 6: 2, 7: 2, 11: 2, 12: 2, 18: 2, 29: 1, 39: 1, 44: 1, 53: 1, 58: 1}
    cells = [str(value) for value, rows in accidents.items() for _ in range(rows)]
    assert quantity_tail(cells) == []  # 3 and 5 lie among the common values: no tail
    assert quantity_spread(cells) == [3, 5, 29, 39, 44, 53, 58] and infer_task(cells) == "regression"
    # the same values on ten times the rows are few for them: a code seen once stays a class (an error later)
    many = [str(value) for value, rows in accidents.items() for _ in range(rows * 10 if rows > 1 else 1)]
    assert quantity_spread(many) == [] and infer_task(many) == "multiclass"
    assert quantity_spread([str(i % 8) for i in range(20)]) == []  # no value seen once: classes can be learned
    assert quantity_spread(["a", "b", "c", "c"]) == []  # words are no quantity


def test_a_single_class_cannot_be_learned():
    with pytest.raises(ValueError, match=r"single value \['a'\]"):
        infer_task(["a", "a"])


def test_classes_sort_numerically_and_decode_from_probabilities():
    encoder = TargetEncoder("multiclass").fit(["10", "9", "2", "9"])
    assert encoder.classes == ["2", "9", "10"]
    np.testing.assert_array_equal(encoder.transform(["9", "10"]), [1, 2])
    assert list(encoder.decode(np.array([[0.1, 0.2, 0.7], [0.8, 0.1, 0.1]]))) == ["10", "2"]
    with pytest.raises(ValueError, match=r"labels \['7'\] were not seen in training"):
        encoder.transform(["7"])


def test_binary_decodes_at_one_half_like_binary_accuracy():
    encoder = TargetEncoder("binary").fit(["no", "yes"])
    np.testing.assert_array_equal(encoder.transform(["yes", "no"]), [1.0, 0.0])
    assert list(encoder.decode(np.array([[0.7], [0.5], [0.2]]))) == ["yes", "no", "no"]
    np.testing.assert_allclose(encoder.probabilities(np.array([[0.7]])), [[0.3, 0.7]])
    with pytest.raises(ValueError, match=r"--task binary needs exactly 2 classes, but the target has 3"):
        TargetEncoder("binary").fit(["a", "b", "c"])


def test_regression_targets_are_standardized_and_mapped_back():
    encoder = TargetEncoder("regression").fit(["1", "2", "3", "6"])
    scaled = encoder.transform(["1", "6"])
    values = np.array([1.0, 2.0, 3.0, 6.0])
    np.testing.assert_allclose(scaled, (np.array([1.0, 6.0]) - values.mean()) / values.std(), rtol=1e-6)
    np.testing.assert_allclose(encoder.decode(scaled.reshape(-1, 1)), [1.0, 6.0], rtol=1e-6)
    with pytest.raises(ValueError, match="needs a numeric target"):
        TargetEncoder("regression").fit(["a", "b"])


def test_an_unknown_task_is_named():
    with pytest.raises(ValueError, match=r"`task` must be one of binary, multiclass, regression"):
        TargetEncoder("ranking")


def test_case_variants_of_a_class_are_found():
    from gradwise.tabular.target import case_variants

    assert case_variants(["No", "Yes", "no", "yes", "maybe"]) == [["No", "no"], ["Yes", "yes"]]
    assert case_variants(["a", "b"]) == []


def test_a_class_of_one_row_is_named_and_whole_numbers_suggest_regression():
    from gradwise.tabular import split_rows
    from gradwise.tabular.table import Table

    counts = Table({"x": np.arange(12.0), "y": np.array(["0", "0", "1", "1", "2", "2", "3", "3", "4", "4", "7", "9"], dtype=object)})
    with pytest.raises(ValueError, match=r"2 class\(es\) of the target have a single row \(7, 9\).*--task regression"):
        split_rows(counts, "y", task="multiclass")  # as tune --task multiclass: read alone, a quantity
    words = Table({"x": np.arange(5.0), "y": np.array(["a", "a", "b", "b", "c"], dtype=object)})
    with pytest.raises(ValueError, match=r"single row \(c\); every class needs at least 2 rows[^-]*$"):
        split_rows(words, "y")
    days = Table({"x": np.arange(40.0), "day": np.array([f"2012/01/{d:02d}" for d in range(1, 21)] * 2, dtype=object)})
    days["day"][-1] = "2012/02/01"  # two dates seen once, as a date target's (a day per row) all are
    with pytest.raises(ValueError, match=r"single row \(2012/01/20, 2012/02/01\).* The target's values are dates"):
        split_rows(days, "day")


def test_a_test_size_too_small_for_every_class_names_the_flag():
    from gradwise.tabular import split_rows
    from gradwise.tabular.table import Table

    table = Table({"x": np.arange(9.0), "y": np.array(["a", "a", "a", "b", "b", "b", "c", "c", "c"], dtype=object)})
    with pytest.raises(ValueError, match=r"--test-size 0.2 of 9 rows gives 2 test and 7 training rows, but each must "
                                         r"hold all 3 classes"):
        split_rows(table, "y")
