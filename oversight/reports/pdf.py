"""The report as a PDF (reportlab Platypus): the same sections and figures as the JSON, the
two charts, and the version and content hash that tie the document to its audited record.

The standard PDF fonts speak Windows-1252 only, so symbols outside it (σ, →, −) are spelled out.
"""
from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rfqs.models import AuctionType, RFQStatus

from .pdf_charts import distribution_drawing, progression_drawing
from .timeline import rule_name, timeline_note

SPELLED = {"σ": "sigma", "→": "->", "−": "-", "×": "x", "≥": ">=", "≤": "<="}
STYLES = getSampleStyleSheet()
BODY, SMALL = STYLES["BodyText"], STYLES["Code"]
HEAD = colors.HexColor("#0b3954")


def _text(value) -> str:
    text = "—" if value is None or value == "" else str(value)
    for symbol, words in SPELLED.items():
        text = text.replace(symbol, words)
    return escape(text.encode("cp1252", "replace").decode("cp1252"))


def _label(code) -> str:
    """A code without a registry of labels ("FIRST_PRICE", "bid_cycling") as words."""
    return str(code).replace("_", " ").capitalize() if code else "—"


def _choice(choices, value) -> str:
    """A stored choice by its label (REVERSE_AUCTION → "Reverse auction")."""
    return str(choices(value).label) if value in choices.values else _label(value)


def _time(value: str | None) -> str | None:
    """An ISO 8601 UTC string as "2026-11-21 19:43:20" (the PDF says UTC in its headings)."""
    return value[:19].replace("T", " ") if value else value


def _p(value, style=BODY) -> Paragraph:
    return Paragraph(_text(value), style)


def _table(rows: list[list], widths=None, header: bool = True) -> Table:
    cells = [[_p(cell) for cell in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#c9d3de")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("FONTSIZE", (0, 0), (-1, -1), 8)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")))
    table.setStyle(TableStyle(style))
    return table


def _facts(pairs: list[tuple[str, object]]) -> Table:
    return _table([[label, value] for label, value in pairs], widths=[55 * mm, 115 * mm], header=False)


def _h(text: str) -> Paragraph:
    return Paragraph(_text(text), STYLES["Heading2"])


def _summary(r: dict) -> list:
    s = r["summary"]
    p, b = s["participants"], s["bids"]
    return [_h("1. Summary"), _facts([
        ("Suppliers invited / accepted / bidding", f"{p['invited']} / {p['accepted']} / {p['bidding']}"),
        ("Bids placed", b["placed"]), ("Bids accepted (not withdrawn or superseded)", b["accepted"]),
        ("Quotes ranked at close", r["outcome"]["ranked_quotes"]),
        ("Superseded versions", b["superseded"]), ("Withdrawals", s["withdrawals"]),
        ("Refused bid attempts", b["refused_attempts"]),
        ("Deadline extensions", s["extensions"]["count"]),
        ("Original deadline (UTC)", _time(s["extensions"]["original_deadline"])),
        ("Final deadline (UTC)", _time(s["extensions"]["final_deadline"])), ("Pauses", s["pauses"]),
        ("Amendments", s.get("amendments", 0)),
        ("Gaming alerts (high / medium / low)",
         f"{s['alerts']['total']} ({s['alerts']['high']} / {s['alerts']['medium']} / {s['alerts']['low']})"),
    ])]


def _timeline(r: dict) -> list:
    rows = [["#", "Time (UTC)", "Event", "By", "Detail"]] + [
        [e["seq"], _time(e["at"]), e["label"], e["actor"], e["detail"]] for e in r["timeline"]]
    return [_h("2. Timeline"), _p(timeline_note(r)), Spacer(1, 4),
            _table(rows, widths=[10 * mm, 40 * mm, 40 * mm, 25 * mm, 55 * mm])]



def _distribution(r: dict) -> list:
    d, cur = r["price_distribution"], r["rfq"]["currency"]
    q, f = d.get("quartiles") or {}, d.get("fences") or {}
    outliers = ", ".join(f"{o['supplier']} {o['amount']} ({o['side']})" for o in d["outliers"]) or (
        "none" if d["outlier_test_applied"] else "not tested (fewer than 4 counted quotes)")
    parts = [_h("3. Price distribution"), _p(d["counted"]), Spacer(1, 4), _facts([
        ("Quotes counted", d["count"]), (f"Minimum ({cur})", d["min"]), (f"Maximum ({cur})", d["max"]),
        (f"Median ({cur})", d["median"]), (f"Mean ({cur})", d["mean"]),
        (f"Standard deviation ({d['std_dev_kind']}, {cur})", d["std_dev"]),
        ("Quartiles Q1 / Q3", f"{q.get('q1', '—')} / {q.get('q3', '—')}"),
        ("Fences lower / upper", f"{f.get('lower', '—')} / {f.get('upper', '—')}"),
        ("Outliers", outliers), ("Outlier rule", d["outlier_rule"])])]
    drawing = distribution_drawing(r)
    if drawing is not None:
        parts += [Spacer(1, 6), drawing]
    progression = progression_drawing(r)
    if progression is not None:
        parts += [Spacer(1, 6), KeepTogether([_p("Bid progression"), progression])]
    return parts


def _outcome(r: dict) -> list:
    o = r["outcome"]
    rec = o["recommended"] or {}
    reserve = o["reserve"]
    reserve_text = (f"{reserve['amount']} — {'met' if reserve['met'] else 'not met' if reserve['met'] is False else 'no bids'}"
                    f"{' (gap ' + reserve['gap'] + ')' if reserve.get('gap') else ''}") if reserve["enabled"] else "none"
    tie = o["tie_break"]
    return [_h("4. Outcome"), _facts([
        ("Status", _choice(RFQStatus, o["status"])), ("Winner", _winner(o)),
        ("Amount", o["amount"]), ("Rank of the awarded quote", o["rank"]),
        ("Recommended", f"{rec.get('supplier', {}).get('name', '—')} {rec.get('amount', '')}".strip()),
        ("Reserve", reserve_text),
        ("Tie-break applied", f"yes, decided by {_label(tie['decided_by']).lower()}" if tie["applied"] else "no"),
        ("Manual override", f"yes — reason: {o['override_reason']}" if o["manual_override"] else "no"),
    ])] + _allocation(o.get("allocation"))


def _winner(o: dict) -> str:
    if o["winner"]:
        return o["winner"]["name"]
    paid = (o.get("allocation") or {}).get("payments") or []
    return f"{len(paid)} suppliers: the awarded allocation below" if o["awarded"] and paid else "not awarded"


def _allocation(a: dict | None) -> list:
    """Split and bundle awards: the awarded allocation and what each winner is paid."""
    if not a:
        return []
    best = a["best_single_supplier"] or {}
    parts = [Spacer(1, 6), _facts([
        ("Recommended allocation cost", a["recommended_total_cost"] or "—"),
        ("Best single supplier", f"{best.get('supplier', {}).get('name', 'none')} {best.get('total', '')}".strip()),
        ("Saving", a["saving"] or "—"), ("Awarded cost (pay as bid)", a["total_cost"] or "—"),
        ("Paid in all", a["total_payment"] or "—")] + (
        [("No allocation", a["allocation_problem"])] if a["allocation_problem"] else []))]
    if a["lines"]:
        parts += [Spacer(1, 6), _p("Awarded allocation"), _table(
            [["Supplier", "Bid", "Line item", "Quantity", "Unit price", "Amount", "Bundle"]]
            + [[line["supplier"]["name"], line["bid_id"], line["line_item_id"], line["quantity"],
                line["unit_price"] or "—", line["amount"] or "—", "—" if line["bundle"] is None else line["bundle"] + 1]
               for line in a["lines"]])]
    if a["payments"]:
        parts += [Spacer(1, 6), _p("Payments"), _table(
            [["Supplier", "Rule", "Pay as bid", "Payment", "Premium"]]
            + [[p["supplier"]["name"], _label(p["rule"]), p["pay_as_bid"], p["payment"], p["surplus"]] for p in a["payments"]])]
    return parts


def _compliance(r: dict) -> list:
    c = r["compliance"]
    rules = ", ".join(rule.get("name") or rule_name(rule["id"]) for rule in c["rules_applied"])
    violations = [["Rule", "Category", "Severity", "Count", "Blocked"]] + [
        [rule_name(v["rule"]), _label(v["category"]), _label(v["severity"]), v["count"], v["blocked"]]
        for v in c["violations"]["by_rule"]]
    alerts = [["Severity", "Detector", "Summary", "Raised"]] + [
        [_label(a["severity"]), _label(a["detector"]), a["summary"], _time(a["raised_at"])] for a in c["gaming_alerts"]]
    actions = [["Time (UTC)", "Action", "By", "Detail"]] + [
        [_time(a["at"]), a["action"], a["by"], a["detail"]] for a in c["actions_taken"]]
    gate = c["award_gate"]
    parts = [_h("5. Compliance"), _p(f"Rules applied ({len(c['rules_applied'])}): {rules}"), Spacer(1, 4),
             _p(f"Rule violations: {c['violations']['total']} ({c['violations']['blocked']} blocked)")]
    if len(violations) > 1:
        parts.append(_table(violations))
    parts += _signed_bids(r.get("signatures"))
    parts += [Spacer(1, 4), _p(f"Gaming alerts: {len(c['gaming_alerts'])}")]
    if len(alerts) > 1:
        parts.append(_table(alerts, widths=[18 * mm, 30 * mm, 82 * mm, 40 * mm]))
    parts += [Spacer(1, 4), _p("Actions taken")]
    parts.append(_table(actions, widths=[40 * mm, 55 * mm, 25 * mm, 50 * mm]) if len(actions) > 1 else _p("none"))
    parts += [Spacer(1, 4), _p("Award gate: " + ("certification required — " + "; ".join(gate["reasons"])
                                                 if gate["required"] else "no certification required")
                               + (" (blocked)" if gate["blocked"] else ""))]
    return parts


def _signed_bids(sig: dict | None) -> list:
    """The signed bids (api.md "Signed bids"): which key signed each, and the signature."""
    if not sig or not (sig["signed_bids"] or sig["required"] or sig["refused"]):
        return []
    parts = [Spacer(1, 4), _p(f"Signed bids: {sig['signed_bids']} signed, {sig['unsigned_bids']} unsigned, "
                              f"{sig['refused']} refused for their signature"
                              + ("; signatures required by the RFQ" if sig["required"] else ""))]
    if sig["rows"]:
        rows = [["Bid", "Supplier", "Key", "Signature"]] + [
            [f"{row['bid_id']} v{row['version']}", row["supplier"], f"{row['key_id']} {row['fingerprint'] or ''}",
             row["signature"] or ("sealed until the opening" if row["sealed_until_opening"] else "")]
            for row in sig["rows"]]
        parts.append(_table(rows, widths=[18 * mm, 35 * mm, 52 * mm, 65 * mm]))
    return parts


def _certification(r: dict) -> list:
    cert = r["certification"]
    rows = [["Time (UTC)", "Officer", "Recommendation", "Findings", "Report"]] + [
        [_time(h["at"]), h["officer"], h["recommendation"], "; ".join(h["findings"]) or "—", f"v{h['report_version']}"]
        for h in cert["history"]]
    latest = cert["latest"]
    parts = [_h("6. Certification"), _p(
        f"Latest: {latest['recommendation']} by {latest['officer']} at {_time(latest['at'])} UTC" if latest
        else "Not yet certified by a compliance officer.")]
    if len(rows) > 1:
        parts.append(_table(rows, widths=[38 * mm, 25 * mm, 25 * mm, 67 * mm, 15 * mm]))
    return parts


def _anchor(anchor: dict | None) -> list[tuple[str, object]]:
    """The signed checkpoint outside the database that seals the events this report was built from."""
    if anchor is None:
        return [("Audit checkpoint", "not sealed yet (the trail is sealed at least every minute)")]
    return [("Audit checkpoint", f"seq {anchor['seq']}, sealed {_time(anchor['at'])} UTC"),
            ("Checkpoint head hash", anchor["head_hash"]), ("Signing key (Ed25519)", anchor["key_fingerprint"])]


def report_pdf(report, data: dict) -> bytes:
    """`report` is the FairnessReport (version, time, hash); `data` its JSON content."""
    buffer = BytesIO()
    rfq = data["rfq"]
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"Fairness audit report {rfq['reference']}",
                            author="Quayside", subject=rfq["title"])
    title = STYLES["Title"].clone("ReportTitle", textColor=HEAD, fontSize=18)
    story = [Paragraph(_text(f"Fairness audit report — {rfq['reference']}"), title), _p(rfq["title"]),
             _facts([("Buyer", rfq["buyer_organization"]["name"]), ("Auction type", _choice(AuctionType, rfq["auction_type"])),
                     ("Currency", rfq["currency"]), ("Closed (UTC)", _time(rfq["closed_at"])),
                     ("Report version", f"v{report.version}, generated {report.generated_at:%Y-%m-%d %H:%M:%S} UTC"),
                     ("Content hash (SHA-256)", report.content_hash), *_anchor(data.get("anchor"))]), Spacer(1, 6)]
    for section in (_summary, _timeline, _distribution, _outcome, _compliance, _certification):
        story += section(data) + [Spacer(1, 8)]
    doc.build(story)
    return buffer.getvalue()
