"""A printable PDF of one regulator report, with fpdf2 (pure Python) and the shipped CJK font.

Droid Sans Fallback has the CJK glyphs but no Latin ones, so text is written in runs: Latin-1
characters in the PDF core font Helvetica (nothing to embed), everything else in the CJK font.
fpdf2 embeds only the CJK glyphs used, so a report is tens of kilobytes. The PDF carries the
payload's SHA-256 on every page: a paper copy can be matched to the sealed record.
"""

from __future__ import annotations

import json
from typing import Any

from modpipe.assets import cjk_font_path

FONT = "cjk"
LATIN = "helvetica"


def runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into (font, run) pieces: Latin-1 in the core font, the rest in the CJK font."""
    out: list[tuple[str, str]] = []
    for ch in text:
        font = LATIN if ord(ch) < 256 and ch.isprintable() or ch == "\n" else FONT
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


def _text(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def render(v: dict[str, Any]) -> bytes:
    """``v`` is a report view (``reports.regulator.view``)."""
    from fpdf import FPDF

    p = v["payload"]

    class ReportPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(LATIN, size=7)
            self.cell(0, 5, f"report {v['id']} v{v['version']} - payload SHA-256 {v['payload_sha256']} - "
                      f"page {self.page_no()}/{{nb}}", align="C")

    pdf = ReportPDF(format="A4")
    pdf.set_title(f"Regulator report {v['id']} v{v['version']}")
    pdf.set_creator("modpipe")
    pdf.add_font(FONT, fname=str(cjk_font_path()))
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def write(text: str, size: float, line: float) -> None:
        for font, run in runs(text):
            pdf.set_font(font, size=size)
            pdf.write(line, run)

    def heading(text: str) -> None:
        pdf.ln(3)
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        pdf.set_fill_color(230, 230, 230)
        pdf.rect(pdf.l_margin, pdf.get_y(), width, 7, style="F")
        pdf.set_y(pdf.get_y() + 1)
        write(text, 11, 5)
        pdf.ln(7)

    def row(label: str, value: Any) -> None:
        write(f"{label}: {_text(value)}", 9, 5)
        pdf.ln(5)

    write("违法和不良信息报告 / Report to the regulator", 15, 8)
    pdf.ln(10)
    row("报送机关 Authority", p.get("authority"))
    row("状态 Status", f"{v['status']} (version {v['version']}"
        + (f", supersedes {v['supersedes']}" if v.get("supersedes") else "") + ")")
    row("依据条款 Clause", v["clause"])
    row("事由 Grounds", ", ".join(p.get("grounds") or []))
    row("监管回执编号 Regulator reference", v.get("regulator_ref"))
    row("报送 Submitted", f"{_text(v.get('submitted_at'))} by {_text(v.get('submitted_by'))}")
    if p.get("correction"):
        row("更正 Correction", p["correction"])

    item, org, acc = p.get("item") or {}, p.get("organisation") or {}, p.get("account") or {}
    heading("内容 Item")
    row("Item id", item.get("id"))
    row("URL", v.get("item_url"))
    row("External id", item.get("external_id"))
    row("发布时间 Published", item.get("published_at"))
    row("来源 IP Source IP", item.get("source_ip"))
    row("类型 Kind", f"{_text(item.get('kind'))} {_text(item.get('mime'))} {_text(item.get('filename'))}")
    heading("机构与账号 Organisation and account")
    row("机构 Organisation", f"{_text(org.get('name'))} ({_text(org.get('id'))})")
    row("账号 Account", acc.get("user_id"))
    row("实名 Real-name binding", acc.get("real_name_binding"))
    row("账号状态 Account status", acc.get("status"))
    heading("内容快照 Content snapshot")
    content = p.get("content") or {}
    row("SHA-256", content.get("sha256"))
    row("原件留存 Original sealed", "yes" if content.get("sealed_copy") else "no (text only)")
    row("文本 Text", content.get("text"))
    heading("AI 标识 AI labels")
    row("收到的标识 Labels received", (p.get("aigc") or {}).get("labels_received"))
    row("用户声明 User declaration", (p.get("aigc") or {}).get("declared_aigc"))
    heading("检测结果 Detector outputs")
    det = p.get("detectors") or {}
    row("Decision", f"{_text(det.get('decision'))} (source {_text(det.get('source'))})")
    for c in det.get("categories") or []:
        row(f"  {c.get('category')}", f"score {c.get('score')}; evidence {_text(c.get('evidence'))}")
    row("Flags", det.get("flags"))
    row("Versions", f"rules {_text(det.get('rules_version'))}, model {_text(det.get('model_version'))}")
    heading("审核记录 Review decisions")
    for r in p.get("reviews") or []:
        row(f"{_text(r.get('decided_at'))}", f"{_text(r.get('reviewer'))} ({_text(r.get('reviewer_role'))}): "
            f"{_text(r.get('decision'))}, categories {_text(r.get('categories'))}, fabricated "
            f"{'yes' if r.get('fabricated') else 'no'}; note: {_text(r.get('note'))}")
    heading("处置 Action")
    row("处置措施 Action taken", p.get("action_taken"))
    row("Decision", p.get("action"))
    row("摘要 Summary", p.get("summary"))
    row("合规备注 Compliance note", p.get("compliance_note"))
    return bytes(pdf.output())
