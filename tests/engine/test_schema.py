"""Model validation: every error says where (line, field) and what."""

import textwrap

import pytest

from becoming.engine import ModelError, check_attributes, parse_model, parse_model_data

GOOD = """\
vision: Plant managers who run predictive maintenance across every site.
attributes:
  plan: text
  seats: number
dimensions:
  - key: practice
    name: Use the product differently
    weight: 2
    target: proficient
    stages:
      - {key: starting, name: Starting}
      - key: adopting
        name: Adopting
        when:
          - event: {type: report_exported, within: 90d, at_least: 3}
      - key: proficient
        name: Proficient
        when:
          - event: {type: workflow_created, at_least: 5}
          - attribute: {name: plan, in: [pro, enterprise]}
          - answer: {question: teaches_peers, at_least: 4}
          - not: {attribute: {name: seats, at_most: 1}}
"""


def errors_of(text):
    with pytest.raises(ModelError) as info:
        parse_model(text)
    return info.value.errors


def only(errors):
    assert len(errors) == 1, errors
    return errors[0]


def replace(old, new):
    assert old in GOOD
    return GOOD.replace(old, new)


def test_good_model_parses_and_round_trips():
    model = parse_model(GOOD)
    assert model.dimensions[0].weight == 2
    assert model.dimensions[0].target_index == 2
    assert parse_model_data(model.to_dict()) == model


def test_yaml_syntax_error_has_its_line():
    err = only(errors_of("vision: x\ndimensions: [\n  {key: a\n  - b: c\n"))
    assert err.line == 4 and err.message.startswith("YAML syntax error")


def test_unknown_key_is_reported_with_suggestion():
    err = only(errors_of(replace("    target: proficient", "    target: proficient\n    taget: x")))
    assert (err.line, err.field) == (10, "dimensions[0].taget")
    assert err.message.startswith("unknown field 'taget'")
    assert "did you mean 'target'" in err.message


def test_missing_key_points_at_its_parent():
    err = only(errors_of(replace("    name: Use the product differently\n", "")))
    assert (err.line, err.field) == (6, "dimensions[0].name")
    assert err.message == "missing required field 'name'"


def test_duplicate_stage_key():
    err = errors_of(replace("key: proficient\n", "key: adopting\n"))[0]
    assert (err.line, err.field) == (16, "dimensions[0].stages[2].key")
    assert err.message == "duplicate stage key 'adopting'"


def test_duplicate_dimension_key():
    body = GOOD.split("dimensions:\n", 1)[1]
    errs = errors_of(GOOD + body)
    err = only(errs)
    assert err.field == "dimensions[1].key" and err.line == 23
    assert err.message == "duplicate dimension key 'practice'"


def test_target_not_a_stage():
    err = only(errors_of(replace("target: proficient", "target: expert")))
    assert (err.line, err.field) == (9, "dimensions[0].target")
    assert err.message == "target 'expert' is not one of the stages: starting, adopting, proficient"


def test_target_first_stage():
    err = only(errors_of(replace("target: proficient", "target: starting")))
    assert err.field == "dimensions[0].target" and "first stage" in err.message


def test_bad_window():
    err = only(errors_of(replace("within: 90d", "within: 90x")))
    assert (err.line, err.field) == (15, "dimensions[0].stages[1].when[0].event.within")
    assert err.message == "window '90x' is not a number followed by d, w, m or y"


def test_unknown_measure():
    err = only(errors_of(replace("within: 90d,", "within: 90d, measure: avg,")))
    assert (err.line, err.field) == (15, "dimensions[0].stages[1].when[0].event.measure")
    assert err.message.startswith("unknown measure 'avg'")


def test_unknown_attribute_type():
    err = only(errors_of(replace("seats: number", "seats: integer")))
    assert (err.line, err.field) == (4, "attributes.seats")
    assert err.message.startswith("unknown attribute type 'integer'")


def test_criterion_with_two_kinds():
    text = replace("          - answer: {question: teaches_peers, at_least: 4}\n",
                   "          - answer: {question: teaches_peers, at_least: 4}\n"
                   "            event: {type: x, at_least: 1}\n")
    err = only(errors_of(text))
    assert (err.line, err.field) == (21, "dimensions[0].stages[2].when[2]")
    assert "exactly one kind, found 2 (answer, event)" in err.message


def test_criterion_with_no_kind():
    err = only(errors_of(replace("- answer: {question: teaches_peers, at_least: 4}", "- {}")))
    assert (err.line, err.field) == (21, "dimensions[0].stages[2].when[2]")
    assert err.message.startswith("a criterion needs one of")


def test_first_stage_cannot_have_criteria():
    err = only(errors_of(replace("{key: starting, name: Starting}",
                                 "{key: starting, name: Starting, when: [{event: {type: a, "
                                 "at_least: 1}}]}")))
    assert (err.line, err.field) == (11, "dimensions[0].stages[0].when")
    assert "first stage cannot have 'when'" in err.message


def test_weight_must_be_positive():
    err = only(errors_of(replace("weight: 2", "weight: 0")))
    assert (err.line, err.field) == (8, "dimensions[0].weight")
    assert err.message == "weight must be greater than 0, got 0"


def test_non_numeric_threshold():
    err = only(errors_of(replace("at_least: 5}", "at_least: five}")))
    assert (err.line, err.field) == (19, "dimensions[0].stages[2].when[0].event.at_least")
    assert err.message == "threshold 'five' is not a number"


def test_all_errors_are_collected_and_str_has_one_line_each():
    text = replace("weight: 2", "weight: -1").replace("within: 90d", "within: soon")
    with pytest.raises(ModelError) as info:
        parse_model(text)
    assert len(info.value.errors) == 2
    assert str(info.value).splitlines() == [
        "line 8: dimensions[0].weight: weight must be greater than 0, got -1",
        ("line 15: dimensions[0].stages[1].when[0].event.within: "
         "window 'soon' is not a number followed by d, w, m or y")]


def test_json_input_has_no_lines():
    data = parse_model(GOOD).to_dict()
    data["dimensions"][0]["weight"] = "heavy"
    with pytest.raises(ModelError) as info:
        parse_model_data(data)
    err = only(info.value.errors)
    assert (err.line, err.field) == (None, "dimensions[0].weight")
    assert str(info.value) == "dimensions[0].weight: weight 'heavy' is not a number"


def test_yes_stays_text():
    model = parse_model(replace("in: [pro, enterprise]", "equals: Yes"))
    leaf = model.dimensions[0].stages[2].when[1]
    assert leaf.value == "Yes"


def test_check_attributes_unknown_attribute_and_type_mismatch():
    model = parse_model(textwrap.dedent("""\
        vision: v
        dimensions:
          - key: d
            name: D
            target: b
            stages:
              - {key: a, name: A}
              - key: b
                name: B
                when:
                  - attribute: {name: region, equals: EU}
                  - attribute: {name: plan, at_least: 3}
                  - attribute: {name: seats, equals: many}
        """))
    issues = check_attributes(model, {"plan": "text", "seats": "number"})
    assert [(i.line, i.field) for i in issues] == [
        (11, "dimensions[0].stages[1].when[0].attribute.name"),
        (12, "dimensions[0].stages[1].when[1].attribute.name"),
        (13, "dimensions[0].stages[1].when[2].attribute.name")]
    assert issues[0].message == "unknown attribute 'region'"
    assert "is text; at_least/at_most need a number or date" in issues[1].message
    assert issues[2].message == "value 'many' cannot be compared with number attribute 'seats'"
    # Declared attributes count as known even when the data lacks them.
    assert check_attributes(parse_model(GOOD), {}) == []


def test_a_missing_top_level_field_is_reported_not_looped_on():
    """A model without `vision` once sent the line lookup into an endless loop."""
    with pytest.raises(ModelError) as caught:
        parse_model("dimensions: []\n")
    assert any(i.field == "vision" for i in caught.value.errors)


# --- limits: refused before the document is built ------------------------------------------


def billion_laughs(levels: int) -> str:
    """Each level holds ten aliases of the one before: 10**levels strings from ~50*levels bytes."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nvision: *a{levels - 1}\n"


def test_an_alias_bomb_is_refused_before_it_expands():
    # Nine levels: a billion strings if expanded; refused at the first anchor instead.
    err = only(errors_of(billion_laughs(9)))
    assert (err.line, err.message) == (
        1, "YAML anchors (&a0) are not supported in a model; write the value out in full")


def test_an_alias_is_refused_with_its_line():
    text = GOOD.replace("  seats: number", "  seats: number\n  other: *plan")
    err = only(errors_of(text))
    assert (err.line, err.message) == (
        5, "YAML aliases (*plan) are not supported in a model; write the value out in full")


def nested_not(levels: int) -> dict:
    criterion = {"event": {"type": "x", "at_least": 1}}
    for _ in range(levels):
        criterion = {"not": criterion}
    return {"vision": "v", "dimensions": [{"key": "d", "name": "D", "target": "b", "stages": [
        {"key": "a", "name": "A"}, {"key": "b", "name": "B", "when": [criterion]}]}]}


@pytest.mark.parametrize("text", [
    "vision: " + "[" * 1000 + "]" * 1000 + "\n",
    "vision: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n",
    "".join("  " * i + "-\n" for i in range(100)),
])
def test_deep_yaml_is_a_model_error_not_a_recursion_error(text):
    err = only(errors_of(text))
    assert err.message == "nested more than 50 levels deep"
    assert err.line is not None


def test_deep_json_is_a_model_error_not_a_recursion_error():
    with pytest.raises(ModelError) as info:
        parse_model_data(nested_not(1000))
    (err,) = info.value.errors
    assert err.message == "nested more than 50 levels deep"
    assert err.field.startswith("dimensions[0].stages[1].when[0].not.not.not")


def test_a_reasonably_nested_model_still_parses():
    assert parse_model_data(nested_not(20)).dimensions[0].key == "d"


def test_too_big_is_refused():
    err = only(errors_of("vision: '" + "x" * 300_000 + "'\n"))
    assert err.message == "the model is 300,011 bytes; at most 262,144 are accepted"


def test_too_many_json_values_are_refused():
    data = {"vision": "v", "dimensions": [{"key": f"d{i}"} for i in range(30_000)]}
    with pytest.raises(ModelError, match="the model has more than 50,000 values"):
        parse_model_data(data)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "9" * 5000, "!!int nine"])
def test_a_number_that_is_no_number_is_an_error(value):
    errs = errors_of(replace("    weight: 2", f"    weight: {value}"))
    assert [e.field for e in errs] == ["dimensions[0].weight"]
