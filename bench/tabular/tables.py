"""The benchmark's tables, written as CSV: scikit-learn's bundled ones, Pima, and generated messy ones.

CALIBRATION tables were used while the search, the space and the thresholds were built;
HELD_OUT tables were only run once those were frozen (see BENCHMARKS.md). FRESH tables
(generated, fifteenth session) were written after the last change to the search's choices and
run once, to test the claim on tables nobody looked at before: a nonlinear regression, a
nonlinear binary problem with noise columns, a 90/10 imbalanced binary table, a multiclass
table of several clusters per class, and a table of mostly categorical columns whose target
depends on an interaction of two of them. LATE tables were written after the first FRESH run had
shown a fault (moons: noise columns) and its remedy had been chosen on it, and were run only
on the remedy and the code before it: an XOR of two columns among eighteen of noise, a
nonlinear regression among twenty noise columns, and Hastie's ten-dimensional sphere (every
column informative, where an L1 penalty on the inputs has nothing to prune). ``states`` was
written after a probe had shown a high-cardinality column losing its signal to the 'other'
bucket, before any run of it: 50 states of uneven frequency whose effects drive the target.
PROBES are one-seed checks of kinds of table not covered above (a log-normal regression target,
150 rows, a 150-level postcode, a quarter of the cells missing, heavy-tailed columns, twenty
classes), run once on the final code of the fifteenth session.
"""

import csv
import os

import numpy as np

# orders (seventeenth session): a spreadsheet export with dates, dollar amounts, percentages and TRUE/FALSE,
# written while ``gradwise.tabular.dates`` and ``formats`` were built, so a calibration table
# survey (eighteenth session): a survey export with a title line, words in number columns ('unknown',
# 'refused', 'never', '-') and incomes grouped by spaces, written while ``gradwise.tabular.markers`` was built
# usedcars (eighteenth session): a scraped listing with units after the numbers ('23.4 kmpl', '17.3 km/kg',
# '1248 CC', '74 bhp', ' bhp' alone), written while ``gradwise.tabular.markers`` read units
# lab (eighteenth session): laboratory values with bounds ('<0.5', '>40', '>150'), written with their reader
CALIBRATION = ("pima", "breast_cancer", "customers", "orders", "survey", "usedcars", "lab")
LATE = ("xor", "sparse_reg", "hastie", "states")
PROBES = ("lognormal", "tiny", "postcodes", "gaps", "heavytail", "manyclass")
FRESH = ("friedman", "moons", "imbalanced", "clusters", "plans") + LATE + PROBES
HELD_OUT = ("wine", "iris", "digits", "diabetes", "spend") + FRESH
TIMING = ("wide10k",)


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _numbers(prefix, x, target, labels, number=".4f"):
    """(header, rows) of number columns PREFIX0, PREFIX1, ... holding `x`, then the `target` column of `labels`."""
    return ([f"{prefix}{i}" for i in range(x.shape[1])] + [target],
            [[f"{v:{number}}" for v in row] + [label] for row, label in zip(x, labels)])


def _sklearn(name):
    from sklearn import datasets

    loader = {"wine": datasets.load_wine, "iris": datasets.load_iris, "digits": datasets.load_digits,
              "breast_cancer": datasets.load_breast_cancer, "diabetes": datasets.load_diabetes}[name]
    bunch = loader()
    names = [str(n).replace(" ", "_") for n in (bunch.feature_names if hasattr(bunch, "feature_names") else
                                               [f"x{i}" for i in range(bunch.data.shape[1])])]
    target = bunch.target
    return names + ["target"], [[*map(repr, map(float, x)), str(t)] for x, t in zip(bunch.data, target)]


def _fresh(name):
    """(header, rows) of a generated FRESH table; the target is the last column."""
    from sklearn import datasets

    rng = np.random.default_rng(15)
    if name == "friedman":  # y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + noise; x6-x10 unused
        x, y = datasets.make_friedman1(1500, 10, noise=1.0, random_state=15)
        return _numbers("x", x, "y", [f"{t:.4f}" for t in y], ".5f")
    if name == "moons":  # two interleaved half circles, noisy, beside eight columns of noise
        x, y = datasets.make_moons(1200, noise=0.3, random_state=15)
        x = np.hstack([x * [3.0, 40.0] + [1.0, 200.0], rng.normal(size=(len(x), 8))])
        return _numbers("m", x, "label", map(str, y))
    if name == "xor":  # the label is the XOR of two columns' signs, 10% of labels flipped; 18 noise columns
        x = rng.normal(size=(1500, 20))
        y = ((x[:, 3] > 0) ^ (x[:, 11] > 0)) ^ (rng.random(1500) < 0.1)
        return _numbers("v", x, "flag", [str(int(t)) for t in y])
    if name == "sparse_reg":  # y = sin(2 x0) + x1^2 + 0.5 x2 + noise; columns 3-22 unused
        x = rng.uniform(-2, 2, size=(1200, 23))
        y = np.sin(2 * x[:, 0]) + x[:, 1] ** 2 + 0.5 * x[:, 2] + rng.normal(scale=0.3, size=1200)
        return _numbers("s", x, "y", [f"{t:.4f}" for t in y])
    if name == "hastie":  # y = 1 where the sum of ten squared standard normals exceeds 9.34 (its median)
        x, y = datasets.make_hastie_10_2(2000, random_state=15)
        return _numbers("h", x, "outside", [str(int(t > 0)) for t in y])
    if name == "states":  # 50 states (frequencies from a Dirichlet draw), each with its own effect on the odds
        states = np.random.default_rng(50)
        share = states.dirichlet(np.full(50, 2.0))
        effect = states.normal(scale=1.0, size=50)
        rows = 2500
        state = states.choice(50, rows, p=share)
        segment = states.choice(["retail", "smb", "enterprise", "public", "edu", "ngo"], rows)
        numbers = states.normal(size=(rows, 3))
        logit = effect[state] + 0.8 * numbers[:, 0] - 0.5 * numbers[:, 1] + (segment == "enterprise") * 0.7
        renewed = states.random(rows) < 1 / (1 + np.exp(-logit))
        header = ["state", "segment", "tenure", "seats", "tickets", "renewed"]
        return header, [[f"S{s:02d}", g, *[f"{v:.3f}" for v in r], ["no", "yes"][int(t)]]
                        for s, g, r, t in zip(state, segment, numbers, renewed)]
    if name == "imbalanced":
        x, y = datasets.make_classification(3000, 20, n_informative=6, n_redundant=4, weights=[0.9], flip_y=0.02,
                                            random_state=15)
        return _numbers("f", x, "event", [["no", "yes"][t] for t in y], ".5f")
    if name == "clusters":
        x, y = datasets.make_classification(2000, 12, n_informative=8, n_redundant=2, n_classes=4,
                                            n_clusters_per_class=3, class_sep=1.2, random_state=15)
        return _numbers("c", x, "kind", [f"k{t}" for t in y], ".5f")
    rows = 2000  # plans: the churn of a plan depends on the device it is used on, and on age and usage
    region = rng.choice([f"r{i}" for i in range(8)], rows)
    plan = rng.choice(["basic", "plus", "pro", "family"], rows, p=[0.4, 0.3, 0.2, 0.1])
    device = rng.choice(["phone", "tablet", "desktop", "tv", "watch"], rows)
    age = rng.integers(18, 80, rows)
    usage = rng.gamma(2.0, 10.0, rows)
    effect = {("basic", "tv"): 1.5, ("pro", "phone"): -1.5, ("family", "tablet"): 1.2, ("plus", "watch"): 1.0}
    logit = (np.array([effect.get(pair, 0.0) for pair in zip(plan, device)]) - 0.02 * (age - 45)
             - 0.04 * (usage - 20) + (region == "r3") * 0.8 - 0.3)
    churn = rng.random(rows) < 1 / (1 + np.exp(-logit))
    header = ["region", "plan", "device", "age", "usage", "churned"]
    return header, [[r, p, d, str(a), f"{u:.1f}", ["no", "yes"][int(c)]]
                    for r, p, d, a, u, c in zip(region, plan, device, age, usage, churn)]


def _probe(name):
    """(header, rows) of a PROBES table; the target is the last column."""
    from sklearn import datasets

    rng = np.random.default_rng(7)
    if name == "lognormal":  # a price-like target: exp of a linear part, an interaction and noise
        x = rng.normal(size=(1500, 8))
        y = np.exp(0.6 * x[:, 0] + 0.4 * x[:, 1] * x[:, 2] + rng.normal(scale=0.3, size=1500))
        return _numbers("a", x, "price", [f"{t:.4f}" for t in y])
    if name == "tiny":
        x, y = datasets.make_classification(150, 6, n_informative=3, random_state=7)
        return _numbers("t", x, "c", map(str, y))
    if name == "postcodes":  # 150 postcodes of about 20 rows each, each with its own effect
        effect, code, numbers = rng.normal(size=150), rng.integers(0, 150, 3000), rng.normal(size=(3000, 4))
        logit = effect[code] + numbers[:, 0] - 0.5 * numbers[:, 1]
        bought = rng.random(3000) < 1 / (1 + np.exp(-logit))
        return ["zip", "n0", "n1", "n2", "n3", "bought"], [[f"z{c:03d}", *[f"{v:.3f}" for v in r], str(int(t))]
                                                          for c, r, t in zip(code, numbers, bought)]
    if name == "gaps":  # a quarter of the cells missing, completely at random
        x, y = datasets.make_classification(1500, 10, n_informative=5, random_state=8)
        x[rng.random(x.shape) < 0.25] = np.nan
        return [f"g{i}" for i in range(10)] + ["y"], [["" if np.isnan(v) else f"{v:.4f}" for v in r] + [str(t)]
                                                      for r, t in zip(x, y)]
    if name == "heavytail":  # log-normal columns and a Cauchy one; the odds follow their logarithms
        x = rng.lognormal(sigma=1.5, size=(2000, 6))
        x[:, 5] = rng.standard_cauchy(2000)
        logit = 1.2 * np.log(x[:, 0]) - 0.8 * np.log(x[:, 1]) + 0.5 * np.log(x[:, 2]) * (x[:, 3] > 1)
        y = rng.random(2000) < 1 / (1 + np.exp(-logit))
        return _numbers("h", x, "y", [str(int(t)) for t in y], ".5g")
    x, y = datasets.make_classification(3000, 16, n_informative=10, n_classes=20, n_clusters_per_class=1,
                                        class_sep=1.5, random_state=9)
    return _numbers("m", x, "k", [f"class{t}" for t in y])


def _survey(path, rows=1200, seed=31):
    """A health survey as an office tool exports it (see CALIBRATION); the target is 'condition'."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 85, rows)
    income = rng.lognormal(10.5, 0.6, rows)
    never = rng.random(rows) < 0.4  # never smoked: no years of smoking, and lower odds
    years = np.where(never, 0.0, rng.uniform(1, 40, rows))
    region = rng.choice(["north", "south", "east", "west"], rows, p=[0.4, 0.3, 0.2, 0.1])
    logit = (0.04 * (age - 50) - 0.8 * (np.log(income) - 10.5) + 0.05 * years - 0.9 * never
             + np.where(region == "south", 0.6, 0.0) + rng.normal(scale=0.5, size=rows))
    condition = np.where(logit > np.median(logit), "yes", "no")
    age_cells = np.array([f"{a:.0f}" for a in age], dtype=object)
    age_cells[rng.random(rows) < 0.05] = "unknown"
    age_cells[rng.random(rows) < 0.02] = "refused"
    income_cells = np.array([f"{round(v):,}".replace(",", " ") for v in income], dtype=object)
    income_cells[rng.random(rows) < 0.05] = "-"
    years_cells = np.where(never, "never", [f"{y:.1f}" for y in years]).astype(object)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write("Health survey 2024 - export,,,,,\n")
        writer = csv.writer(handle)
        writer.writerow(["respondent", "age", "income", "years_smoking", "region", "condition"])
        writer.writerows(zip(range(1, rows + 1), age_cells, income_cells, years_cells, region, condition))
    return path


def _usedcars(path, rows=1500, seed=5):
    """Used cars as a listing site writes them (see CALIBRATION); the target is 'selling_price'."""
    rng = np.random.default_rng(seed)
    year, km = rng.integers(2005, 2021, rows), rng.lognormal(10.8, 0.6, rows).round(-2)
    power = rng.uniform(45, 250, rows).round(1)
    engine = (power * 9 + rng.normal(0, 150, rows)).clip(800, 3000).round(-1)
    gas = rng.random(rows) < 0.15  # CNG: mileage in km/kg, on another scale than kmpl
    mileage = np.where(gas, rng.uniform(18, 30, rows), rng.uniform(10, 25, rows)).round(2)
    fuel = np.where(gas, "CNG", rng.choice(["Petrol", "Diesel"], rows))
    price = np.exp(11 + 0.12 * (year - 2005) + 0.006 * power - 0.25 * np.log(km / 10000)
                   + 0.15 * (fuel == "Diesel") + rng.normal(0, 0.2, rows)).round(-3)
    power_cells = np.array([f"{p} bhp" for p in power], dtype=object)
    power_cells[rng.choice(rows, 20, replace=False)] = " bhp"  # the site's empty power
    _write(path, ["year", "km_driven", "fuel", "mileage", "engine", "max_power", "selling_price"],
           zip(year, km.astype(int), fuel, [f"{m} km/kg" if g else f"{m} kmpl" for m, g in zip(mileage, gas)],
               [f"{int(e)} CC" for e in engine], power_cells, price.astype(int)))
    return path


def _lab(path, rows=800, seed=8):
    """Laboratory values outside the measured range written as bounds (see CALIBRATION); the target is 'sepsis'."""
    rng = np.random.default_rng(seed)
    crp, age, ferritin = rng.lognormal(0.5, 1.2, rows), rng.uniform(20, 90, rows), rng.lognormal(4, 0.8, rows)
    logit = 1.2 * np.log(crp) + 0.03 * (age - 55) - 0.4 * np.log(ferritin / 50) + rng.normal(0, 0.7, rows)
    crp_cells = np.array([f"{v:.2f}" for v in crp], dtype=object)
    crp_cells[crp < 0.5], crp_cells[crp > 40] = "<0.5", ">40"
    ferritin_cells = np.array([f"{v:.0f}" for v in ferritin], dtype=object)
    ferritin_cells[ferritin > 150] = ">150"
    _write(path, ["age", "crp", "ferritin", "sepsis"],
           zip(age.round().astype(int), crp_cells, ferritin_cells, np.where(logit > np.median(logit), "yes", "no")))
    return path


def table_file(name, folder):
    """(csv path, target column, columns to drop) of any benchmark table: generated, bundled or real."""
    from .real import GROUPED, REAL, write_real

    if name in REAL or name in GROUPED:
        return write_real(name, folder)
    return (*write_table(name, folder), [])


def write_table(name, folder):
    """(csv path, target column) of benchmark table `name`, written under `folder`."""
    from gradwise.tabular.messy import write_customer_csv

    path = os.path.join(folder, f"{name}.csv")
    if name == "pima":
        from importlib import resources

        with resources.as_file(resources.files("gradwise").joinpath("data", "diabetes.csv")) as source:
            with open(source, encoding="utf-8") as handle, open(path, "w", encoding="utf-8") as out:
                out.write(handle.read())
        return path, "Outcome"
    if name == "customers":
        return str(write_customer_csv(path, rows=1000, seed=11)), "churned"
    if name == "orders":
        from gradwise.tabular.messy import write_order_csv

        return str(write_order_csv(path, rows=1500, seed=21)), "returned"
    if name == "survey":
        return _survey(path), "condition"
    if name == "usedcars":
        return _usedcars(path), "selling_price"
    if name == "lab":
        return _lab(path), "sepsis"
    if name == "spend":
        return str(write_customer_csv(path, rows=1000, seed=12, task="regression")), "spend"
    if name == "wide10k":
        from sklearn.datasets import make_classification

        x, y = make_classification(10_000, 50, n_informative=20, random_state=0)
        _write(path, *_numbers("f", x, "label", map(str, y), ".5f"))
        return path, "label"
    if name in FRESH:
        header, rows = _probe(name) if name in PROBES else _fresh(name)
        _write(path, header, rows)
        return path, header[-1]
    header, rows = _sklearn(name)
    if name == "diabetes":
        for row in rows:
            row[-1] = str(float(row[-1]))  # a numeric target: regression
    _write(path, header, rows)
    return path, "target"
