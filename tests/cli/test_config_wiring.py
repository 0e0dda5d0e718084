"""`scrubber check --config`: the configuration reaches the rules, and a bad one is one line, exit 2."""

from __future__ import annotations

import json

from scrubber.synthetic import ClaimSpec, LineSpec, render_837

CT_WITH_WEAKNESS = dict(diagnoses=["M62.81"], lines=[LineSpec("71250", charge="420.00")])


def ct_claims() -> bytes:
    return render_837(
        [
            ClaimSpec(claim_id="STRICT", payer_id="60054", **CT_WITH_WEAKNESS),
            ClaimSpec(claim_id="LENIENT", payer_id="PAYER01", **CT_WITH_WEAKNESS),
        ]
    ).encode()


def statuses(stdout: str) -> dict[str, tuple[str, list[str]]]:
    report = json.loads(stdout)
    return {c["claim_id"]: (c["status"], [f["rule"] for f in c["findings"]]) for c in report["claims"]}


def test_default_pairing_is_a_warning(cli, tmp_path):
    result = cli(
        "check", "-f", "json", "--no-structure", "-", stdin=ct_claims(), env={"XDG_CONFIG_HOME": str(tmp_path)}
    )
    found = statuses(result.stdout)
    assert found["STRICT"] == ("accepted", ["PAIR001"]) and found["LENIENT"] == ("accepted", ["PAIR001"])
    assert result.code == 0


def test_payer_override_changes_one_payer_only(cli, tmp_path):
    config = tmp_path / "scrubber.toml"
    config.write_text('[payers."60054"]\nseverity = { PAIR001 = "error" }\n')
    result = cli("check", "-f", "json", "--no-structure", "--config", str(config), "-", stdin=ct_claims())
    found = statuses(result.stdout)
    assert found["STRICT"] == ("rejected", ["PAIR001"])
    assert found["LENIENT"] == ("accepted", ["PAIR001"])
    assert result.code == 1


def test_config_in_the_working_directory_is_found(cli, tmp_path):
    (tmp_path / "scrubber.toml").write_text('[rules]\ndisable = ["PAIR001"]\n')
    result = cli("check", "-f", "json", "--no-structure", "-", stdin=ct_claims(), cwd=tmp_path)
    assert statuses(result.stdout)["STRICT"] == ("accepted", [])


def test_bad_config_is_one_line_exit_2(cli, tmp_path):
    config = tmp_path / "scrubber.toml"
    config.write_text('[rules]\nseverity = { CLM008 = "fatal" }\n')
    result = cli("check", "--config", str(config), "-", stdin=ct_claims())
    assert result.code == 2
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("scrubber: error:")]
    assert str(config) in line and "CLM008" in line
    assert "Traceback" not in result.stderr
