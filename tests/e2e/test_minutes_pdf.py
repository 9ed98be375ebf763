"""Meeting minutes saved as PDF (here printed by Chromium, as an office would) are read back into statements."""

from __future__ import annotations

from portal.participation.meetings import extract_text, split_statements

MINUTES = """
<html><body style="font-family: 'Noto Sans CJK SC', sans-serif">
<h1>石桥镇全域土地综合整治座谈会纪要</h1>
<p>主持人：今天请大家谈谈对整治方案的意见。</p>
<p>张大伯：机耕路要修到三组，不然收割机进不来。</p>
<p>李婶（下坪村）：祖坟不能迁，要迁也得先商量补偿标准。</p>
</body></html>
"""


def test_pdf_minutes_split_into_statements(page):
    page.set_content(MINUTES)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")

    paragraphs = extract_text(pdf, "pdf")
    statements, skipped = split_statements(paragraphs, ("主持人",))

    speakers = [speaker for speaker, _ in statements]
    assert speakers == ["张大伯", "李婶"]
    assert "机耕路" in statements[0][1] and "祖坟" in statements[1][1]
    assert skipped >= 1  # the chair's line is not a resident's statement
