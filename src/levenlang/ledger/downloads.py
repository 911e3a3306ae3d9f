"""A statement of one Leerrekening as a file to download: CSV for a spreadsheet, PDF to read or print.

Both are written in the active language. The BSN appears only masked (resident.masked_bsn), never in full.
The CSV is made for Dutch spreadsheets: UTF-8 with a byte order mark, `;` between fields, amounts in euros
with a decimal comma (no thousands separator, so that a spreadsheet reads them as numbers) and in whole cents.
"""

import csv
import io
from typing import TYPE_CHECKING, Any, cast
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from levenlang.core.money import format_cents
from levenlang.ledger.models import PotKind
from levenlang.ledger.statements import PotBalance, Statement

if TYPE_CHECKING:
    from _csv import Writer

    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Flowable

# A cell that starts with one of these would be a formula in a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def euros(cents: int) -> str:
    """`-123456` → `-1234,56`: a number a Dutch spreadsheet reads, without the euro sign."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole},{rest:02d}"


def _text(value) -> str:
    value = str(value)
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def may_pay_for(pot: PotBalance) -> str:
    if pot.for_every_category:
        return _("All kinds of learning")
    return ", ".join(str(label) for label in pot.category_labels)


def usable_until(pot: PotBalance, *, iso: bool = False) -> str:
    if pot.expires_on is None:
        return _("No end date")
    day = pot.expires_on.isoformat() if iso else date_format(pot.expires_on, "j F Y")
    return _("Expired on %(date)s") % {"date": day} if pot.expired else day


def _money_columns(heading: str) -> list[str]:
    return [_("%(what)s (euro)") % {"what": heading}, _("%(what)s (cents)") % {"what": heading}]


def _amounts(*cents_values: int) -> list:
    """Each amount twice, as the CSV shows it: in euros with a decimal comma, then in whole cents."""
    return [v for cents in cents_values for v in (euros(cents), cents)]


def statement_csv(statement: Statement) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # tells Excel the file is UTF-8
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    resident = statement.resident
    writer.writerow([_("Name"), _text(resident)])
    writer.writerow(["BSN", resident.masked_bsn])
    writer.writerow([_("Date"), statement.made_on.isoformat()])
    writer.writerow([])
    _csv_pots(writer, statement)
    if statement.reservations:
        _csv_reservations(writer, statement)
    _csv_history(writer, statement)
    return out.getvalue().encode("utf-8")


def _csv_pots(writer: "Writer", statement: Statement) -> None:
    writer.writerow([_("Pots")])
    writer.writerow(
        [
            _("Where the money comes from"),
            _("Kind of money"),
            _("What you may use it for"),
            _("Usable until"),
            *_money_columns(_("Balance")),
            *_money_columns(_("Reserved")),
            *_money_columns(_("Available")),
        ]
    )
    for pot in statement.pots:
        writer.writerow(
            [
                _text(pot.label),
                pot.kind_label,
                may_pay_for(pot),
                usable_until(pot, iso=True),
                *_amounts(pot.posted_cents, pot.pending_cents, pot.available_cents),
            ]
        )
    totals = _amounts(statement.posted_cents, statement.pending_cents, statement.available_cents)
    writer.writerow([_("Total"), "", "", "", *totals])
    writer.writerow([])


def _csv_reservations(writer: "Writer", statement: Statement) -> None:
    writer.writerow([_("Reserved money")])
    writer.writerow(
        [
            _("What for"),
            _("Kind of learning"),
            _("Reserved until"),
            *_money_columns(_("Price")),
            *_money_columns(_("Paid from your pots")),
            *_money_columns(_("You pay yourself")),
        ]
    )
    for r in statement.reservations:
        writer.writerow(
            [
                _text(r.reference or "—"),
                r.category_label,
                r.expires_at.date().isoformat(),
                *_amounts(r.price_cents, r.reserved_cents, r.own_share_cents),
            ]
        )
    writer.writerow([])


def _csv_history(writer: "Writer", statement: Statement) -> None:
    writer.writerow([_("History")])
    writer.writerow(
        [
            _("Date"),
            _("What happened"),
            _("Description"),
            _("Pot"),
            *_money_columns(_("Amount")),
            *_money_columns(_("Balance")),
            *_money_columns(_("Balance of this pot")),
        ]
    )
    for line in statement.history:
        writer.writerow(
            [
                line.date.isoformat(),
                line.kind_label,
                _text(line.description),
                _text(line.pot.label),
                *_amounts(line.amount_cents, line.balance_cents, line.pot_balance_cents),
            ]
        )


# --- PDF ---------------------------------------------------------------------------------------------------


class _Pdf:
    """The styles and building blocks of the PDF statement. reportlab is imported on first use only: most
    processes never write a PDF."""

    def __init__(self) -> None:
        from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

        self.styles = getSampleStyleSheet()
        self.body = cast(ParagraphStyle, self.styles["BodyText"])  # the sample sheet's paragraph styles
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.5, leading=10.5)
        self.head = ParagraphStyle("head", parent=self.cell, fontName="Helvetica-Bold")
        self.number = ParagraphStyle("number", parent=self.cell, alignment=2)  # right-aligned
        self.number_head = ParagraphStyle("number_head", parent=self.head, alignment=2)
        self.number_bold = ParagraphStyle("number_bold", parent=self.number, fontName="Helvetica-Bold")

    def p(self, text: object, style: "ParagraphStyle | None" = None) -> "Flowable":
        from reportlab.platypus import Paragraph

        return Paragraph(escape(str(text)), style or self.cell)

    def heading(self, text: str, level: str = "Heading2") -> "Flowable":
        from reportlab.platypus import Paragraph

        return Paragraph(escape(text), self.styles[level])

    def money(self, cents: int, style: "ParagraphStyle | None" = None) -> "Flowable":
        from reportlab.platypus import Paragraph

        return Paragraph(escape(format_cents(cents)).replace(" ", "&nbsp;"), style or self.number)

    def table(self, rows: list[list], widths: list[float], *, total_row: bool = False) -> "Flowable":
        """A table with a ruled header row that repeats on every page."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        t = Table(rows, colWidths=widths, repeatRows=1)
        style: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#999999")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        if total_row:
            style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black))
        t.setStyle(TableStyle(style))
        return t


def statement_pdf(statement: Statement, *, compress: bool = True) -> bytes:
    """A readable A4 statement in a built-in font (Helvetica): who, when, the pots, reserved money, history."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    pdf = _Pdf()
    resident = statement.resident
    title = _("Statement of your Leerrekening")
    story = [
        pdf.heading(title, "Title"),
        pdf.p(f"{_('Name')}: {resident}", pdf.body),
        pdf.p(f"BSN: {resident.masked_bsn}", pdf.body),
        pdf.p(f"{_('Date')}: {date_format(statement.made_on, 'j F Y')}", pdf.body),
        Spacer(1, 4 * mm),
    ]
    if statement.leerrekening is None:
        story.append(pdf.p(_("You do not have a Leerrekening yet."), pdf.body))
    else:
        story += _pdf_pots(pdf, statement)
        if statement.reservations:
            story += _pdf_reservations(pdf, statement)
        story += _pdf_history(pdf, statement)

    footer = _("Levenlang — statement of %(date)s — page %(page)s")
    made_on = date_format(statement.made_on, "j F Y")

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(doc.leftMargin, 10 * mm, footer % {"date": made_on, "page": doc.page})
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=17 * mm,
        rightMargin=17 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Levenlang",
        lang=get_language() or "nl",
        pageCompression=1 if compress else 0,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _pdf_pots(pdf: _Pdf, statement: Statement) -> "list[Flowable]":
    """The sentence with what is left to use, and the table of pots with their total."""
    from reportlab.lib.units import mm

    p, money, head, number_head, number_bold = pdf.p, pdf.money, pdf.head, pdf.number_head, pdf.number_bold
    summary = _("You can still use %(available)s. Of your balance of %(balance)s, %(reserved)s is reserved.") % {
        "available": format_cents(statement.available_cents),
        "balance": format_cents(statement.posted_cents),
        "reserved": format_cents(statement.pending_cents),
    }
    rows: list[list] = [
        [
            p(_("Where the money comes from"), head),
            p(_("What you may use it for"), head),
            p(_("Usable until"), head),
            p(_("Balance"), number_head),
            p(_("Reserved"), number_head),
            p(_("Available"), number_head),
        ]
    ]
    for pot in statement.pots:
        rows.append(
            [
                p(pot.label if pot.kind == PotKind.OWN else f"{pot.kind_label}: {pot.label}"),
                p(may_pay_for(pot)),
                p(usable_until(pot)),
                money(pot.posted_cents),
                money(pot.pending_cents),
                money(pot.available_cents),
            ]
        )
    rows.append(
        [
            p(_("Total"), head),
            "",
            "",
            money(statement.posted_cents, number_bold),
            money(statement.pending_cents, number_bold),
            money(statement.available_cents, number_bold),
        ]
    )
    widths = [46 * mm, 38 * mm, 26 * mm, 22 * mm, 22 * mm, 22 * mm]
    return [p(summary, pdf.body), pdf.heading(_("Your pots")), pdf.table(rows, widths, total_row=True)]


def _pdf_reservations(pdf: _Pdf, statement: Statement) -> "list[Flowable]":
    from reportlab.lib.units import mm

    p, money, head, number_head = pdf.p, pdf.money, pdf.head, pdf.number_head
    rows: list[list] = [
        [
            p(_("What for"), head),
            p(_("Kind of learning"), head),
            p(_("Reserved until"), head),
            p(_("Price"), number_head),
            p(_("Paid from your pots"), number_head),
            p(_("You pay yourself"), number_head),
        ]
    ]
    for r in statement.reservations:
        rows.append(
            [
                p(r.reference or "—"),
                p(r.category_label),
                p(date_format(r.expires_at.date(), "j F Y")),
                money(r.price_cents),
                money(r.reserved_cents),
                money(r.own_share_cents),
            ]
        )
    widths = [44 * mm, 30 * mm, 26 * mm, 24 * mm, 26 * mm, 26 * mm]
    return [pdf.heading(_("Reserved money")), pdf.table(rows, widths)]


def _pdf_history(pdf: _Pdf, statement: Statement) -> "list[Flowable]":
    from reportlab.lib.units import mm

    p, money, head, number_head = pdf.p, pdf.money, pdf.head, pdf.number_head
    rows: list[list] = [
        [
            p(_("Date"), head),
            p(_("What happened"), head),
            p(_("Pot"), head),
            p(_("Amount"), number_head),
            p(_("Balance"), number_head),
        ]
    ]
    for line in statement.history:
        rows.append(
            [
                p(date_format(line.date, "j F Y")),
                p(f"{line.kind_label}: {line.description}" if line.description else str(line.kind_label)),
                p(line.pot.label),
                money(line.amount_cents),
                money(line.balance_cents),
            ]
        )
    if not statement.history:
        rows.append([p(_("Nothing has happened yet.")), "", "", "", ""])
    widths = [26 * mm, 68 * mm, 40 * mm, 21 * mm, 21 * mm]
    return [pdf.heading(_("History")), pdf.table(rows, widths)]
