"""Policy packs: strict TOML models, the default pack, user packs merged by entry id."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from scrubber.refdata.policies import PolicyPackError, default_pack_path, load_pack, load_policies

DAY = dt.date(2026, 3, 2)

USER_PACK = """
[pack]
name = "acme"

[[policy]]
id = "L33459-ct-thorax"          # replaces the default entry
procedures = ["71250"]
supported = ["R05"]
effective_from = 2020-01-01
payers = ["ACME1"]
indications = "Cough only (made-up payer policy)."
documentation = "Document the cough."
[policy.citation]
source = "payer-policy"
publisher = "Acme Health"
title = "Chest imaging"
date = 2026-01-01

[[denied]]
id = "acme-lipid-routine"
procedures = ["80061"]
diagnoses = ["Z00.00-Z00.01"]
effective_from = 2020-01-01
reason = "Routine examinations are not covered for this test (made-up)."
[denied.citation]
source = "payer-policy"
publisher = "Acme Health"
title = "Laboratory screening"
date = 2026-01-01
"""


def write(tmp_path: Path, text: str, name: str = "pack.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_default_pack_loads_and_every_entry_is_cited_and_dated() -> None:
    pack = load_pack(default_pack_path())
    assert pack.policy, "the default pack ships entries"
    for entry in [*pack.policy, *pack.denied]:
        assert entry.citation.title and (entry.citation.id or entry.citation.publisher)
        assert entry.effective_from <= DAY


def test_default_pack_ships_no_cpt_descriptions() -> None:
    """Procedures are bare numbers; descriptive text may only be ours (indications, notes)."""
    pack = load_pack(default_pack_path())
    for entry in pack.policy:
        assert all(re.fullmatch(r"[0-9A-Z]{5}(-[0-9A-Z]{5})?", p) for p in entry.procedures)


def test_ct_thorax_entry_follows_l33459() -> None:
    (policy,) = load_policies().support_for("71250", DAY)
    assert policy.citation.id == "L33459"
    assert policy.supports("R05.9") and policy.supports("R91.1") and policy.supports("G70.00")
    assert not policy.supports("M62.81")
    assert "myasthenia" in policy.note_for("M62.81")


def test_unknown_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, USER_PACK.replace('reason = "Routine', 'reasn = "x"\nreason = "Routine'))
    with pytest.raises(PolicyPackError) as caught:
        load_pack(path)
    assert str(caught.value) == f"{path}: denied[0].reasn: unknown key"


def test_entry_without_a_usable_citation_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, USER_PACK.replace('publisher = "Acme Health"\ntitle = "Chest imaging"', 'title = "x"'))
    with pytest.raises(PolicyPackError, match=r"policy\[0\]\.citation: .*publisher"):
        load_pack(path)


def test_bad_code_and_bad_toml_are_one_line_errors(tmp_path: Path) -> None:
    path = write(tmp_path, USER_PACK.replace('supported = ["R05"]', 'supported = ["cough"]'))
    with pytest.raises(PolicyPackError, match=r"policy\[0\]\.supported: .*'cough' is not a diagnosis code"):
        load_pack(path)
    broken = write(tmp_path, "[pack\n", "broken.toml")
    with pytest.raises(PolicyPackError, match=r"broken\.toml: not valid TOML"):
        load_pack(broken)


def test_user_pack_replaces_by_id_and_is_limited_to_its_payers(tmp_path: Path) -> None:
    policies = load_policies([write(tmp_path, USER_PACK)])
    assert policies.packs == ["default", "acme"]
    assert policies.support_for("71250", DAY, "OTHER") == []  # the default entry was replaced
    (acme,) = policies.support_for("71250", DAY, "ACME1")
    assert acme.citation.publisher == "Acme Health"
    (denied,) = policies.denials_for("80061", DAY, "ANY")
    assert denied.denies("Z00.00") and not denied.denies("Z00.1")


def test_entries_outside_their_dates_do_not_apply() -> None:
    policies = load_policies()
    assert policies.support_for("71271", dt.date(2020, 12, 31)) == []
    assert len(policies.support_for("71271", dt.date(2021, 1, 1))) == 1
