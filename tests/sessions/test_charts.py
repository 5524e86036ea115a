"""The one chart helper of pages and documents, and its one rounding rule."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation

from sessions.charts import PRINT, SCREEN, bar_length, rate_chart, rate_text


@dataclass
class Row:
    label: str
    rate: Decimal | None


def test_a_rate_is_printed_as_the_tables_print_it():
    with translation.override("fr"):
        assert rate_text(Decimal("87.5")) == "87,5 %"
        assert rate_text(Decimal("95.0")) == "95 %"
        assert rate_text(Decimal("100.0")) == "100 %"
        assert rate_text(None) == "—"
    with translation.override("en"):
        assert rate_text(Decimal("66.7")) == "66.7 %"


def test_a_bar_is_drawn_to_the_printed_rate_and_stays_on_its_track():
    assert bar_length(Decimal("87.5"), 150) == "131.2"  # 131.25: a tenth of a pixel at most
    assert bar_length(Decimal("66.7"), 360) == "240.1"
    assert bar_length(Decimal("0.0"), 150) == "0.0"
    assert bar_length(None, 150) == "0.0"
    assert bar_length(Decimal("120"), 150) == "150.0"  # never past 100 %


def test_pages_and_documents_draw_the_same_chart_at_their_own_size():
    rows = [Row("Élu·es", Decimal("87.5")), Row("Un nom de ville bien trop long", None)]
    with translation.override("fr"):
        page = rate_chart(rows, title="Taux", chart_id="c", size=SCREEN)
        document = rate_chart(rows, title="Taux", chart_id="c", size=PRINT)

    for svg, size in ((page, SCREEN), (document, PRINT)):
        assert svg.startswith('<svg class="chart"')
        assert f'viewBox="0 0 {size.width} ' in svg
        assert ">87,5 %</text>" in svg
        assert f'width="{bar_length(Decimal("87.5"), size.track)}"' in svg
        assert 'aria-labelledby="c-title c-desc"' in svg
        assert "Élu·es: 87,5 %; Un nom de ville bien trop long: —</desc>" in svg
    assert ">Un nom de ville bie…</text>" in page  # cut to 20 characters on a screen
    assert ">Un nom de ville bien trop long</text>" in document


def test_labels_are_escaped():
    svg = rate_chart([Row("<script>", Decimal("1"))], title="<b>", chart_id="x", size=SCREEN)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert '<title id="x-title">&lt;b&gt;</title>' in svg
