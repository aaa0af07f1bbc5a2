import pytest

from shequ.framework.expressions import ExpressionError, parse_expression


def test_expression_lists_its_data_elements_and_evaluates():
    expr = parse_expression("a + b * 2 - c")
    assert expr.elements == ("a", "b", "c")
    # 1 + 2*2 - 3 = 2
    assert expr.evaluate({"a": 1, "b": 2, "c": 3}) == 2.0


def test_a_comparison_counts_as_one_or_zero():
    # "communities having at least one centre": 2 centres -> 1, 0 centres -> 0
    expr = parse_expression("service_centres >= 1")
    assert expr.evaluate({"service_centres": 2}) == 1.0
    assert expr.evaluate({"service_centres": 0}) == 0.0


def test_min_and_max_are_allowed():
    assert parse_expression("min(a, b)").evaluate({"a": 3, "b": 5}) == 3.0
    assert parse_expression("max(a, 4)").evaluate({"a": 3}) == 4.0


@pytest.mark.parametrize(
    "text", ["a / b", "__import__('os')", "a.b", "a if b else c", "a >= b >= c", "a +"]
)
def test_anything_beyond_the_small_grammar_is_refused(text):
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_unknown_names_are_refused_when_the_elements_are_known():
    with pytest.raises(ExpressionError, match="undefined data elements: nope"):
        parse_expression("a + nope", {"a"})
