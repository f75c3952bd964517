"""A handful of the fault suite's cases (bench/doctor), end to end: each finds its injected fault."""

import pytest

from bench.doctor.cases import FAULTS, HEALTHY
from bench.doctor.execute import run_case
from gradwise.doctor import CODES

QUICK = ["sgd_lr5_digits", "rmsprop_lr1e-6_iris", "pima_raw", "zeros_init_digits", "double_sigmoid_cancer",
         "pima_raw_sgd", "tanh_bias5_iris", "dead_relu_positive_init_cancer", "nan_validation_inputs_cancer",
         "saddle_small_init_circles"]


@pytest.mark.parametrize("name", QUICK)
def test_fault_is_found(name):
    result = run_case(name, repair=False)
    assert result["expected"] in result["codes"]
    allowed = {result["expected"], *result["accept"]}
    assert set(result["codes"]) <= allowed, f"unexpected codes {set(result['codes']) - allowed}"


@pytest.mark.parametrize("name", ["cancer_sigmoid_two_layers", "pima_sgd_momentum", "blobs_sgd_momentum_batch1"])
def test_healthy_case_is_silent(name):
    assert run_case(name, repair=False)["codes"] == []


def test_fault_is_found_by_the_callback_at_default_sampling():
    result = run_case("sgd_lr5_digits", mode="callback")
    assert "LR_TOO_HIGH" in result["codes"] and result["root_cause"] == "LR_TOO_HIGH"


def test_repair_of_a_suite_case():
    result = run_case("double_sigmoid_cancer", repair=True)
    assert result["repair_gone"] and result["repair_improved"]


def test_suite_covers_every_code_several_times():
    expected = [case.expected for case in FAULTS]
    assert len(FAULTS) >= 30 and len(HEALTHY) >= 10
    assert all(expected.count(code) >= 3 for code in CODES)
    assert len({case.name for case in FAULTS + HEALTHY}) == len(FAULTS) + len(HEALTHY)
