"""PDFs cut and merged as bytes (``reports.pdfbytes``), and the parts' sizes: what a reader
finds in the files, and that the byte copy (not pypdf's slower one) made them."""

import io

import pytest
from pypdf import PdfReader

from reports import pdfbytes
from reports.parts import part_sizes
from reports.rendering import pdf_in_parts, pdf_merge, pdf_pages

# A title whose text looks like a reference and holds parentheses: copied, never renumbered.
TITLE = r"Part 12 0 R (one) \ two"


def document(names: list[str]) -> bytes:
    sections = "".join(
        f'<section id="person-{index}" style="break-before: page"><h1>Certificate</h1>'
        f"<p>{name}</p></section>"
        for index, name in enumerate(names)
    )
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title>'
        f"</head><body>{sections}</body></html>"
    )
    return pdf_in_parts(html, anchors=[f"person-{index}" for index in range(len(names))])


def test_each_cut_is_a_tagged_file_of_its_own_pages():
    pdf = document(["Ada Lovelace", "Grace Hopper", "Alan Turing"])
    files = pdfbytes.pdf_cut(pdf.content, pdf.ranges)
    assert files is not None  # copied as bytes, not by the pypdf fallback
    assert pdf_pages(pdf.content, pdf.ranges) == files
    for name, content in zip(["Ada Lovelace", "Grace Hopper", "Alan Turing"], files, strict=True):
        reader = PdfReader(io.BytesIO(content), strict=True)
        assert len(reader.pages) == 1
        assert name in reader.pages[0].extract_text()
        catalog = reader.trailer["/Root"]
        assert catalog["/Lang"] == "en"
        assert reader.metadata.title == TITLE
        assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()
        tree = catalog["/StructTreeRoot"].get_object()
        (document_element,) = tree["/K"]
        (section,) = document_element.get_object()["/K"]
        assert section.get_object()["/S"] == "/Sect"
        nums = tree["/ParentTree"].get_object()["/Nums"]
        assert list(nums[::2]) == [reader.pages[0]["/StructParents"]]
        assert all(element.get_object()["/S"] for element in nums[1])
        assert [item.title for item in reader.outline] == ["Certificate"]
        assert len(reader.named_destinations) == 1


def test_merged_parts_keep_their_order_outline_destinations_language_and_title():
    first, second = document(["Ada Lovelace", "Grace Hopper"]), document(["Alan Turing"])
    merged = pdf_merge(iter([first.content, second.content]))  # read once: no pypdf fallback
    reader = PdfReader(io.BytesIO(merged), strict=True)
    assert [page.extract_text().split()[-2:] for page in reader.pages] == [
        ["Ada", "Lovelace"],
        ["Grace", "Hopper"],
        ["Alan", "Turing"],
    ]
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata.title == TITLE
    assert [item.title for item in reader.outline] == ["Certificate"] * 3
    assert [reader.get_destination_page_number(item) for item in reader.outline] == [0, 1, 2]
    # Both parts named their first section person-0: the first one's is kept.
    assert sorted(reader.named_destinations) == ["person-0", "person-1"]
    assert "/StructTreeRoot" not in reader.trailer["/Root"]  # untagged (see pdf_merge)


def test_what_cannot_be_copied_is_said_so():
    with pytest.raises(pdfbytes.CannotCopy):
        pdfbytes.pdf_concatenate([b"%PDF-1.7\n1 0 obj\nnull\nendobj\ntrailer\n<<>>\n%%EOF"])


def test_large_parts_first_then_smaller_so_that_the_processes_finish_together(settings):
    settings.REPORT_PART_SIZE, settings.REPORT_PART_WORKERS = 50, 2
    assert part_sizes(500) == [50] * 9 + [25, 13, 12]
    assert part_sizes(60) == [30, 15, 12, 3]
    assert part_sizes(1) == [1]
    assert part_sizes(0) == []
    settings.REPORT_PART_WORKERS = 4
    sizes = part_sizes(500)
    assert sum(sizes) == 500
    assert max(sizes) == 50
    assert sizes == sorted(sizes, reverse=True)
