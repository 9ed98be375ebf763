"""Representatives, offline imports and publicity (posters, QR, broadcast text, Atom feed, how-to page)."""

from __future__ import annotations

import datetime as dt
import io
from xml.etree import ElementTree as ET

import pytest
from openpyxl import Workbook, load_workbook

from portal.models import Comment, Notice, OfflineImport, Representative, RepresentativeSignoff


@pytest.fixture
def staff_project(app, db, client, login, make_project):
    login()
    return make_project(stages="open,closed")


# ---- representatives ------------------------------------------------------------------------------------


def test_representatives_private_names_public_participation(client, db, staff_project):
    project = staff_project
    stage = project.stages[0]
    url = f"/staff/participation/projects/{project.id}/representatives"
    missing = client.post(url, data={"stage_id": str(stage.id), "name": "刘建国", "group_represented": ""})
    assert missing.status_code == 400 and "此项必填" in missing.get_data(as_text=True)
    assert client.post(url, data={"stage_id": str(stage.id), "name": "刘建国", "village": "石桥村",
                                  "group_represented": "承包户"}).status_code == 302
    assert db.session.execute(db.select(RepresentativeSignoff.id)).first() is None
    project_rep = db.session.execute(db.select(Representative)).scalar_one()
    sign = f"/staff/participation/representatives/{project_rep.id}/signoff"
    objection = client.post(sign, data={"position": "object", "statement": ""})
    assert objection.status_code == 400 and "请记录代表提出的条件或理由" in objection.get_data(as_text=True)
    assert client.post(sign, data={"position": "conditional",
                                   "statement": "同意，但排水沟要先修。我电话13812345678"}).status_code == 302
    staff_page = client.get(f"/staff/participation/projects/{project.id}").get_data(as_text=True)
    assert "刘建国" in staff_page and "有条件同意" in staff_page
    client.post("/staff/logout")
    public = client.get(f"/projects/{project.slug}/representatives").get_data(as_text=True)
    assert "刘建国" not in public and "13812345678" not in public
    assert "承包户" in public and "有条件同意" in public and "排水沟要先修" in public
    assert "共 1 位公众代表参与" in public


# ---- offline imports ------------------------------------------------------------------------------------


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["阶段", "渠道", "收到日期", "村", "姓名", "联系电话", "意见内容"]


def _upload(client, project, data: bytes, name: str):
    return client.post(f"/staff/participation/projects/{project.id}/imports",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_import_reports_every_row_and_reimport_creates_no_duplicates(client, db, staff_project, today):
    project = staff_project
    rows = [HEADER,
            ["规划", "纸质意见表", today.isoformat(), "石桥村", "张三", "13800001234", "晒场不要划成建设用地。"],
            ["实施", "热线", today, "", "", "", "来电：机耕路要留排水沟。"],
            ["规划", "", "", "下坪村", "", "", ""],                                   # no text
            ["规划", "微博", "", "", "", "", "渠道不对"],                               # bad channel
            ["验收", "电话", "", "", "", "", "没有验收阶段"],                            # unknown stage
            ["规划", "电话", "2026-13-45", "", "", "", "日期写错"],                      # bad date
            ["规划", "电话", "", "火星村", "", "", "村不对"],                            # bad village
            ["规划", "电话", "", "", "", "abc", "电话写错"],                             # bad phone
            [None, None, None, None, None, None, None],                                # blank line: not data
            ["规划", "纸质意见表", today.isoformat(), "石桥村", "张三", "13800001234", "晒场不要划成建设用地。"]]
    data = _xlsx(rows)
    response = _upload(client, project, data, "paper.xlsx")
    assert response.status_code == 302
    batch = db.session.execute(db.select(OfflineImport)).scalar_one()
    statuses = {e["row"]: e["status"] for e in batch.report}
    assert statuses == {2: "imported", 3: "imported", 4: "error", 5: "error", 6: "error", 7: "error", 8: "error",
                        9: "error", 11: "duplicate"}
    assert (batch.total_rows, batch.imported, batch.duplicates, batch.errors) == (9, 2, 1, 6)
    messages = {e["row"]: e["message"] for e in batch.report}
    assert "意见内容不能为空" in messages[4] and "渠道" in messages[5] and "阶段" in messages[6]
    assert "日期" in messages[7] and "火星村" in messages[8] and "联系电话格式不对" in messages[9]
    comments = db.session.execute(db.select(Comment).order_by(Comment.id)).scalars().all()
    assert [c.channel for c in comments] == ["纸质意见表", "电话"]
    assert comments[1].stage.kind == "implementation" and comments[0].entered_by_id is not None
    assert all(c.screened_at is not None for c in comments)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入 2 行，重复跳过 1 行，有误 6 行" in page

    # Re-import of the same file: every good row is a duplicate now.
    assert _upload(client, project, data, "paper.xlsx").status_code == 302
    second = db.session.execute(db.select(OfflineImport).order_by(OfflineImport.id.desc())).scalars().first()
    assert (second.imported, second.duplicates, second.errors) == (0, 3, 6)
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 2
    report = client.get(f"/staff/participation/imports/{second.id}?format=xlsx")
    assert len(list(load_workbook(io.BytesIO(report.data)).active.iter_rows())) == 10


def test_import_csv_gbk_and_template(client, db, staff_project):
    project = staff_project
    template = client.get("/staff/participation/imports/template.csv").data.decode("utf-8-sig")
    assert template.splitlines()[0] == ",".join(HEADER)
    xlsx = client.get("/staff/participation/imports/template.xlsx")
    assert next(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True)) == tuple(HEADER)
    assert client.get("/staff/participation/imports/template.pdf").status_code == 404
    csv_data = "意见内容,阶段\n水渠要清淤,规划\n".encode("gb18030")
    assert _upload(client, project, csv_data, "hotline.csv").status_code == 302
    assert db.session.execute(db.select(Comment.text)).scalar_one() == "水渠要清淤"


@pytest.mark.parametrize("data,name,message", [
    (b"a,b\n1,2\n", "x.csv", "至少包含“意见内容”一列"),
    ("意见内容\n".encode(), "x.csv", "只有表头"),
    (b"PK\x03\x04broken", "x.xlsx", "无法读取这个 Excel 文件"),
    (b"hello", "x.txt", "不支持这种文件类型"),
    (b"", "x.csv", "文件是空的"),
])
def test_import_bad_files(client, db, staff_project, data, name, message):
    response = _upload(client, staff_project, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(OfflineImport.id))).scalar_one() == 0


def test_import_row_limit(app, client, db, staff_project):
    app.config["PARTICIPATION_IMPORT_MAX_ROWS"] = 2
    data = "意见内容,阶段\n一,规划\n二,规划\n三,规划\n".encode()
    response = _upload(client, staff_project, data, "x.csv")
    assert response.status_code == 400 and "一次最多导入 2 行" in response.get_data(as_text=True)


# ---- publicity ------------------------------------------------------------------------------------------


@pytest.fixture
def notice(db, staff_project, today):
    notice = Notice(project_id=staff_project.id, stage_id=staff_project.stages[0].id, kind="公示",
                    title="石桥村村庄规划草案公示", body="规划草案全文见附件。", starts_on=today,
                    ends_on=today + dt.timedelta(days=29))
    db.session.add(notice)
    db.session.commit()
    return notice


def test_posters_with_inline_qr(client, app, staff_project, notice):
    app.config["PARTICIPATION_PUBLIC_BASE_URL"] = "http://tingjian.example.gov.cn"
    app.config["PARTICIPATION_HOTLINE"] = "0839-1234567"
    project = staff_project
    page = client.get(f"/projects/{project.slug}/poster").get_data(as_text=True)
    assert "<svg" in page and "@page" in page and "0839-1234567" in page
    assert f"http://tingjian.example.gov.cn/projects/{project.slug}" in page
    notice_page = client.get(f"/projects/{project.slug}/notices/{notice.id}/poster").get_data(as_text=True)
    assert "石桥村村庄规划草案公示" in notice_page and "共 30 天" in notice_page and "<svg" in notice_page
    svg = client.get(f"/projects/{project.slug}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and ET.fromstring(svg.data).tag.endswith("svg")
    assert client.get(f"/projects/{project.slug}/notices/999/poster").status_code == 404
    assert client.get("/projects/no-such-project/poster").status_code == 404
    # Linked from the public pages.
    assert f"/projects/{project.slug}/poster" in client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert f"/notices/{notice.id}/poster" in client.get(
        f"/projects/{project.slug}/notices/{notice.id}").get_data(as_text=True)


def test_broadcast_text_is_short_and_plain(client, app, staff_project, notice):
    app.config["PARTICIPATION_BROADCAST_MAX_CHARS"] = 120
    text = client.get(f"/projects/{staff_project.slug}/notices/{notice.id}/broadcast?format=txt").data.decode()
    assert len(text) <= 120 and text.startswith("【公示】") and f"/notices/{notice.id}" in text
    page = client.get(f"/projects/{staff_project.slug}/broadcast").get_data(as_text=True)
    assert "broadcast-text" in page and "【征求意见】" in page


def test_atom_feed(client, db, staff_project, notice, make_project):
    hidden = make_project(status="draft")
    db.session.add(Notice(project_id=hidden.id, kind="公告", title="草稿项目的公告", starts_on=notice.starts_on,
                          ends_on=notice.ends_on))
    db.session.commit()
    response = client.get("/feeds/notices.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == ["【公示】石桥村村庄规划草案公示"]
    project_feed = ET.fromstring(client.get(f"/projects/{staff_project.slug}/notices.atom").data)
    assert len(project_feed.findall("a:entry", ns)) == 1


def test_how_to_take_part_page(client):
    page = client.get("/how-to-take-part").get_data(as_text=True)
    for word in ("知情权", "参与权", "监督权", "回执码", "第四十七条", "30 天"):
        assert word in page
    assert "/how-to-take-part" in client.get("/").get_data(as_text=True)  # in the public menu


def test_staff_overview_roles(client, login, make_project):
    make_project()
    login(role="department")
    assert client.get("/staff/participation/").status_code == 403


# ---- command line ---------------------------------------------------------------------------------------


def test_cli_import_and_export(app, db, make_project, make_user, tmp_path):
    project = make_project()
    make_user("clerk")
    good = tmp_path / "forms.csv"
    good.write_text("意见内容,阶段\n水渠要清淤,规划\n,规划\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["participation", "import", project.slug, str(good), "--user", "clerk"])
    assert result.exit_code == 2, result.output  # one bad row: reported, non-zero exit
    assert "导入 1" in result.output and "第 3 行" in result.output
    again = runner.invoke(args=["participation", "import", project.slug, str(good), "--user", "clerk"])
    assert "重复 1" in again.output
    assert runner.invoke(args=["participation", "import", "nope", str(good), "--user", "clerk"]).exit_code == 1
    assert runner.invoke(args=["participation", "export-survey", "99", str(tmp_path / "x.csv")]).exit_code == 1


def test_ids_beyond_32_bits_are_not_found(client, db, staff_project):
    huge = "9" * 30
    for url in [f"/surveys/{huge}", f"/meetings/{huge}", f"/staff/participation/projects/{huge}",
                f"/staff/participation/surveys/{huge}", f"/staff/participation/meetings/{huge}",
                f"/staff/participation/imports/{huge}", f"/staff/participation/projects/{huge}/imports"]:
        assert client.get(url).status_code == 404, url
    bad_stage = client.post(f"/staff/participation/projects/{staff_project.id}/representatives",
                            data={"stage_id": huge, "name": "刘", "group_represented": "承包户"})
    assert bad_stage.status_code == 400 and "本项目的一个阶段" in bad_stage.get_data(as_text=True)
