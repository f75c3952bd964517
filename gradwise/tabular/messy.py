"""A generated customer table with the faults real tables have: IDs, a constant, free text, gaps, rare categories.

Used by the tests and the benchmark (``bench/tabular``) to check that ``gradwise tune``
screens such columns out and predicts right from raw rows with gaps.
"""

import csv

import numpy as np

REGIONS = ["north", "south", "east", "west"]
PLANS = ["basic", "plus", "pro"]


def customer_table(rows=400, seed=0, task="binary"):
    """(header, rows of cells) of a customer table; target 'churned' (yes/no) or 'spend' (regression)."""
    rng = np.random.default_rng(seed)
    age = rng.normal(45, 12, rows).round()
    income = rng.lognormal(10.5, 0.4, rows).round(-2)
    tenure = rng.integers(0, 120, rows)
    region = rng.choice(REGIONS, rows, p=[0.4, 0.3, 0.2, 0.1])
    plan = rng.choice(PLANS + ["legacy", "trial"], rows, p=[0.5, 0.3, 0.18, 0.01, 0.01])
    score = (0.04 * (45 - age) + 0.6 * np.log(income / 36000) - 0.02 * tenure + 0.8 * (region == "south")
             - 0.7 * (plan == "pro") + 0.5 * (plan == "basic") + rng.normal(0, 1, rows))
    if task == "binary":
        target = np.where(score > np.median(score), "yes", "no")
    else:
        target = np.round(100 + 20 * score, 2).astype(str)
    header = ["customer_id", "account", "age", "income", "tenure_months", "region", "plan", "country", "note",
              "churned" if task == "binary" else "spend"]
    table = []
    for i in range(rows):
        cells = [str(10001 + i), f"AC-{rng.integers(10**7, 10**8)}", f"{age[i]:.0f}", f"{income[i]:.0f}",
                 str(tenure[i]), region[i], plan[i], "NL", f"called on day {rng.integers(1, 10**6)}", target[i]]
        if rng.random() < 0.05:
            cells[2] = ""
        if rng.random() < 0.05:
            cells[3] = "NA"
        if rng.random() < 0.03:
            cells[5] = ""
        table.append(cells)
    return header, table


def write_customer_csv(path, rows=400, seed=0, task="binary"):
    header, table = customer_table(rows, seed, task)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(table)
    return path


def order_table(rows=600, seed=0):
    """(header, rows of cells) of an order table as a spreadsheet exports it; target 'returned' (yes/no).

    Dates ('2021-06-10'), amounts in dollars with thousands separators ('$1,234.50'), a discount
    in percent ('15%'), a TRUE/FALSE column (R and Excel write booleans so): the target depends on
    the weekday, the season, the amount and the discount.
    """
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 3 * 365, rows)
    date = np.datetime64("2020-01-01") + days.astype("timedelta64[D]")
    weekday = (days + 2) % 7  # 2020-01-01 was a Wednesday (Monday = 0)
    month = date.astype("datetime64[M]").astype(int) % 12 + 1
    amount = rng.lognormal(5, 1, rows)
    discount = rng.choice([0, 5, 10, 15, 20, 30], rows)
    member = rng.random(rows) < 0.4
    score = (1.2 * (weekday >= 5) + 1.0 * np.isin(month, (11, 12)) + 0.6 * (np.log(amount) - 5) + 0.05 * discount
             - 0.8 * member + rng.normal(0, 0.7, rows))
    target = np.where(score > np.quantile(score, 0.6), "yes", "no")
    header = ["order_date", "amount", "discount", "member", "returned"]
    return header, [[str(d), f"${a:,.2f}", f"{p}%", "TRUE" if m else "FALSE", t]
                    for d, a, p, m, t in zip(date, amount, discount, member, target)]


def write_order_csv(path, rows=600, seed=0):
    header, table = order_table(rows, seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(table)
    return path
