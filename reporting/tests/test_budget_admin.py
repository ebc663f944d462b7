"""Finance staff keep the budget in the admin: splits shown, bad input refused with a clear
message and nothing changed, scans checked and kept private, every change in the history."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.budget import validators
from reporting.budget.models import Budget, BudgetHeading, Expenditure, FundingSource
from reporting.groups import FINANCE_STAFF
from reporting.tests.budget_factories import (
    BudgetFactory,
    BudgetHeadingFactory,
    ExpenditureFactory,
    FundingSourceFactory,
    published_split,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def finance(client):
    user = User.objects.create_user("finance", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=FINANCE_STAFF))
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def budget():
    budget = BudgetFactory()
    published_split(budget)
    return budget


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def source_form(budget, **changes):
    data = {
        "budget": budget.pk,
        "parent": "",
        "name_lv": "Cits avots",
        "name_en": "Another source",
        "kind": FundingSource.Kind.CO_FINANCING,
        "share": "5",
        "required_minimum_share": "",
        "order": "3",
    }
    return {**data, **changes}


def expenditure_form(heading, **changes):
    data = {
        "heading": heading.pk,
        "date": "15.04.2021",
        "amount": "1000.00",
        "supplier": "SIA Piegādātājs",
        "document_number": "R-1",
        "eligible": "on",
        "note": "",
    }
    return {**data, **changes}


def test_budget_page_shows_the_split_per_source_to_the_euro(finance, budget):
    response = finance.get(reverse("admin:reporting_budget_change", args=[budget.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    for amount in ("1\xa0810\xa0444,00 EUR", "201\xa0161,00 EUR", "1\xa0538\xa0877,00 EUR"):
        assert amount in page
    assert "271\xa0567,00 EUR" in page


def test_budget_page_says_when_the_split_is_incomplete(finance, english):
    budget = BudgetFactory()
    FundingSourceFactory(budget=budget, share=90)

    response = finance.get(reverse("admin:reporting_budget_change", args=[budget.pk]))

    assert "add up to 90%, not 100%: the split is incomplete" in response.content.decode()


def test_co_financing_minimum_is_checked_on_the_budget_page(finance, budget, english):
    response = finance.get(reverse("admin:reporting_budget_change", args=[budget.pk]))

    assert "Municipality: 10% of the total, at least 10% required: met." in (
        response.content.decode()
    )


def test_a_source_that_takes_its_level_over_100_percent_is_refused(finance, budget, english):
    before = FundingSource.objects.count()

    response = finance.post(
        reverse("admin:reporting_fundingsource_add"), source_form(budget, share="5")
    )

    assert response.status_code == 200
    assert "The shares of the total cost add up to 105%, more than 100%." in (
        response.content.decode()
    )
    assert FundingSource.objects.count() == before


def test_raising_a_childs_share_over_its_parents_100_percent_is_refused(finance, budget):
    nfm = FundingSource.objects.get(name_en="NFM")

    response = finance.post(
        reverse("admin:reporting_fundingsource_change", args=[nfm.pk]),
        source_form(budget, parent=nfm.parent_id, name_lv=nfm.name_lv, kind="grant", share="90"),
    )

    assert response.status_code == 200
    assert "105%" in response.content.decode()
    nfm.refresh_from_db()
    assert nfm.share == Decimal("85")


def test_a_source_cannot_be_part_of_itself(finance, budget, english):
    grant = FundingSource.objects.get(name_en="EEA and Norway Grants")
    nfm = FundingSource.objects.get(name_en="NFM")

    response = finance.post(
        reverse("admin:reporting_fundingsource_change", args=[grant.pk]),
        source_form(budget, parent=nfm.pk, name_lv=grant.name_lv, kind="grant", share="90"),
    )

    assert "A source cannot be a part of itself." in response.content.decode()
    grant.refresh_from_db()
    assert grant.parent is None


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-10.00", "An amount must be more than 0."),
        ("0", "An amount must be more than 0."),
        ("50000000.00", "is not a credible amount"),
        ("2500000.00", "is more than the budget&#x27;s whole total cost"),
    ],
)
def test_a_negative_or_absurd_expenditure_is_refused_and_nothing_saved(
    finance, budget, english, amount, message
):
    heading = BudgetHeadingFactory(budget=budget)

    response = finance.post(
        reverse("admin:reporting_expenditure_add"), expenditure_form(heading, amount=amount)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Expenditure.objects.exists()


def test_the_refusal_is_in_latvian_by_default(finance, budget):
    heading = BudgetHeadingFactory(budget=budget)

    response = finance.post(
        reverse("admin:reporting_expenditure_add"), expenditure_form(heading, amount="-1")
    )

    assert "Summai jābūt lielākai par 0." in response.content.decode()


def test_expenditure_is_entered_with_who_and_shows_its_split(finance, budget):
    heading = BudgetHeadingFactory(budget=budget)

    response = finance.post(reverse("admin:reporting_expenditure_add"), expenditure_form(heading))

    assert response.status_code == 302
    expenditure = Expenditure.objects.get()
    assert expenditure.created_by == finance.user
    assert expenditure.date == datetime.date(2021, 4, 15)
    page = finance.get(reverse("admin:reporting_expenditure_change", args=[expenditure.pk]))
    text = page.content.decode()
    # 1 000,00: grant 900,00 (NFM 765,00 + state 135,00), municipality 100,00.
    for amount in ("900,00 EUR", "765,00 EUR", "135,00 EUR", "100,00 EUR"):
        assert amount in text


def test_every_change_keeps_who_when_before_and_after(finance, budget):
    expenditure = ExpenditureFactory(heading=BudgetHeadingFactory(budget=budget))
    url = reverse("admin:reporting_expenditure_change", args=[expenditure.pk])
    form = expenditure_form(expenditure.heading, amount="1234.56", document_number="R-9")

    finance.post(url, form)

    latest, first = expenditure.history.all()[:2]
    assert latest.history_user == finance.user
    assert (first.amount, latest.amount) == (Decimal("1000.00"), Decimal("1234.56"))
    changes = {
        change.field: (change.old, change.new) for change in latest.diff_against(first).changes
    }
    assert changes["amount"] == (Decimal("1000.00"), Decimal("1234.56"))
    history_page = finance.get(
        reverse("admin:reporting_expenditure_history", args=[expenditure.pk])
    )
    assert history_page.status_code == 200
    text = " ".join(history_page.content.decode().split())
    assert "finance" in text
    assert "1000.00 &nbsp;&rarr;&nbsp;&nbsp;1234.56" in text  # before -> after


def test_budget_and_source_changes_keep_history_too(finance, budget):
    municipality = FundingSource.objects.get(name_en="Municipality")
    finance.post(
        reverse("admin:reporting_budget_change", args=[budget.pk]),
        {
            "programme": budget.programme_id,
            "total_cost": "2011606.00",
            "currency": "EUR",
            "grant_rounding_unit": "0.01",
        },
    )
    finance.post(
        reverse("admin:reporting_fundingsource_change", args=[municipality.pk]),
        source_form(budget, name_lv=municipality.name_lv, name_en="Daugavpils", share="10"),
    )

    assert Budget.history.latest().history_user == finance.user
    assert Budget.history.latest().total_cost == Decimal("2011606.00")
    assert FundingSource.history.filter(id=municipality.pk).latest().name_en == "Daugavpils"


def test_a_heading_with_spending_is_not_deleted_and_staff_are_told_why(finance, budget, english):
    heading = BudgetHeadingFactory(budget=budget, name_lv="Aprīkojums")
    ExpenditureFactory(heading=heading)
    url = reverse("admin:reporting_budgetheading_delete", args=[heading.pk])

    asked = finance.get(url)
    response = finance.post(url, {"post": "yes"})

    assert asked.status_code == 200
    assert response.status_code == 200
    assert any("has 1 expenditure item" in text for text in messages_of(response))
    assert BudgetHeading.objects.filter(pk=heading.pk).exists()


def test_the_bulk_delete_of_a_heading_with_spending_deletes_nothing(finance, budget):
    heading = BudgetHeadingFactory(budget=budget)
    ExpenditureFactory(heading=heading)

    response = finance.post(
        reverse("admin:reporting_budgetheading_changelist"),
        {"action": "delete_selected", "_selected_action": [heading.pk], "post": "yes"},
    )

    assert response.status_code == 200
    assert BudgetHeading.objects.filter(pk=heading.pk).exists()


def test_an_empty_heading_can_be_deleted(finance, budget):
    heading = BudgetHeadingFactory(budget=budget)

    finance.post(
        reverse("admin:reporting_budgetheading_delete", args=[heading.pk]), {"post": "yes"}
    )

    assert not BudgetHeading.objects.filter(pk=heading.pk).exists()


# --- scans ------------------------------------------------------------------------------------


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content"), [("rekins.pdf", PDF), ("ceks.PNG", PNG), ("foto.jpg", b"\xff\xd8\xff\xe0")]
)
def test_a_pdf_jpeg_or_png_scan_is_attached(finance, budget, name, content):
    heading = BudgetHeadingFactory(budget=budget)

    response = finance.post(
        reverse("admin:reporting_expenditure_add"),
        expenditure_form(heading, scan=upload(name, content)),
    )

    assert response.status_code == 302
    assert Expenditure.objects.get().scan.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rekins.html", b"<html>", "Attach the scan as a PDF, JPEG or PNG file."),
        ("rekins.pdf", b"MZ\x90\x00 not a pdf", "The file&#x27;s content is not a PDF file."),
        ("rekins.png", PDF, "is not a PNG file"),
    ],
)
def test_a_scan_of_the_wrong_type_is_refused(finance, budget, english, name, content, message):
    heading = BudgetHeadingFactory(budget=budget)

    response = finance.post(
        reverse("admin:reporting_expenditure_add"),
        expenditure_form(heading, scan=upload(name, content)),
    )

    assert message in response.content.decode()
    assert not Expenditure.objects.exists()


def test_a_scan_over_the_size_limit_is_refused(finance, budget, english, monkeypatch):
    monkeypatch.setattr(validators, "MAX_SCAN_BYTES", len(PDF) - 1)
    heading = BudgetHeadingFactory(budget=budget)

    response = finance.post(
        reverse("admin:reporting_expenditure_add"),
        expenditure_form(heading, scan=upload("rekins.pdf", PDF)),
    )

    assert "The scan is too large" in response.content.decode()
    assert not Expenditure.objects.exists()


def test_the_scan_is_downloaded_through_the_admin_by_finance_staff_only(client, finance, budget):
    expenditure = ExpenditureFactory(
        heading=BudgetHeadingFactory(budget=budget), scan=upload("rekins.pdf", PDF)
    )
    url = reverse("admin:reporting_expenditure_scan", args=[expenditure.pk])
    page = finance.get(reverse("admin:reporting_expenditure_change", args=[expenditure.pk]))

    response = finance.get(url)

    assert f'href="{url}"' in page.content.decode()
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    outsider = User.objects.create_user("programme", password="x", is_staff=True)
    outsider.groups.add(Group.objects.get(name="Programme staff"))
    other = type(client)()
    other.force_login(outsider)
    assert other.get(url).status_code == 403
    assert type(client)().get(url).status_code == 302  # anonymous: to the login page


@pytest.mark.parametrize("changelist", ["expenditure", "budgetheading", "fundingsource"])
def test_lists_read_the_database_a_fixed_number_of_times(finance, budget, changelist):
    url = reverse(f"admin:reporting_{changelist}_changelist")

    def queries_with(count):
        for number in range(count):
            ExpenditureFactory(heading=BudgetHeadingFactory(budget=budget))
            other = BudgetFactory(programme__project_number=f"P-{count}-{number}")
            FundingSourceFactory(budget=other)
        with CaptureQueriesContext(connection) as queries:
            assert finance.get(url).status_code == 200
        return len(queries.captured_queries)

    finance.get(url)  # the session and content types, read once
    assert queries_with(1) == queries_with(10)
