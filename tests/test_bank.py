"""How a question bank is declared: ``Bank`` and its decorators, ``validates_learning_rate``."""

import pytest

from nncourse.grading.spec import Bank, Mistake, bank, validates_learning_rate


def test_ask_declares_the_decorated_function_as_the_reference_under_its_own_name():
    questions = Bank()

    @questions.ask("q1", 2, "Double", cases=({"x": 1.0},), mistakes=(Mistake("halved", "fix", lambda x: x / 2),))
    def double(x):
        return 2 * x

    @questions.ask("q2", 1, "Triple", name="times_three")
    def triple(x):
        return 3 * x

    questions.written("q3", 2, "Why")
    q1, q2, q3 = questions
    assert (q1.id, q1.points, q1.title, q1.kind, q1.name) == ("q1", 2, "Double", "function", "double")
    assert q1.reference is double and double(4) == 8  # the decorator hands the function back unchanged
    assert q1.mistakes[0].name == "halved" and q1.cases == ({"x": 1.0},)
    assert (q2.name, q2.reference) == ("times_three", triple)
    assert (q3.kind, q3.name, q3.reference) == ("manual", "", None)


def test_ask_value_declares_a_validated_value():
    questions = Bank()

    @questions.ask_value("q1", 2, "A positive number", name="answer")
    def positive(value):
        return value > 0, "must be positive"

    (q,) = questions
    assert (q.kind, q.name, q.validate, q.reference) == ("value", "answer", positive, None)


def test_questions_must_be_declared_in_order():
    questions = Bank()
    questions.written("q1", 1, "First")
    with pytest.raises(ValueError, match="expected q2; got 'q3'"):
        questions.written("q3", 1, "Third")
    with pytest.raises(ValueError, match="expected q2"):
        questions.ask("q1", 1, "Again")(lambda: 0)


@pytest.mark.parametrize("section", [f"{i:02d}" for i in range(1, 14)])
def test_every_bank_is_a_bank_numbered_from_q1(section):
    questions = list(bank(section))
    assert questions == [f"q{i}" for i in range(1, len(questions) + 1)]


def test_validates_learning_rate_passes_only_positive_numbers_on():
    seen = []

    @validates_learning_rate
    def small(lr):
        seen.append(lr)
        return lr < 1, "too large"

    assert small.__name__ == "small"
    assert small("0.5") == (True, "too large") and seen == [0.5]
    for bad in ("fast", -0.1, 0, float("nan"), None):
        ok, message = small(bad)
        assert not ok and message.startswith("lr must be a") and repr(bad) in message
    assert seen == [0.5]  # the check never saw a bad answer
