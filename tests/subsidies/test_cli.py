"""`flask rules`: import, export, list, load-standard."""

from __future__ import annotations

from pathlib import Path

from grants.subsidies import rulefile
from grants.subsidies.models import versions_of
from tests.subsidies.helpers import ballerup_source, count_rule_sets, write


def test_export_then_import_adds_an_identical_version(youth, runner, tmp_path):
    target = tmp_path / "ungdom.toml"

    exported = runner.invoke(args=["rules", "export", "ungdomsrejser", "-o", str(target)])
    assert exported.exit_code == 0, exported.output
    assert target.read_text(encoding="utf-8") == ballerup_source("ungdomsrejser")

    imported = runner.invoke(args=["rules", "import", str(target)])
    assert imported.exit_code == 0, imported.output
    assert imported.output == (
        "Loaded ungdomsrejser version 2: Ungdomsrejser til venskabs- og partnerbyer "
        "(valid from 2014-08-25).\n"
    )
    newest, first = versions_of(youth.youth_fund)
    assert (newest.version, newest.rules, newest.source) == (2, first.rules, first.source)


def test_export_to_standard_output_by_version_and_normalised(youth, runner):
    result = runner.invoke(args=["rules", "export", "vaertskab", "--version", "1"])
    assert result.exit_code == 0
    assert result.output == ballerup_source("vaertskab")

    normalised = runner.invoke(args=["rules", "export", "vaertskab", "--normalised"])
    assert rulefile.parse(normalised.output) == versions_of(youth.hosting_fund)[0].rules

    missing = runner.invoke(args=["rules", "export", "vaertskab", "--version", "9"])
    assert missing.exit_code == 1
    assert "vaertskab has no rule set version 9." in missing.output


def test_an_invalid_file_is_refused_naming_the_line_and_nothing_is_loaded(youth, runner, tmp_path):
    broken = ballerup_source("ungdomsrejser").replace('per = "night"', 'per = "nat"')
    path = write(tmp_path, "broken.toml", broken)
    before = count_rule_sets()

    result = runner.invoke(args=["rules", "import", str(path)])

    assert result.exit_code == 1
    line = broken.splitlines().index('per = "nat"') + 1
    assert f'broken.toml: Linje {line}: rate.per: skal være en af: "night", "day"' in result.output
    assert "nothing was loaded" in result.output
    assert count_rule_sets() == before


def test_import_into_a_fund_named_on_the_command_line(youth, runner, tmp_path):
    without_fund = ballerup_source("ungdomsrejser").replace('fund = "ungdomsrejser"\n', "")
    path = write(tmp_path, "nofund.toml", without_fund)

    refused = runner.invoke(args=["rules", "import", str(path)])
    assert refused.exit_code == 1
    assert "fund: angiv hvilken pulje reglerne er til" in refused.output

    loaded = runner.invoke(args=["rules", "import", str(path), "--fund", "wuxi-udveksling"])
    assert loaded.exit_code == 0, loaded.output
    assert versions_of(youth.wuxi_fund)[0].version == 2

    unknown = runner.invoke(args=["rules", "import", str(path), "--fund", "nope"])
    assert unknown.exit_code == 1
    assert "No fund with the code 'nope': " in unknown.output
    assert_says_where_funds_are_made(unknown.output)


def assert_says_where_funds_are_made(output: str) -> None:
    text = " ".join(output.split())
    assert "Administration → Puljer → Opret en pulje (/administration/puljer/ny)" in text
    assert "kommuneprofil (flask profile import)" in text


def test_import_into_a_fund_that_does_not_exist_says_where_funds_are_made(youth, runner, tmp_path):
    source = ballerup_source("ungdomsrejser").replace(
        'fund = "ungdomsrejser"', 'fund = "ungdomsrejser-2027"'
    )
    path = write(tmp_path, "ny.toml", source)
    before = count_rule_sets()

    result = runner.invoke(args=["rules", "import", str(path)])

    assert result.exit_code == 1
    assert "ny.toml: Linje 6: fund: der er ingen pulje med koden ungdomsrejser-2027" in (
        " ".join(result.output.split())
    )
    assert "(puljerne er: ungdomsrejser, vaertskab, wuxi-udveksling)" in result.output
    assert_says_where_funds_are_made(result.output)
    assert count_rule_sets() == before
    # The page it names is where an administrator makes a fund.
    docs = (Path(__file__).resolve().parents[2] / "docs" / "rules-format.md").read_text()
    assert "/administration/puljer/ny" in docs and "flask profile import" in docs


def test_list_and_load_standard(youth, runner):
    listed = runner.invoke(args=["rules", "list"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ungdomsrejser", "v1"],
        ["vaertskab", "v1"],
        ["wuxi-udveksling", "v1"],
    ]
    assert "2014-08-25 –" in lines[0]

    again = runner.invoke(args=["rules", "load-standard"])
    assert again.exit_code == 0
    assert "nothing changed" in again.output
