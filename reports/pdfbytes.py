"""WeasyPrint's PDFs cut and merged as bytes: each object copied as it was written (its
references renumbered), never parsed into pypdf objects and written again.

pypdf reads every object of a WeasyPrint file to give one (they all sit in one compressed object
stream: 3,700 objects for 50 certificates, a structure element per line of text): cutting a part
of 50 certificates into 50 files cost 1.5 s of CPU, and merging 10 parts 7 s and 220 MB, in one
process while the other waited. Here a file is read by its cross-reference table (pypdf, which
reads nothing else), the object stream is inflated once and split at the offsets it lists, and
only the few dictionaries whose keys matter (catalog, pages, structure tree, outline) are parsed,
by a small tokenizer; the others are copied as bytes, a regular expression renumbering their
references and leaving their strings and streams alone. A merge holds one part at a time.

A cut keeps what makes the file tagged (PDF/UA): the structure elements on its pages (the
document's sections and the running headers and footers found from the pages' parent-tree
entries), a parent tree of those pages, the language, the title, the XMP metadata, the outline
items and named destinations that point into it. :func:`pdf_cut` returns None for a file it
cannot cut this way (a structure element or a page tree reaching outside the pages, another
producer's file): the caller then cuts it with pypdf.
"""

import io
import re
import zlib
from collections.abc import Iterable

from pypdf import PdfReader
from pypdf.errors import PyPdfError as PdfError
from pypdf.generic import IndirectObject

# Literal strings (balanced parentheses one level deep, as any producer may write; WeasyPrint
# escapes them all), hexadecimal strings, references, and the other tokens of PDF syntax.
_STRING = rb"\((?:[^\\()]|\\.|\((?:[^\\()]|\\.)*\))*\)|<[0-9A-Fa-f\s]*>"
_REGULAR = rb"[^\s/\[\]()<>{}%]"
_TOKENS = re.compile(
    rb"(" + _STRING + rb")|(\d+)\s+\d+\s+R(?!" + _REGULAR + rb")|(<<|\[)|(>>|\])"
    rb"|(/" + _REGULAR + rb"*|" + _REGULAR + rb"+)",
    re.S,
)
_REFS = re.compile(rb"(" + _STRING + rb")|(\d+)\s+\d+\s+R(?!" + _REGULAR + rb")", re.S)
_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj")


class Ref(int):
    """A reference to an object, by its number."""


class CannotCopy(ValueError):
    """A file this module does not read (filters, page tree or structure it does not copy)."""


def parse(data: bytes):
    """The first value in ``data``: dicts (name → value), lists, :class:`Ref` and, for every
    other token (names, numbers, strings, keywords), its bytes as written."""
    stack: list[list] = [[]]
    for match in _TOKENS.finditer(data):
        string, ref, opening, closing, word = match.groups()
        if ref is not None:
            stack[-1].append(Ref(int(ref)))
        elif opening is not None:
            stack.append([opening])
        elif closing is not None:
            items = stack.pop()
            if items[0] == b"<<":
                stack[-1].append(dict(zip(items[1::2], items[2::2], strict=True)))
            else:
                stack[-1].append(items[1:])
        else:
            stack[-1].append(string if string is not None else word)
        if len(stack) == 1:
            break
    return stack[0][0] if stack[0] else None


def dump(value, numbers: dict[int, int] | None = None) -> bytes:
    """A value of :func:`parse` written back, its references renumbered by ``numbers``."""
    if isinstance(value, Ref):
        return b"%d 0 R" % (numbers[value] if numbers is not None else value)
    if isinstance(value, dict):
        return (
            b"<<"
            + b"".join(key + b" " + dump(item, numbers) + b"\n" for key, item in value.items())
            + b">>"
        )
    if isinstance(value, list):
        return b"[" + b" ".join(dump(item, numbers) for item in value) + b"]"
    return value


def refs_in(value) -> Iterable[int]:
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from refs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs_in(item)


def renumber(data: bytes, numbers: dict[int, int]) -> bytes:
    """``data`` with each reference renumbered (strings left alone)."""

    def replace(match: re.Match) -> bytes:
        if match.group(1) is not None:
            return match.group(1)
        return b"%d 0 R" % numbers[int(match.group(2))]

    return _REFS.sub(replace, data)


class PdfObjects:
    """The objects of a PDF as bytes: ``head`` (the object, or a stream's dictionary) and
    ``stream`` (``stream…endstream`` as written, or None). Reads the file's cross-reference
    table and inflates its object streams; parses an object only when asked (``value``)."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        try:
            reader = PdfReader(io.BytesIO(content))
        except PdfError as error:
            raise CannotCopy(f"pypdf cannot read its table: {error}") from error
        root = reader.trailer.raw_get("/Root")
        info = reader.trailer.raw_get("/Info")
        if not isinstance(root, IndirectObject) or reader.is_encrypted:
            raise CannotCopy("no catalog to read")
        self.root = root.idnum
        self.info = info.idnum if isinstance(info, IndirectObject) else None
        self.heads: dict[int, bytes] = {}
        self.streams: dict[int, bytes] = {}
        self._values: dict[int, object] = {}
        for generation, offsets in reader.xref.items():
            if generation != 0 and offsets:
                raise CannotCopy("objects of a later generation")
            for number, offset in offsets.items():
                self._read_top(number, offset)
        self.structure = None  # worked out once by _structure
        for container in {container for container, _index in reader.xref_objStm.values()}:
            self._read_container(container)

    def _read_top(self, number: int, offset: int) -> None:
        header = _HEADER.match(self.content, offset)
        if header is None or int(header.group(1)) != number:
            raise CannotCopy(f"object {number} is not where the table says")
        depth, start = 0, header.end()
        for token in _TOKENS.finditer(self.content, start):
            _string, _ref, opening, closing, word = token.groups()
            depth += opening is not None
            depth -= closing is not None
            if depth == 0 and word in (b"stream", b"endobj"):
                break
        else:
            raise CannotCopy(f"object {number} does not end")
        head = self.content[start : token.start()].strip()
        self.heads[number] = head
        if word == b"stream":
            length = parse(head).get(b"/Length")
            if isinstance(length, Ref):  # WeasyPrint writes it in place; another may not
                if length not in self.heads:
                    raise CannotCopy(f"the length of stream {number} is read later")
                length = self.heads[length]
            data_start = token.end() + (
                2 if self.content[token.end() : token.end() + 2] == b"\r\n" else 1
            )
            data = self.content[data_start : data_start + int(length)]
            self.streams[number] = b"stream\n" + data + b"\nendstream"

    def _read_container(self, container: int) -> None:
        head = self.value(container)
        data = self.streams[container]
        data = data[len(b"stream\n") : -len(b"\nendstream")]
        filters = head.get(b"/Filter")
        if filters in ([b"/FlateDecode"], b"/FlateDecode") and b"/DecodeParms" not in head:
            data = zlib.decompress(data)
        elif filters is not None:
            raise CannotCopy("an object stream with another filter")
        first, count = int(head[b"/First"]), int(head[b"/N"])
        pairs = data[:first].split()
        offsets = [(int(pairs[2 * i]), first + int(pairs[2 * i + 1])) for i in range(count)]
        ends = [offset for _number, offset in offsets[1:]] + [len(data)]
        for (number, start), end in zip(offsets, ends, strict=True):
            self.heads.setdefault(number, data[start:end].strip())
        del self.heads[container], self.streams[container]

    def value(self, number: int):
        """The object parsed (a stream: its dictionary)."""
        if number not in self._values:
            self._values[number] = parse(self.heads[number])
        return self._values[number]

    def get(self, value):
        """``value``, or the object it refers to."""
        return self.value(value) if isinstance(value, Ref) else value

    # --- What the file holds ----------------------------------------------------------------

    def catalog(self) -> dict:
        return self.value(self.root)

    def pages(self) -> tuple[int, list[int]]:
        """The page tree's root and the pages; a tree of more than one level is refused (a
        page's /Parent must be the root that a copy replaces)."""
        root = self.catalog()[b"/Pages"]
        kids = [Ref(kid) for kid in self.get(self.value(root)[b"/Kids"])]
        if any(self.value(kid).get(b"/Type") != b"/Page" for kid in kids):
            raise CannotCopy("a page tree of more than one level")
        return root, kids

    def outline_items(self) -> list[int]:
        """The outline's top-level items, in order (their children follow from them)."""
        outlines = self.catalog().get(b"/Outlines")
        if outlines is None:
            return []
        item, items = self.get(outlines).get(b"/First"), []
        while isinstance(item, Ref) and item not in items:
            items.append(item)
            item = self.value(item).get(b"/Next")
        return items

    def named_destinations(self) -> list[tuple[bytes, object]]:
        names = self.get(self.catalog().get(b"/Names"))
        tree = self.get(names.get(b"/Dests")) if isinstance(names, dict) else None
        entries: list[tuple[bytes, object]] = []

        def walk(node) -> None:
            node = self.get(node)
            pairs = self.get(node.get(b"/Names", []))
            entries.extend(zip(pairs[::2], pairs[1::2], strict=True))
            for kid in self.get(node.get(b"/Kids", [])):
                walk(kid)

        if isinstance(tree, dict):
            walk(tree)
        return entries

    def closure(
        self, starts: Iterable[int], skip: frozenset[bytes], known=()
    ) -> tuple[list[int], set[int]]:
        """The objects reached from ``starts``, not following the keys in ``skip`` (parents,
        pages of structure elements) nor going into the ``known`` ones, and the objects the
        keys in ``skip`` name."""
        seen: dict[int, None] = {}
        named: set[int] = set()
        todo = list(starts)
        while todo:
            number = todo.pop()
            if number in seen or number in known:
                continue
            if number not in self.heads:
                raise CannotCopy(f"object {number} is missing")
            seen[number] = None
            value = self.value(number)
            if isinstance(value, dict):
                for key, item in value.items():
                    if key in skip:
                        named.update(refs_in(item))
                    else:
                        todo.extend(refs_in(item))
            else:
                todo.extend(refs_in(value))
        return list(seen), named


def _page_of(destination, objects: PdfObjects) -> int | None:
    destination = objects.get(destination)
    if isinstance(destination, dict):
        destination = objects.get(destination.get(b"/D"))
    if isinstance(destination, list) and destination and isinstance(destination[0], Ref):
        return destination[0]
    return None


class _Writer:
    """Writes numbered objects one after the other and the cross-reference table at the end."""

    def __init__(self) -> None:
        self.output = io.BytesIO()
        self.output.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.offsets: dict[int, int] = {}
        self.next_number = 1

    def reserve(self) -> int:
        number, self.next_number = self.next_number, self.next_number + 1
        return number

    def write(self, number: int, head: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.output.tell()
        self.output.write(b"%d 0 obj\n" % number + head)
        if stream is not None:
            self.output.write(b"\n" + stream)
        self.output.write(b"\nendobj\n")

    def copy(self, objects: PdfObjects, number: int, numbers: dict[int, int]) -> None:
        self.write(
            numbers[number], renumber(objects.heads[number], numbers), objects.streams.get(number)
        )

    def close(self, root: int, info: int | None) -> bytes:
        start = self.output.tell()
        size = self.next_number
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        for number in range(1, size):
            offset = self.offsets.get(number)
            lines.append(
                b"%010d 00000 n \n" % offset if offset is not None else b"0000000000 00000 f \n"
            )
        trailer = b"/Size %d /Root %d 0 R" % (size, root)
        if info is not None:
            trailer += b" /Info %d 0 R" % info
        lines.append(b"trailer\n<<" + trailer + b">>\nstartxref\n%d\n%%%%EOF\n" % start)
        self.output.write(b"".join(lines))
        return self.output.getvalue()


# Keys that name a parent, or the page a structure element sits on: not followed when the
# objects a page or an element needs are gathered; what they name must be copied anyway.
_UP = frozenset({b"/Parent", b"/P", b"/Pg"})
# Keys of the catalog a copy writes anew, or leaves out.
_CATALOG_OWN = frozenset({b"/Pages", b"/Outlines", b"/Names", b"/StructTreeRoot", b"/Type"})


class _Identity(dict):
    """Numbers that are already the new ones (refs written by this module)."""

    def __missing__(self, key: int) -> int:
        return key


def _dump_new(value, numbers: dict[int, int]) -> bytes:
    """A value written with its references renumbered by ``numbers``, but for those marked
    :class:`_New`, which are new numbers already (objects this module writes)."""
    return dump(_renew(value, numbers), _Identity())


class _New(Ref):
    pass


def _renew(value, numbers: dict[int, int]):
    if isinstance(value, _New):
        return value
    if isinstance(value, Ref):
        return _New(numbers[value])
    if isinstance(value, dict):
        return {key: _renew(item, numbers) for key, item in value.items()}
    if isinstance(value, list):
        return [_renew(item, numbers) for item in value]
    return value


# What reading a file this module does not understand may raise, said as CannotCopy.
_UNREADABLE = (KeyError, IndexError, ValueError, TypeError, AttributeError, zlib.error, PdfError)


def pdf_cut(content: bytes, ranges: list[tuple[int, int]]) -> list[bytes] | None:
    """For each range (``first``, ``last``), the pages ``first`` to ``last - 1`` as a tagged
    file of their own (see the module's docstring); None when this file cannot be cut so."""
    try:
        objects = PdfObjects(content)
        return [_cut(objects, first, last) for first, last in ranges]
    except _UNREADABLE:
        return None


def _structure(objects: PdfObjects):
    """The structure tree root, its document element, the document's kids and the parent tree
    by key (parsed once per file)."""
    if objects.structure is not None:
        return objects.structure
    tree_ref = objects.catalog().get(b"/StructTreeRoot")
    if not isinstance(tree_ref, Ref):
        raise CannotCopy("not tagged")
    tree = objects.value(tree_ref)
    tops = tree.get(b"/K")
    tops = objects.get(tops)
    tops = tops if isinstance(tops, list) else [tops]
    if len(tops) != 1 or objects.value(tops[0]).get(b"/S") != b"/Document":
        raise CannotCopy("a structure tree without one document element")
    document = tops[0]
    kids = objects.get(objects.value(document).get(b"/K", []))
    kids = kids if isinstance(kids, list) else [kids]
    by_key: dict[int, object] = {}

    def walk(node) -> None:
        node = objects.get(node)
        pairs = objects.get(node.get(b"/Nums", []))
        for key, item in zip(pairs[::2], pairs[1::2], strict=True):
            by_key[int(key)] = item
        for kid in objects.get(node.get(b"/Kids", [])):
            walk(kid)

    walk(tree[b"/ParentTree"])
    objects.structure = (tree_ref, tree, document, kids, by_key)
    return objects.structure


def _top_of(objects: PdfObjects, element: int, document: int, tree: int) -> int:
    """The ancestor of a structure element right under the document element."""
    seen = set()
    while element not in seen:
        seen.add(element)
        parent = objects.value(element).get(b"/P")
        if not isinstance(parent, Ref) or parent in (document, tree):
            return element
        element = parent
    raise CannotCopy("a loop in the structure tree")


def _cut(objects: PdfObjects, first: int, last: int) -> bytes:
    tree_ref, tree, document, kids, by_key = _structure(objects)
    pages_root, all_pages = objects.pages()
    pages = all_pages[first:last]
    if not pages:
        raise CannotCopy("no page")
    catalog = objects.catalog()
    rebuilt = {pages_root, objects.root, tree_ref, document}
    # The pages and what they draw with, the catalog's own entries (metadata), the information.
    kept = {key: value for key, value in catalog.items() if key not in _CATALOG_OWN}
    starts = [*pages, *refs_in(kept), *([objects.info] if objects.info is not None else [])]
    found, named = objects.closure(starts, _UP, known=rebuilt)
    if set(all_pages).intersection(found).difference(pages):
        raise CannotCopy("a page links to another page")
    # The structure: the elements marked on these pages (their parent-tree keys), from the
    # document's kid each sits under; the running headers and footers are not the document's
    # kids (WeasyPrint finds them from their page only) and are copied all the same.
    keys = sorted(
        {
            int(value[name])
            for value in map(objects.value, found)
            if isinstance(value, dict)
            for name in (b"/StructParents", b"/StructParent")
            if name in value
        }
    )
    tops: dict[int, None] = {}
    for key in keys:
        entry = objects.get(by_key.get(key))
        for element in entry if isinstance(entry, list) else [entry]:
            if isinstance(element, Ref):
                tops[_top_of(objects, element, document, tree_ref)] = None
    sections = [kid for kid in kids if kid in tops]
    tree_kept = {k: v for k, v in tree.items() if k not in (b"/K", b"/ParentTree", b"/IDTree")}
    structure, structure_named = objects.closure(
        [*sections, *(top for top in tops if top not in sections), *refs_in(tree_kept)],
        _UP,
        known=rebuilt | set(found),
    )
    copied = set(found) | set(structure)
    if not (named | structure_named) <= copied | rebuilt:
        raise CannotCopy("an element or a page reaches outside the pages cut")
    chosen = set(pages)
    items = [
        item
        for item in _flat_outline(objects)
        if _page_of(objects.value(item).get(b"/Dest") or objects.value(item).get(b"/A"), objects)
        in chosen
    ]
    destinations = [
        (name, objects.get(dest))
        for name, dest in objects.named_destinations()
        if _page_of(dest, objects) in chosen and set(refs_in(objects.get(dest))) <= copied
    ]

    writer = _Writer()
    numbers: dict[int, int] = {}
    for number in (objects.root, pages_root, tree_ref, document, *found, *structure, *items):
        numbers[number] = writer.reserve()
    for number in (*found, *structure):
        writer.copy(objects, number, numbers)
    writer.write(
        numbers[pages_root],
        _dump_new({b"/Type": b"/Pages", b"/Kids": pages, b"/Count": b"%d" % len(pages)}, numbers),
    )
    writer.write(
        numbers[document], _dump_new({**objects.value(document), b"/K": sections}, numbers)
    )
    nums = [part for key in keys for part in (b"%d" % key, by_key[key])]
    tree_value = {**tree_kept, b"/K": [document], b"/ParentTree": {b"/Nums": nums}}
    writer.write(numbers[tree_ref], _dump_new(tree_value, numbers))
    catalog_value = {
        b"/Type": b"/Catalog",
        b"/Pages": pages_root,
        **kept,
        b"/StructTreeRoot": tree_ref,
    }
    if items:
        outline = writer.reserve()
        _write_chain(objects, writer, items, numbers, outline)
        catalog_value[b"/Outlines"] = _New(outline)
    if destinations:
        catalog_value[b"/Names"] = {
            b"/Dests": {b"/Names": [part for pair in destinations for part in pair]}
        }
    writer.write(numbers[objects.root], _dump_new(catalog_value, numbers))
    return writer.close(numbers[objects.root], numbers.get(objects.info))


def _write_chain(
    objects: PdfObjects, writer: "_Writer", items: list[int], numbers, outline: int
) -> None:
    """The outline items as one flat list under a new outline dictionary ``outline``."""
    for index, item in enumerate(items):
        value = {
            key: value
            for key, value in objects.value(item).items()
            if key not in (b"/Parent", b"/Prev", b"/Next", b"/First", b"/Last", b"/Count")
        }
        value[b"/Parent"] = _New(outline)
        if index:
            value[b"/Prev"] = items[index - 1]
        if index + 1 < len(items):
            value[b"/Next"] = items[index + 1]
        writer.write(numbers[item], _dump_new(value, numbers))
    writer.write(
        outline,
        b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>"
        % (numbers[items[0]], numbers[items[-1]], len(items)),
    )


def _flat_outline(objects: PdfObjects) -> list[int]:
    """Every outline item, depth first."""
    items: list[int] = []

    def walk(item) -> None:
        while isinstance(item, Ref) and item not in items:
            items.append(item)
            walk(objects.value(item).get(b"/First"))
            item = objects.value(item).get(b"/Next")

    top = objects.outline_items()
    if top:
        walk(top[0])
    return items


def pdf_concatenate(contents: Iterable[bytes]) -> bytes:
    """The PDFs one after the other in one file, untagged, with their outlines and named
    destinations, and the first one's language, viewer preferences and information (title).
    Reads one file at a time. Raises :class:`CannotCopy` for a file it cannot read."""
    try:
        return _concatenate(contents)
    except CannotCopy:
        raise
    except _UNREADABLE as error:
        raise CannotCopy(str(error)) from error


def _concatenate(contents: Iterable[bytes]) -> bytes:
    writer = _Writer()
    catalog_number, pages_root, outline_root = writer.reserve(), writer.reserve(), writer.reserve()
    kids: list[int] = []
    destinations: dict[bytes, bytes] = {}
    catalog_value = b"<</Type /Catalog /Pages %d 0 R" % pages_root
    info = None
    count, first_item = 0, None
    held: tuple[int, dict] | None = None  # the last top-level outline item: its /Next comes later
    for index, content in enumerate(contents):
        objects = PdfObjects(content)
        old_root, pages = objects.pages()
        catalog = objects.catalog()
        outlines = catalog.get(b"/Outlines")
        numbers: dict[int, int] = {old_root: pages_root}
        if isinstance(outlines, Ref):
            numbers[outlines] = outline_root
        starts = [*pages, *([objects.info] if index == 0 and objects.info is not None else [])]
        found, named = objects.closure(starts, frozenset({b"/Parent", b"/P"}), known=numbers)
        items = objects.outline_items()
        nested, _named = objects.closure(
            items, frozenset({b"/Parent", b"/Prev", b"/Next"}), known={*numbers, *found}
        )
        for number in (*found, *nested):
            numbers[number] = writer.reserve()
        if not named <= set(numbers):
            raise CannotCopy("a page reaches outside its pages")
        if index == 0:
            info = numbers.get(objects.info)
            for key in (b"/Lang", b"/ViewerPreferences"):
                if key in catalog:
                    catalog_value += (
                        b" " + key + b" " + _dump_new(objects.get(catalog[key]), numbers)
                    )
        for number in (*found, *nested):
            if number not in items:
                writer.copy(objects, number, numbers)
        for item in items:
            value = {
                key: value
                for key, value in objects.value(item).items()
                if key not in (b"/Parent", b"/Prev", b"/Next")
            }
            value = {**_renew(value, numbers), b"/Parent": _New(outline_root)}
            if held is None:
                first_item = numbers[item]
            else:
                held[1][b"/Next"] = _New(numbers[item])
                value[b"/Prev"] = _New(held[0])
                writer.write(held[0], dump(held[1], _Identity()))
            held = (numbers[item], value)
        if items:
            count += int(objects.get(objects.get(outlines).get(b"/Count", b"%d" % len(items))))
        for name, dest in objects.named_destinations():
            dest = objects.get(dest)
            if name not in destinations and set(refs_in(dest)) <= set(numbers):
                destinations[name] = _dump_new(dest, numbers)
        kids += [numbers[page] for page in pages]
    if held is not None:
        writer.write(held[0], dump(held[1], _Identity()))
        writer.write(
            outline_root,
            b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>"
            % (first_item, held[0], count),
        )
        catalog_value += b" /Outlines %d 0 R" % outline_root
    else:
        writer.write(outline_root, b"null")
    writer.write(
        pages_root,
        b"<</Type /Pages /Kids [%s] /Count %d>>"
        % (b" ".join(b"%d 0 R" % kid for kid in kids), len(kids)),
    )
    if destinations:
        names = b" ".join(
            name + b" " + destinations[name] for name in sorted(destinations, key=_string_key)
        )
        catalog_value += b" /Names <</Dests <</Names [%s]>>>>" % names
    writer.write(catalog_number, catalog_value + b">>")
    return writer.close(catalog_number, info)


def _string_key(raw: bytes) -> bytes:
    """A name tree's key as the bytes it stands for, to sort them as readers expect."""
    if raw.startswith(b"<"):
        return bytes.fromhex(raw[1:-1].decode())
    return re.sub(rb"\\(.)", rb"\1", raw[1:-1])
