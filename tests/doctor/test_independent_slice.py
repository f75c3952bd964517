"""A fast slice of the independent evaluation (bench/doctor/independent.py): set-ups written
apart from the fault suite, scored against their textbook fixes."""

from bench.doctor.independent import FAULTY, HEALTHY, LEVEL, run_one, table


def test_every_faulty_setup_has_a_fix_and_names_and_a_third_is_held_out():
    assert len(FAULTY) == 37 and len(HEALTHY) == 10
    assert all(item.names and (item.fix_model or item.fix_data) for item in FAULTY)
    assert 10 <= sum(item.held_out for item in FAULTY) <= 13
    assert len({item.name for item in FAULTY + HEALTHY}) == 47


def test_a_deep_sigmoid_stack_is_named_and_repaired_to_the_textbook_level_both_ways():
    result = run_one("deep_sigmoid_blobs", seed=0)
    assert result["named"] and result["root_cause"] == "VANISHING_GRADIENT"
    assert result["fault_score"] < result["fix_score"] - LEVEL  # the fault costs something
    assert result["diagnose_level"] and result["live_level"]
    assert "VANISHING_GRADIENT: relu_he" in result["live_repairs"]


def test_a_healthy_setup_gets_no_warning_and_no_repair():
    result = run_one("ok_blobs_sgd_momentum", seed=0)
    assert result["quiet"] and result["healthy_repairs"] == 0 and result["live_healthy_repairs"] == 0
    assert "| healthy set-ups with no finding of warning or worse | 1 of 1 |" in table([result])
