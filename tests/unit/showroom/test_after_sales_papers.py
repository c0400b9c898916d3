"""The after-sales papers (issue 24): ``showroom print`` knows them, their templates load."""

from __future__ import annotations

import pytest

from db.models import DocumentKind
from showroom.documents import archive
from showroom.documents.templates import load_template


@pytest.mark.parametrize(
    "kind", ["return", "return-agreement", "warranty", "warranty-claim", "purchase"]
)
def test_print_knows_the_new_kinds_as_archived_contract_papers(kind: str) -> None:
    assert archive.parse_kind(kind) is DocumentKind.CONTRACT
    assert archive.number_for(kind, "BJ01-T2026-000001") == "BJ01-T2026-000001"


@pytest.mark.parametrize(
    ("name", "title", "needed"),
    [
        ("return_agreement", "退车协议", {"return_no", "refund_capitals", "contract_no"}),
        ("warranty_claim", "保修索赔单", {"claim_no", "customer_cost_capitals", "within"}),
        ("purchase_agreement", "二手车收购协议", {"purchase_no", "price_capitals", "statements"}),
    ],
)
def test_the_shipped_templates_load_and_print_their_figures_in_capitals(
    name: str, title: str, needed: set[str]
) -> None:
    template = load_template(None, name)
    assert template.title == title and template.kind == "contract"
    assert needed <= template.placeholders()
    assert len(template.fill({})[2]) == 2  # two signature boxes
