"""The bank reader, validator and linter, without Flask or a database."""

import json
import time
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.banks import spec
from quiz.banks.loader import load_catalog
from quiz.banks.reader import MAX_BYTES, read

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "questions"
BANK_FILES = sorted(p for p in QUESTIONS.glob("*.yaml")
                    if p.name not in ("sources.yaml", "events.yaml"))


def test_the_real_banks_lint_clean():
    catalog = load_catalog(QUESTIONS)
    assert [str(p) for p in catalog.errors] == []
    assert sum(len(b.questions) for b in catalog.banks.values()) >= 200


def test_each_real_file_is_linted_in_well_under_a_second():
    for path in BANK_FILES:
        start = time.perf_counter()
        load_catalog(QUESTIONS, only=[path])
        assert time.perf_counter() - start < 0.5, path.name


@pytest.mark.parametrize("name", list(spec.SCHEMAS))
def test_the_committed_json_schemas_are_up_to_date(name):
    committed = (QUESTIONS / name).read_text(encoding="utf-8")
    assert committed == spec.json_schema(spec.SCHEMAS[name]), (
        f"questions/{name} is stale: run `flask --app app questions schema`")


@pytest.mark.parametrize("path", BANK_FILES, ids=[p.stem for p in BANK_FILES])
def test_every_bank_names_the_schema_and_validates_against_it(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=schema.json\n")
    schema = json.loads((QUESTIONS / "schema.json").read_text())
    jsonschema.validate(yaml.safe_load(text), schema)


def test_the_schema_flags_what_an_editor_should_underline():
    schema = json.loads((QUESTIONS / "schema.json").read_text())
    bad = {"title": "t", "description": "d", "questions": [
        {"id": "x", "type": "true_false", "prompt": "p", "anwser": True, "explanation": "e",
         "source": {"article": "a", "section": "s"}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_every_field_in_the_schema_has_a_description_for_editor_hover_text():
    schema = json.loads((QUESTIONS / "schema.json").read_text())
    for name, definition in schema["$defs"].items():
        if name == "Choice" or "properties" not in definition:
            continue
        for field, body in definition["properties"].items():
            assert body.get("description"), f"{name}.{field} has no description"


def test_files_over_the_size_limit_are_refused_before_parsing():
    doc = read("big.yaml", b"a: " + b"x" * MAX_BYTES)
    assert [p.code for p in doc.problems] == ["too-large"] and doc.data is None


def test_a_byte_order_mark_is_accepted():
    assert read("bom.yaml", "\ufefftitle: x\n".encode()).data == {"title": "x"}


def test_aliases_are_refused_so_billion_laughs_cannot_expand():
    laughs = b'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    doc = read("laughs.yaml", laughs)
    assert doc.data is None and doc.problems[0].code == "anchor"


def test_python_tags_never_construct_objects():
    doc = read("evil.yaml", b"a: !!python/object/apply:os.system ['echo pwned']\n")
    assert doc.data is None and doc.problems[0].code == "tag"


def test_unquoted_dates_stay_text():
    assert read("d.yaml", b"date: 1971-08-09\n").data == {"date": "1971-08-09"}


def _lint_bytes(tmp_path: Path, raw: bytes) -> None:
    target = tmp_path / "fuzz.yaml"
    target.write_bytes(raw)
    catalog = load_catalog(QUESTIONS, only=[target])
    for problem in catalog.problems:
        assert problem.line >= 1 and problem.col >= 1 and problem.severity in ("error",
                                                                               "warning")


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400))
def test_arbitrary_bytes_only_ever_produce_lint_errors(tmp_path, raw):
    _lint_bytes(tmp_path, raw)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_arbitrary_text_only_ever_produces_lint_errors(tmp_path, text):
    _lint_bytes(tmp_path, text.encode("utf-8", "surrogatepass"))


YAMLISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=20), st.sampled_from(list(spec.TYPES) + ["cold-war", "india"])),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(sorted(spec.FIELD_NAMES) + ["x"]), children,
                        max_size=6)),
    max_leaves=25)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=YAMLISH)
def test_arbitrary_yaml_structures_only_ever_produce_lint_errors(tmp_path, question):
    bank = {"title": "t", "description": "d", "era": "cold-war", "tags": ["india"],
            "questions": [question]}
    _lint_bytes(tmp_path, yaml.safe_dump(bank).encode())


@pytest.mark.parametrize(("name", "schema"), [("sources.yaml", "schema-sources.json"),
                                              ("events.yaml", "schema-events.json")])
def test_sources_and_events_name_their_own_schema_and_validate_against_it(name, schema):
    text = (QUESTIONS / name).read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema={schema}\n")
    jsonschema.validate(yaml.safe_load(text), json.loads((QUESTIONS / schema).read_text()))
