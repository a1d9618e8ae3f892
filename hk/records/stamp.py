"""A line of text written onto rendered PDF pages just before signing: the chain's previous hash.

The record is rendered (the slow part) before its place in the archive chain is known; the hash of
the record before it is then written into the space the layout left for it, in the same revision
as the signature, so the signature covers it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

FONT_NAME = "/HkChain"
CSS_PX_TO_PT = 0.75


@dataclass(frozen=True)
class Place:
    """Where on a page the text starts: page index, x and baseline y in PDF points from bottom-left."""

    page: int
    x: float
    y: float


@dataclass(frozen=True)
class PageStamp:
    """Short Latin text (hex digits and "…") to write at the same place on each page, in Helvetica."""

    text: str
    places: tuple[Place, ...]
    size: float = 7.0

    def apply(self, writer: IncrementalPdfFileWriter) -> None:
        """Add the text to every place, as an extra content stream of the page."""
        escaped = "".join(
            chr(b) if 32 <= b < 127 and chr(b) not in "\\()" else f"\\{b:03o}"
            for b in self.text.encode("cp1252")  # WinAnsiEncoding: ASCII, and "…" as 0x85
        )
        font = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Font"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
                generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
                generic.pdf_name("/Encoding"): generic.pdf_name("/WinAnsiEncoding"),
            }
        )
        font_ref = writer.add_object(font)
        for place in self.places:
            # One name per page: pages may share one resource dictionary, which refuses a twin name.
            name = f"{FONT_NAME}{place.page}"
            resources = generic.DictionaryObject(
                {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name(name): font_ref})}
            )
            # The page's own content may leave a transformation in force: wrap it in q … Q, so the
            # text is placed in the page's plain coordinates.
            before = generic.StreamObject(stream_data=b"q\n")
            writer.add_stream_to_page(place.page, writer.add_object(before), prepend=True)
            ops = (
                f"Q q 0.333 g BT {name} {self.size:.2f} Tf {place.x:.2f} {place.y:.2f} Td ({escaped}) Tj ET Q"
            )
            stream = generic.StreamObject(stream_data=ops.encode("ascii"))
            writer.add_stream_to_page(place.page, writer.add_object(stream), resources=resources)


def places_of(pages, anchor: str) -> tuple[Place, ...]:
    """The places of an empty inline-block slot with this id on WeasyPrint's rendered pages.

    An empty inline-block sits on the text's baseline, so its bottom edge is where the text goes.
    """
    places = []
    for index, page in enumerate(pages):
        box = page.anchors.get(anchor)
        if box is not None:
            x0, _y0, _x1, y1 = box
            places.append(Place(index, x0 * CSS_PX_TO_PT, (page.height - y1) * CSS_PX_TO_PT))
    return tuple(places)
