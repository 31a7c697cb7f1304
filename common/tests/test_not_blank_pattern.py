"""common.schema.NOT_BLANK_PATTERN: the schema's "not blank" is exactly what DRF refuses as blank."""
import re

from rest_framework import serializers

from common.schema import NOT_BLANK_PATTERN


def test_the_pattern_matches_a_character_exactly_when_python_does_not_strip_it():
    pattern = re.compile(NOT_BLANK_PATTERN)
    wrong = [hex(code) for code in range(0x110000) if bool(pattern.search(chr(code))) == chr(code).isspace()]
    assert wrong == []


def test_the_pattern_names_its_characters_and_uses_no_class_the_dialects_read_differently():
    # ECMA-262 (OpenAPI's dialect) and Python agree on literal code points and \t \n \v \f \r
    # \xHH \uHHHH; they disagree on what \s, \S, \w and \d cover.
    assert not re.search(r"\\[sSwWdD]", NOT_BLANK_PATTERN)


def test_drf_refuses_as_blank_what_the_pattern_refuses():
    field = serializers.CharField()
    for text in ("\x1e", " \x85\u3000", "\u2028\t"):
        assert not re.search(NOT_BLANK_PATTERN, text)
        try:
            field.run_validation(text)
        except serializers.ValidationError as error:
            assert error.detail == ["This field may not be blank."]
        else:
            raise AssertionError(f"{text!r} was accepted")
    for text in ("\ufeff", "\u200b", " a "):
        assert re.search(NOT_BLANK_PATTERN, text)
        assert field.run_validation(text) == text.strip()
