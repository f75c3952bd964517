"""Whole-number columns that act as codes get a one-hot encoding too; quantities with a curved effect do not."""

import numpy as np
import pytest

from gradwise.tabular import prepare
from gradwise.tabular.codes import code_text, is_code_column, lack_of_fit, zero_padded
from gradwise.tabular.preprocess import TabularPreprocessor
from gradwise.tabular.table import Table


def _schools(rows=2000, schools=40, seed=0):
    """A score that depends on the school (a code: one random effect each) and on age (a smooth curve)."""
    rng = np.random.default_rng(seed)
    school = rng.integers(100, 100 + schools, rows).astype(np.float64)
    effect = rng.normal(0, 1.0, 200)
    age = rng.integers(18, 70, rows).astype(np.float64)
    score = effect[(school - 100).astype(int)] + 0.002 * (age - 40) ** 2 + rng.normal(0, 1.0, rows)
    return school, age, score


def test_codes_depart_from_a_smooth_curve_and_a_curved_quantity_does_not():
    school, age, score = _schools()
    p_school, share_school, _, _ = lack_of_fit(school, score)
    p_age, share_age, _, _ = lack_of_fit(age, score)
    assert p_school < 1e-30 and share_school > 0.3
    assert p_age > 1e-3 and share_age < 0.03  # the quadratic age effect is within the cubic
    target = ((score - score.mean()) / score.std()).reshape(-1, 1)
    assert is_code_column(school, target, 5) and not is_code_column(age, target, 5)


def test_a_code_whose_order_says_nothing_needs_a_smaller_share_than_a_quantity_that_steps():
    """VietNamI's commune: 194 villages, each with an effect of its own, explain 0.077 of the target beyond the
    cubic, under ROUGH_SHARE; its values' order explains nothing of it. A quantity whose mean steps up and down
    between neighbouring values (a digits pixel) departs from the cubic as much but keeps most of its effect in it."""
    rng = np.random.default_rng(0)
    rows = 6000
    village = rng.integers(1, 151, rows).astype(np.float64)
    visits = rng.normal(0, 0.22, 151)[village.astype(int)] + rng.normal(0, 1, rows)
    p, share, orderless, _ = lack_of_fit(village, visits)
    assert p < 1e-20 and 0.05 <= share < 0.10 and orderless > 0.95
    target = ((visits - visits.mean()) / visits.std()).reshape(-1, 1)
    assert is_code_column(village, target, 5)
    shuffled = rng.permutation(visits)
    assert not is_code_column(village, ((shuffled - shuffled.mean()) / shuffled.std()).reshape(-1, 1), 5)
    pixel = rng.integers(0, 17, rows).astype(np.float64)
    ink = 0.25 * pixel + 0.8 * (pixel % 2) + rng.normal(0, 1, rows)  # a trend, and odd values a step higher
    p, share, orderless, _ = lack_of_fit(pixel, ink)
    assert p < 1e-20 and 0.05 <= share < 0.10 and orderless < 0.3
    assert not is_code_column(pixel, ((ink - ink.mean()) / ink.std()).reshape(-1, 1), 5)


def test_only_whole_numbers_with_enough_frequent_values_are_codes():
    school, _, score = _schools()
    target = score.reshape(-1, 1)
    assert not is_code_column(school + 0.5, target, 5)  # not whole numbers
    few = np.where(school < 104, school, 104.0)  # five values: too few groups for the test
    assert not is_code_column(few, target, 5)
    many = np.arange(len(score), dtype=np.float64)  # one row per value: none is frequent
    assert not is_code_column(many, target, 5)
    with_gaps = school.copy()
    with_gaps[:10] = np.nan
    assert is_code_column(with_gaps, target, 5)


def test_code_labels_do_not_depend_on_how_the_number_was_written():
    assert list(code_text(np.array([17.0, np.nan, 3.0]))) == ["17", None, "3"]


def test_a_code_column_keeps_its_standardized_value_and_gains_one_hot_columns_that_predict_alike():
    school, age, score = _schools()
    table = Table({"school": np.array([str(int(s)) for s in school], dtype=object),
                   "age": np.array([str(int(a)) for a in age], dtype=object),
                   "score": np.array([f"{s:.4f}" for s in score], dtype=object)})
    prepared = prepare(table, "score", impute="median")
    config = prepared.preprocessor.config
    assert [e["name"] for e in config["numeric"]] == ["school", "age"]
    codes = [e for e in config["categorical"] if e.get("codes")]
    assert [e["name"] for e in codes] == ["school"] and len(codes[0]["categories"]) == 40
    names = prepared.preprocessor.output_names
    assert names[:2] == ["school", "age"] and "school=117" in names and not any(n.startswith("age=") for n in names)
    assert any("one-hot 40 codes (also standardized above)" in line for line in prepared.preprocessor.describe())
    # the same rows as floats (a DataFrame's numbers) give the same inputs as the text cells of a file
    as_floats = Table({"school": school[:5], "age": age[:5]})
    as_text = Table({"school": table["school"][:5], "age": table["age"][:5]})
    np.testing.assert_array_equal(prepared.preprocessor.transform(as_floats), prepared.preprocessor.transform(as_text))
    row = names.index(f"school={int(school[0])}")
    assert prepared.preprocessor.transform(as_floats)[0, row] == 1.0


def test_an_unseen_code_is_reported_like_an_unseen_category():
    school, _, score = _schools()
    fitted = TabularPreprocessor().fit(Table({"school": school}), ["school"], ((score - score.mean()) / score.std())
                                       .reshape(-1, 1))
    lines = []
    matrix = fitted.transform(Table({"school": np.array([999.0, 101.0])}, source="'new.csv'"), report=lines.append)
    assert lines[-1] == ("column 'school': 1 row(s) of 'new.csv', first on line 2 hold categories not seen in "
                         "training ['999']; mapped to no category (all zeros)")
    assert "'school' 1 row(s) from line 2 (range [100, 139]); clipped to the range" in lines[0]  # its number too
    assert matrix[0, 1:].sum() == 0 and matrix[1, 1:].sum() == 1
    with pytest.raises(ValueError, match=r"categories not seen in training \['999'\]"):
        fitted.transform(Table({"school": np.array([999.0])}), strict=True)


def test_without_targets_no_column_is_read_as_codes():
    school, _, _ = _schools()
    fitted = TabularPreprocessor().fit(Table({"school": school}), ["school"])
    assert fitted.config["categorical"] == []


def test_a_quantity_smooth_in_its_rank_or_with_a_heavy_tailed_target_is_no_code():
    rng = np.random.default_rng(0)
    doublings = rng.integers(0, 10, 2000)
    size = (2.0 ** doublings) * 10  # sizes doubling from 10 to 5,120 (memory, a dose): most mass at small values
    effect = np.sqrt(doublings) * 3 + rng.normal(0, 0.5, 2000)  # saturating per doubling: smooth in the rank
    standardized = ((effect - effect.mean()) / effect.std()).reshape(-1, 1)
    assert not is_code_column(size, standardized, 5)  # a cubic in the size alone left 24% of the variance
    # the target enters by its rank: a heavy tail (the same effect, exponentiated) reads alike
    assert lack_of_fit(size, np.exp(effect)) == lack_of_fit(size, effect)
    school, _, score = _schools()  # codes still are codes
    assert lack_of_fit(school, np.exp(score))[0] < 1e-30


def test_numbers_written_with_leading_zeros_are_codes_whatever_the_test_says():
    rng = np.random.default_rng(1)
    hospital = rng.integers(30001, 30041, 600)  # provider numbers, written '030001' as COUNT's medpar writes them
    noise = rng.normal(size=600)  # no effect of the hospital: the lack-of-fit test alone would not call it a code
    padded = np.array([f"{h:06d}" for h in hospital], dtype=object)
    fitted = TabularPreprocessor().fit(Table({"provnum": padded}), ["provnum"], noise.reshape(-1, 1))
    codes = fitted.config["categorical"]
    assert [e["name"] for e in codes] == ["provnum"] and codes[0]["codes"] and codes[0]["zero_padded"]
    assert any("one-hot 40 codes written with leading zeros (also standardized above)" in line
               for line in fitted.describe())
    # the same hospital read as a float (a DataFrame's column) gets its own code's column
    as_floats = fitted.transform(Table({"provnum": hospital[:3].astype(np.float64)}))
    np.testing.assert_array_equal(as_floats, fitted.transform(Table({"provnum": padded[:3]})))
    assert as_floats[:, 1:].sum(axis=1).tolist() == [1.0, 1.0, 1.0]
    # without targets too: the writing alone says so
    assert TabularPreprocessor().fit(Table({"provnum": padded}), ["provnum"]).config["categorical"][0]["zero_padded"]
    plain = np.array([str(h) for h in hospital], dtype=object)
    assert TabularPreprocessor().fit(Table({"provnum": plain}), ["provnum"], noise.reshape(-1, 1)).config[
        "categorical"] == []
    stray = plain.copy()
    stray[0] = "007"  # one cell in 600: a typo, not a convention
    assert TabularPreprocessor().fit(Table({"n": stray}), ["n"], noise.reshape(-1, 1)).config["categorical"] == []
    assert [zero_padded(c) for c in (["0.5", "01.5", None], ["-07", "12"], ["0", "10"])] == [False, True, False]


def _panel(people=400, years=8, seed=0):
    """A wage panel: each person's rows share a person effect; the person is a number (Ecdat's Males: 545 workers)."""
    rng = np.random.default_rng(seed)
    person = np.repeat(rng.permutation(np.arange(10_000, 10_000 + 7 * people, 7)), years).astype(np.float64)
    effect = rng.normal(0, 1.0, people).repeat(years)
    experience = rng.integers(0, 20, people * years).astype(np.float64)
    wage = effect + 0.05 * experience + rng.normal(0, 0.5, people * years)
    return Table({"nr": np.array([str(int(p)) for p in person], dtype=object),
                  "exper": np.array([str(int(e)) for e in experience], dtype=object),
                  "wage": np.array([f"{w:.4f}" for w in wage], dtype=object)})


def test_a_person_numbered_in_a_panel_is_a_code_even_with_hundreds_of_people():
    # 400 people of 8 years: more values than a category column's 256 columns; as a standardized number the person
    # effect is lost (Males: Ridge CV R² 0.26), as codes it is a random intercept (0.49, HistGradientBoosting 0.38)
    prepared = prepare(_panel(), "wage", impute="median")
    codes = [entry for entry in prepared.preprocessor.config["categorical"] if entry.get("codes")]
    assert [entry["name"] for entry in codes] == ["nr"]
    assert len(codes[0]["categories"]) > 256  # every person with enough training rows has a column
    mask = prepared.preprocessor.code_columns
    assert mask.shape == (prepared.x_train.shape[1],)
    assert [name for name, is_code in zip(prepared.preprocessor.output_names, mask) if not is_code] == ["nr", "exper"]


def test_the_boosting_baseline_reads_the_codes_number_not_its_one_hot_columns(monkeypatch):
    from gradwise.tabular import baselines
    from gradwise.tabular.search import make_folds

    prepared = prepare(_panel(people=300), "wage", impute="median")
    widths = {}
    fit = baselines._fit

    def recording(model, x, y, deadline):
        widths[type(model).__name__] = x.shape[1]
        return fit(model, x, y, deadline)

    monkeypatch.setattr(baselines, "_fit", recording)
    results = baselines.run_baselines(prepared, make_folds(prepared.y_train, "regression", 0))
    assert widths == {"Ridge": prepared.x_train.shape[1], "HistGradientBoostingRegressor": 2}
    assert all("cv" in result for result in results)


def test_a_quantity_whose_curve_is_sharper_than_a_cubic_is_not_a_code():
    """KEEL's satimage: a kind of soil lies in a band of a pixel's intensity, a bump in its indicator's mean that a
    cubic cannot follow, so the intensity passes the p-value and share bars. Its neighbouring values depart from the
    cubic alike (the departure is itself a curve), where a code's neighbours depart independently."""
    rng = np.random.default_rng(0)
    rows = 5000
    intensity = rng.integers(30, 130, rows).astype(np.float64)
    inside = 1.0 / (1.0 + np.exp(-(intensity - 70) / 3)) / (1.0 + np.exp((intensity - 95) / 3))
    soil = (rng.random(rows) < 0.05 + 0.9 * inside).astype(np.float64)
    classes = np.column_stack([1 - soil, soil])
    p, share, orderless, ordered = lack_of_fit(intensity, soil)
    assert p < 1e-30 and share > 0.1 and ordered > 0.8  # past both bars, but its neighbours predict its departure
    assert not is_code_column(intensity, classes, 5)
    codes = rng.permutation(100)[(intensity - 30).astype(int)] + 30.0  # the same values as labels of the bands' rows
    p, share, orderless, ordered = lack_of_fit(codes, soil)
    assert p < 1e-30 and share > 0.1 and ordered < 0.5
    assert is_code_column(codes, classes, 5)
