"""kopa resolves plain scalars itself (for speed); it must agree with ruamel.yaml's YAML 1.2 resolver."""

from hypothesis import given, strategies as st
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver

from kopa_cli.load.yamlparse import resolve_tag

SAMPLES = [
    "", "~", "null", "Null", "NULL", "nul", "true", "True", "TRUE", "tRue", "false", "yes", "no", "on",
    "0", "12", "-3", "+4", "007", "0o17", "0x1F", "0b101", "1_000", "1.5", "-.5", ".5", "5.", "1e3",
    "1.5E-3", ".inf", "-.Inf", ".NaN", "nan", "2019-12-13", "2019-1-3", "2019-12-13T10:00:00",
    "2019-12-13 10:00:00.5 +02:00", "2019-12-13x", "0208202-2", "5000.00", "12:30", "1,5", "kajaani",
    "-", "+", ".", "--", "-1-", "2019-12", "Infinity", "0.", "+.5e+3",
]


def ruamel_tag(value: str) -> str:
    resolver = VersionedResolver()
    return str(resolver.resolve(ScalarNode, value, (True, False)))


def test_plain_scalars_resolve_as_in_ruamel():
    assert {v: resolve_tag(ScalarNode, v, (True, False)) for v in SAMPLES} == {v: ruamel_tag(v) for v in SAMPLES}


@given(st.text(alphabet="0123456789-+.:eExo_ TtnNaAfFlLsuU~", max_size=12))
def test_generated_plain_scalars_resolve_as_in_ruamel(value):
    value = value.strip()
    assert resolve_tag(ScalarNode, value, (True, False)) == ruamel_tag(value)


def test_quoted_scalars_are_text():
    assert resolve_tag(ScalarNode, "12", (False, True)).endswith(":str")
    assert resolve_tag(ScalarNode, "", (False, True)).endswith(":str")
