"""The command line's own texts: help, column headers, results, argparse's messages and the doctor.

key: (zh, en). Help texts are plain: the parser doubles any ``%`` for argparse.
"""

from __future__ import annotations

from typing import Final

_HELP: Final[dict[str, tuple[str, str]]] = {
    # monitoring gaps and emergency corrections (cli/record.py, cli/duty.py)
    "cli.help.gaps": (
        "巡查中断记录：退出、暂停、异常中止、休眠（开始、结束、时长、原因、人员）",
        "monitoring gaps: quit, pause, crash, sleep (start, end, duration, cause, reason, who)",
    ),
    "cli.help.gaps.from": ("只列与此时刻之后重叠的中断", "only gaps that reach past this instant"),
    "cli.help.gaps.to": ("只列此时刻之前开始的中断", "only gaps that started before this instant"),
    "cli.help.emergency cancel": (
        "取消误录或误报的突发事件（停止 2 小时计时，不再升级；记录原因，原记录不改）",
        "cancel a mistyped or false emergency (its 2-hour clock stops, nothing escalates; the reason is recorded, the original kept)",
    ),
    "cli.help.emergency cancel.reason": ("取消原因（必填）", "why it is cancelled (required)"),
    "cli.help.emergency.officer": ("操作人（默认：当班值班员）", "who acts (default: the officer on shift)"),
    "cli.help.emergency correct": (
        "更正突发事件：取消原记录并新建一条注明更正对象的记录；默认沿用原启动时间计时",
        "correct an emergency: the original is cancelled and a new one naming it is recorded; the clock keeps the original activation time",
    ),
    "cli.help.emergency correct.keywords": ("更正后的关键词（默认：沿用原关键词）", "the corrected keywords (default: the original ones)"),
    "cli.help.emergency correct.reason": ("更正原因（必填）", "why it is corrected (required)"),
    "cli.help.emergency correct.restart_clock": (
        "从现在起重新计时 2 小时（应急响应实际晚于原记录启动时）",
        "start the 2-hour clock now (the plan was really activated later than recorded)",
    ),
    # escalation (cli/escalation.py)
    "cli.help.escalation": ("超时升级：通知带班领导的渠道", "escalation: the channels that reach the leader on duty"),
    "cli.help.escalation channels": (
        "从标准输入读取通知地址（Apprise 格式，每行一个；空行和 # 开头的行忽略），存入系统凭据库",
        "read notification addresses (Apprise URLs, one per line; blank and # lines ignored) from standard input into the OS keyring",
    ),
    "cli.help.escalation channels.list": ("列出已配置的渠道（密钥已遮盖）", "list the configured channels (keys masked)"),
    "cli.help.escalation test": (
        "通过每个渠道发送一条测试消息并逐一报告结果",
        "send a test message through each channel and report each result",
    ),
    "cli.help.prog": (
        "江北政务新媒体值班台（JB WatchDesk）：政务新媒体账号的值班工具。",
        "JB WatchDesk (江北政务新媒体值班台): the duty desk for government new-media accounts.",
    ),
    "cli.help.epilog": (
        "示例：\n  jb-watchdesk --demo\n  jb-watchdesk --data-dir ./ws accounts import register.csv\n"
        "  jb-watchdesk status --json\n\n退出码：0 成功，1 检查未通过，2 输入有误，3 环境问题",
        "examples:\n  jb-watchdesk --demo\n  jb-watchdesk --data-dir ./ws accounts import register.csv\n"
        "  jb-watchdesk status --json\n\nexit codes: 0 ok, 1 a check failed, 2 bad input, 3 environment problem",
    ),
    "cli.help.data_dir": (
        "工作目录（默认：$JB_WATCHDESK_HOME 或用户数据目录）",
        "workspace folder (default: $JB_WATCHDESK_HOME or the user data dir)",
    ),
    "cli.help.now": (
        "按此时刻计算，例如 2026-11-25T08:00:00+08:00",
        "evaluate as of this instant, e.g. 2026-11-25T08:00:00+08:00",
    ),
    "cli.help.lang": ("提示语言（默认 zh，或 $JB_WATCHDESK_LANG）", "message language (default zh, or $JB_WATCHDESK_LANG)"),
    "cli.help.demo": ("在新建的演示工作目录上运行", "run on a fresh demo workspace"),
    "cli.help.debug": ("显示调试日志和错误详情", "show tracebacks and debug logging"),
    "cli.help.json": ("机器可读的输出（JSON）", "machine-readable output"),
    "cli.help.officer": ("值班人员（默认：登录用户名）", "who does it (default: the login name)"),
    "cli.help.accounts": ("账号登记", "the account register"),
    "cli.help.accounts import": (
        "导入账号登记表（.csv/.xlsx/.json），全部正确才导入",
        "import a register (.csv/.xlsx/.json); all-or-nothing",
    ),
    "cli.help.accounts export": (
        "导出账号登记表（.csv/.xlsx/.json），可再导入",
        "export the register (.csv/.xlsx/.json); round-trips with import",
    ),
    "cli.help.accounts list": ("列出账号", "list the accounts"),
    "cli.help.accounts set-secret": (
        "把账号凭据存入系统钥匙串，凭据从标准输入读取",
        "store a secret for an account in the OS keyring, read from stdin",
    ),
    "cli.help.accounts import-secrets": (
        "从标准输入批量把凭据存入系统钥匙串（CSV 或 JSON，列为 account,name,value）；全部有效才保存，逐行报告",
        "store many secrets in the OS keyring from stdin (CSV or JSON rows account,name,value); all rows are "
        "checked first and nothing is stored unless all are valid; reported per row, values never shown",
    ),
    "cli.help.accounts import-secrets.format": (
        "输入格式（默认按内容判断：以 [ 开头为 JSON，否则为 CSV）",
        "input format (default: JSON when it starts with [, else CSV)",
    ),
    "cli.help.accounts set-secret.name": (
        "例如 app_secret、access_token、client_secret、refresh_token",
        "e.g. app_secret, access_token, client_secret, refresh_token",
    ),
    "cli.help.status": (
        "各账号的更新情况、读取状态、待回复和超时留言",
        "per account: freshness, health, pending and overdue comments",
    ),
    "cli.help.doctor": (
        "检查凭据库、数据库、节假日日历、代理、通知和显示器",
        "check keyring, database, calendar, proxy, notifications, display",
    ),
    "cli.help.poll": ("巡查所有账号（一次，或按计划持续进行）", "poll every account (once, or on schedule until stopped)"),
    "cli.help.poll.once": ("巡查所有账号一轮后退出", "one cycle over every account, then exit"),
    "cli.help.run": ("不开窗口运行整个巡查循环", "the whole watch loop without a window"),
    "cli.help.run.headless": ("不开窗口（目前唯一的方式）", "no window (the only mode for now)"),
    "cli.help.comments": ("公众留言及其确认、办结期限", "public comments with their acknowledgement and result deadlines"),
    "cli.help.comments.pending": ("只列出未办结的留言", "only comments not yet done"),
    "cli.help.scan": (
        "检查文本中的敏感内容；无发现退出码 0，有发现退出码 1",
        "scan a text for sensitive content; exit 0 when clean, 1 when anything is found",
    ),
    "cli.help.scan.file": (
        "UTF-8 文本文件，或 - 表示标准输入（默认）",
        "UTF-8 text file, or - for standard input (the default)",
    ),
    "cli.help.scan.json": (
        "机器可读的输出；位置按输入文本的字符计",
        "machine-readable output; offsets are code points into the input",
    ),
    "cli.help.scan.lexicon": (
        "改用此词库文件或文件夹，而非内置和工作目录中的词库（可重复）",
        "scan with this lexicon file or folder instead of the shipped and workspace ones (repeatable)",
    ),
    "cli.help.alerts": ("敏感内容和账号状态告警，最新的在前", "sensitive-content and lifecycle alerts, newest first"),
    "cli.help.alerts.state": ("哪些告警（默认：new 新告警）", "which alerts (default: new)"),
    "cli.help.alerts ack.note": ("处理情况，例如已要求发布单位删除", "what was done, e.g. asked the unit to delete the post"),
    # Triage from the command line: alert filters, bulk acknowledgement and deferral, comment actions.
    # (Help, placeholders, columns and results together, so the feature's words are read in one place.)
    "cli.help.alerts ack": (
        "确认告警：一条，或某条内容、留言、某个账号、某条规则的全部新告警；一条说明，每条告警各记一笔",
        "acknowledge one alert, or every new alert of a post, comment, account or rule: one note, a record row per alert",
    ),
    "cli.help.alerts.backlog": (
        "只列出存量告警（账号首次巡查前发布、或发现时已超过 24 小时的内容；不弹窗、不上报）",
        "only backlog alerts (published before the account's first poll, or over 24 hours old when first seen; "
        "they never pop up or escalate)",
    ),
    "cli.help.alerts.live": ("只列出实时告警（会弹窗、到时上报）", "only live alerts (they pop up and escalate)"),
    "cli.help.alerts.severity": ("只列出此级别（可重复给出）", "only this severity (repeatable)"),
    "cli.help.alerts.account": ("只列出此账号的告警（可重复给出）", "only this account's alerts (repeatable)"),
    "cli.help.alerts.rule": ("只列出命中此规则的告警，例如 pii.id_card", "only alerts with a hit of this rule, e.g. pii.id_card"),
    "cli.help.alerts.id": ("一条告警的编号", "one alert's id"),
    "cli.help.alerts.post": (
        "该内容的全部新告警（编号即 alerts --json 中的 item_id）",
        "every new alert of this post (its item_id in alerts --json)",
    ),
    "cli.help.alerts.comment": ("该留言的全部新告警", "every new alert of this comment"),
    "cli.help.alerts.by_account": ("该账号的全部新告警", "every new alert of this account"),
    "cli.help.alerts.by_rule": ("命中该规则的全部新告警", "every new alert with a hit of this rule"),
    "cli.help.alerts defer": (
        "暂缓告警：到期前不弹窗、不重复提醒（上报计时照常）；交班时恢复",
        "defer alerts: no pop-up or repeat until then (the escalation clock runs on); ending the shift brings them back",
    ),
    "cli.help.alerts defer.for": (
        "暂缓多久：15m 十五分钟，1h 一小时，shift 至本班结束",
        "how long: 15m, 1h, or shift (until the shift ends)",
    ),
    "cli.help.alerts defer.note": ("说明（可不填）", "a note (optional)"),
    "cli.help.comments ack": (
        "确认受理留言：已告知留言人正在办理（1 小时内）",
        "acknowledge a comment: the public was told it is being handled (within 1 hour)",
    ),
    "cli.help.comments ack.note": ("如何答复的，例如已回复正在核实", "what was said, e.g. replied that it is being checked"),
    "cli.help.comments done": (
        "留言办结：已给出办理结果（5 个工作日内）",
        "mark a comment done: the result was given (within 5 working days)",
    ),
    "cli.help.comments done.note": ("办理结果", "the result given"),
    "cli.help.comments.id": ("留言编号（comments --json 中的 id）", "the comment's id (its id in comments --json)"),
    "cli.metavar.rule": ("规则", "RULE"),
    "cli.column.published": ("发布时间", "published"),
    "cli.column.timing": ("实时/存量", "live/backlog"),
    "cli.column.hits": ("命中", "hits"),
    "cli.column.first_seen": ("发现时间", "first seen"),
    "cli.alerts.deferred_until": ("（暂缓至 {until}）", " (deferred until {until})"),
    "cli.alerts.live": ("实时", "live"),
    "cli.alerts.backlog": ("存量", "backlog"),
    "cli.alerts.totals": (
        "列出 {listed} 条。待处理 {open} 条（高风险 {high}；实时 {live}，存量 {backlog}），其中暂缓 {deferred}、已上报 {escalated}；"
        "已确认 {acknowledged}，已解决 {resolved}；共 {total} 条",
        "listed {listed}. open {open} (high {high}; live {live}, backlog {backlog}), of which deferred {deferred}, "
        "escalated {escalated}; acknowledged {acknowledged}, resolved {resolved}; {total} in all",
    ),
    "cli.alerts.none": ("没有符合条件的告警", "no alert matches"),
    "cli.alerts.acknowledged_many": (
        "已确认 {count} 条告警（编号 {ids}），值班员 {officer}",
        "acknowledged {count} alerts (ids {ids}) as {officer}",
    ),
    "cli.alerts.deferred": ("已暂缓 {count} 条告警至 {until}（编号 {ids}）", "deferred {count} alerts until {until} (ids {ids})"),
    "cli.alerts.nothing_new": ("没有符合条件的新告警，未作改动", "no new alert matches; nothing changed"),
    "cli.alerts.no_post": ("没有编号为 {item_id} 的内容", "no post with id {item_id}"),
    "cli.alerts.cannot_defer": (
        "告警 {alert_id} 当前状态为{state}，只有新告警可以暂缓",
        "alert {alert_id} is {state}: only a new alert can be deferred",
    ),
    "cli.bad_id": ("应为 1 到 {limit} 之间的整数，而不是“{value}”", "must be a whole number from 1 to {limit}, not '{value}'"),
    "cli.comments.acknowledged": ("已确认受理留言 {comment_id}（{officer}）", "acknowledged comment {comment_id} ({officer})"),
    "cli.comments.done": ("留言 {comment_id} 已办结（{officer}）", "comment {comment_id} done ({officer})"),
    # (end of the triage block)
    "cli.help.lexicon": ("敏感词库", "the sensitive-content lexicon"),
    "cli.help.lexicon allow": (
        "把白名单短语加入工作目录的 lexicon/allow.csv；加 --alert 同时确认该告警",
        "add an allow phrase to the workspace's lexicon/allow.csv; with --alert also acknowledge that alert",
    ),
    "cli.help.lexicon allow.phrase": (
        "至少两个字；它完整覆盖的命中都不再告警",
        "at least two characters; it cancels every hit it fully covers",
    ),
    "cli.help.lexicon allow.note": ("放行理由，例如地名而非广告", "why the phrase is allowed, e.g. a place name, not an advertisement"),
    "cli.help.lexicon allow.alert": (
        "短语所针对的告警：短语须包含该告警的命中内容",
        "the alert the phrase answers: it must contain the alert's matched text",
    ),
    "cli.help.lexicon check": (
        "列出词库问题；有文件无法读取或有行未载入时退出码 1",
        "list lexicon problems; exit 1 if a file cannot be read or lines were skipped",
    ),
    "cli.help.lexicon check.paths": (
        "要检查的词库文件或文件夹（默认：内置词库和工作目录的 lexicon/ 文件夹）",
        "lexicon files or folders to check (default: the shipped lexicon and the workspace's lexicon/ folder)",
    ),
    "cli.help.simulator": (
        "在本机提供模拟平台（演示、测试、性能测试用）",
        "serve the simulated platforms on loopback (demo, tests, benchmarks)",
    ),
    "cli.help.simulator.host": ("监听地址（默认 127.0.0.1）", "address to bind (default 127.0.0.1)"),
    "cli.help.simulator.port": ("端口（0 表示任选空闲端口）", "port (0 picks a free one)"),
    "cli.help.simulator.accounts": ("模拟账号数", "number of simulated accounts"),
    "cli.help.simulator.seed": ("模拟内容的随机种子", "seed of the deterministic content"),
    "cli.help.simulator.latency": ("每个请求增加的延迟（毫秒）", "added latency per request"),
    "cli.help.simulator.faults": (
        "故障设置，例如 5xx%5,html@rss-0003,drip@weibo-0002,429=30%10",
        "e.g. 5xx%5,html@rss-0003,drip@weibo-0002,429=30%10",
    ),
    "cli.help.db": ("数据库维护", "database maintenance"),
    "cli.help.db backup": ("通过 SQLite 备份接口在线备份数据库", "consistent online backup through the SQLite backup API"),
    "cli.help.db restore": (
        "用备份替换数据库：先检查备份副本（完整性与值班记录哈希链），原数据库另存保留",
        "replace the database by a backup: a copy is checked first (integrity, the duty record's hash chain); the old one is kept",
    ),
    "cli.help.shift": ("值班班次与交接", "duty shifts and the handover"),
    "cli.help.shift start": ("开始值班（另一班未结束时拒绝）", "start a shift (refused while another shift is open)"),
    "cli.help.shift start.officer": ("值班人员", "the officer on duty"),
    "cli.help.shift end": (
        "结束当前班次并写交班说明，或写明原因强制结班",
        "end the open shift with a handover note, or force-close it with a reason",
    ),
    "cli.help.shift end.note": ("给接班人员的交班说明", "handover note for the incoming officer"),
    "cli.help.shift end.force": ("值班人员已离开时强制结班，并记录原因", "force-close a shift its officer left open, recording why"),
    "cli.help.shift list": ("班次列表，最新的在前", "shifts, newest first"),
    "cli.help.shift handover": (
        "查看上一班移交的事项；加 --confirm 确认接班",
        "show what the last shift hands over; --confirm to take it over",
    ),
    "cli.help.shift handover.confirm": ("确认接班（须同时给出 --officer）", "confirm the handover (needs --officer)"),
    "cli.help.shift handover.officer": ("确认接班的值班人员", "the incoming officer confirming"),
    "cli.help.inspect": ("记录一次人工巡查（§4.3 的四项检查）", "record a manual inspection of an account with the four checks of §4.3"),
    "cli.help.inspect.check": (
        "运行情况/operation、栏目更新/column_updates、信息内容质量/content_quality、安全防护/security；"
        "名称=ok 或 名称=问题描述；未给出的检查项记为正常",
        "operation/运行情况, column_updates/栏目更新, content_quality/信息内容质量, security/安全防护; "
        "NAME=ok or NAME=finding; checks not given are recorded as ok",
    ),
    "cli.help.inspect.finding": ("总体发现", "overall finding"),
    "cli.help.inspect.action": ("已采取的整改措施（记录了问题时必填）", "corrective action taken (required with any finding)"),
    "cli.help.inspect.corrects": ("作为对此前某条巡查记录的更正", "record this as a correction of an earlier inspection"),
    "cli.help.inspect.latest_post": (
        "人工读取：平台上最新一条发布的时间（ISO 格式，不带时区按北京时间），用于无法由机器读取的账号",
        "a reading: when the latest post on the platform was published (ISO-8601; without a zone, Beijing time), "
        "for accounts no machine source reads",
    ),
    "cli.help.inspect.posts": (
        "人工读取：自上次读取以来的新发布条数（首次读取：近 7 天）",
        "a reading: posts since the last reading (first reading: in the last 7 days)",
    ),
    "cli.help.inspect.comments_waiting": ("人工读取：待回复的留言条数", "a reading: comments waiting for an answer"),
    "cli.help.inspect.link": ("人工读取：查看的页面链接（http/https）", "a reading: the page looked at (http/https)"),
    "cli.help.inspect.officer": (
        "人工读取的值班员（无人值班时必填；有人值班时须为当班值班员）",
        "who read (required when nobody is on duty; else it must be the officer on duty)",
    ),
    "cli.help.emergency": ("突发事件应急响应（§3.6：2 小时内首发）", "emergency plan activations (§3.6: first post within 2 hours)"),
    "cli.help.emergency start": (
        "记录一次应急响应；首条相关发布停止 2 小时计时",
        "record an activation; the first related post stops the 2-hour clock",
    ),
    "cli.help.emergency start.keywords": ("相关发布包含的词（默认：标题）", "words a related post contains (default: the title)"),
    "cli.help.emergency list": ("应急响应及其倒计时、按时或超时", "activations with their countdown, met or missed"),
    "cli.help.log": ("防篡改的值班记录", "the tamper-evident duty record"),
    "cli.help.log verify": (
        "校验记录链；有损坏时退出码 1 并指出第一处",
        "check the record's hash chain; exit 1 naming the first broken row",
    ),
    "cli.help.log verify.anchor": (
        "同时与此前导出文件中的锚点核对：照抄“记录链锚点”（序号 N 条数 N SHA-256 …），或写作 序号:哈希",
        "also check against the anchor printed in an earlier export: as printed (no. N, N rows, SHA-256 …), or SEQ:HASH",
    ),
    "cli.help.handover": ("交接记录", "handover records"),
    "cli.help.handover export": ("导出一个班次（或一段时间）的交接记录", "export a shift's (or a period's) handover record"),
    "cli.help.handover export.shift": ("一个班次", "one shift"),
    "cli.help.handover export.from": ("时段开始（须同时给出 --to）", "start of a period (needs --to)"),
    "cli.help.handover export.to": ("时段结束", "end of the period"),
    "cli.help.report": ("报表", "reports"),
    "cli.help.report weekly": (
        "周报：每周更新 3 次达标情况、留言办理时效、告警和图表",
        "weekly report: updates against 3/week, comment timeliness, alerts, charts",
    ),
    "cli.help.report weekly.week": ("ISO 周次（默认：上一个完整周）", "ISO week (default: the last full week)"),
}

_METAVARS: Final[dict[str, tuple[str, str]]] = {
    "cli.metavar.command": ("命令", "COMMAND"),
    "cli.metavar.action": ("操作", "ACTION"),
    "cli.metavar.dir": ("目录", "DIR"),
    "cli.metavar.file": ("文件", "FILE"),
    "cli.metavar.path": ("路径", "PATH"),
    "cli.metavar.id": ("编号", "ID"),
    "cli.metavar.account_id": ("账号编号", "ACCOUNT_ID"),
    "cli.metavar.inspection_id": ("巡查记录编号", "INSPECTION_ID"),
    "cli.metavar.name": ("名称", "NAME"),
    "cli.metavar.text": ("文字", "TEXT"),
    "cli.metavar.reason": ("原因", "REASON"),
    "cli.metavar.phrase": ("短语", "PHRASE"),
    "cli.metavar.check": ("名称=ok|问题", "NAME=ok|FINDING"),
    "cli.metavar.anchor": ("锚点", "ANCHOR"),
    "cli.metavar.spec": ("设置", "SPEC"),
    "cli.metavar.secret": ("凭据", "secret"),
}

_ARGPARSE: Final[dict[str, tuple[str, str]]] = {
    "cli.example": ("示例：", "example:"),
    "cli.argparse.usage": ("用法：", "usage: "),
    "cli.argparse.positionals": ("位置参数", "positional arguments"),
    "cli.argparse.options": ("选项", "options"),
    "cli.argparse.help": ("显示此帮助并退出", "show this help message and exit"),
    "cli.argparse.version": ("显示版本号并退出", "show program's version number and exit"),
    "cli.argparse.argument": ("参数 %(argument_name)s：%(message)s", "argument %(argument_name)s: %(message)s"),
    "cli.argparse.unrecognized": ("无法识别的参数：%s", "unrecognized arguments: %s"),
    "cli.argparse.required": ("缺少必需的参数：%s", "the following arguments are required: %s"),
    "cli.argparse.one_of": ("须给出以下参数之一：%s", "one of the arguments %s is required"),
    "cli.argparse.not_allowed": ("不能与参数 %s 同时使用", "not allowed with argument %s"),
    "cli.argparse.expected_one": ("需要一个值", "expected one argument"),
    "cli.argparse.expected_at_most_one": ("最多一个值", "expected at most one argument"),
    "cli.argparse.expected_at_least_one": ("至少需要一个值", "expected at least one argument"),
    "cli.argparse.expected_n": ("需要 %s 个值", "expected %s arguments"),
    "cli.argparse.ambiguous": ("选项 %(option)s 不明确，可能是 %(matches)s", "ambiguous option: %(option)s could match %(matches)s"),
    "cli.argparse.invalid_value": ("值无效：%(value)r", "invalid %(type)s value: %(value)r"),
    "cli.argparse.invalid_choice": ("无效的选择 %(value)r（可选：%(choices)s）", "invalid choice: %(value)r (choose from %(choices)s)"),
    "cli.argparse.ignored": ("忽略了多余的值 %r", "ignored explicit argument %r"),
    "cli.argparse.error": ("%(prog)s：错误：%(message)s\n", "%(prog)s: error: %(message)s\n"),
    "cli.argparse.failed": ("{prog}：错误：{message}（用法见 {prog} --help）", "{prog}: error: {message} (see {prog} --help)"),
}

_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "cli.column.duration": ("时长", "duration"),
    "cli.column.cause": ("类型", "cause"),
    "cli.column.reason": ("原因", "reason"),
    "cli.column.id": ("编号", "id"),
    "cli.column.name": ("账号名称", "name"),
    "cli.column.account": ("账号", "account"),
    "cli.column.platform": ("平台", "platform"),
    "cli.column.unit": ("主办单位", "unit"),
    "cli.column.account_status": ("状态", "status"),
    "cli.column.health": ("读取", "health"),
    "cli.column.source": ("来源", "source"),
    "cli.column.week": ("本周/3", "week/3"),
    "cli.column.posts_7d": ("近7天", "7 days"),
    "cli.column.silent": ("沉默天数", "silent days"),
    "cli.column.freshness": ("更新", "updates"),
    "cli.column.pending": ("待办留言", "open comments"),
    "cli.column.overdue_ack": ("确认超时", "late ack"),
    "cli.column.overdue_result": ("办结超时", "late result"),
    "cli.column.comment_state": ("状态", "state"),
    "cli.column.ack_due": ("确认期限", "ack due"),
    "cli.column.result_due": ("办结期限", "result due"),
    "cli.column.comment": ("留言", "text"),
    "cli.column.severity": ("级别", "severity"),
    "cli.column.category": ("类别", "category"),
    "cli.column.rule": ("规则", "rule"),
    "cli.column.text": ("内容", "text"),
    "cli.column.context": ("上下文", "context"),
    "cli.column.raised": ("发现时间", "raised"),
    "cli.column.alert_state": ("状态", "state"),
    "cli.column.why": ("依据", "why"),
    "cli.column.start": ("起", "start"),
    "cli.column.end": ("止", "end"),
    "cli.column.officer": ("值班员", "officer"),
    "cli.column.confirmed_by": ("交接确认", "confirmed by"),
    "cli.column.note": ("说明", "note"),
    "cli.column.title": ("事件", "title"),
    "cli.column.activated": ("启动", "activated"),
    "cli.column.due": ("期限", "due"),
    "cli.column.left": ("剩余", "left"),
    "cli.column.first_post": ("首条发布", "first post"),
    "cli.column.emergency_state": ("状态", "state"),
}

_RESULTS: Final[dict[str, tuple[str, str]]] = {
    "cli.emergency.cancelled": (
        "已取消突发事件 {emergency_id}：{title}（原因：{reason}）",
        "emergency {emergency_id} cancelled: {title} (reason: {reason})",
    ),
    "cli.emergency.corrected": (
        "突发事件 {old_id} 已更正为 {emergency_id}：{title}；首条相关发布须在 {due} 前（{state}）",
        "emergency {old_id} corrected by {emergency_id}: {title}; the first related post is due by {due} ({state})",
    ),
    "cli.gaps.none": ("该时段没有巡查中断", "no monitoring gap in this period"),
    "cli.gaps.ongoing": ("（未结束）", "(ongoing)"),
    "cli.escalation.stored": ("已把 {count} 个通知渠道存入{store}：", "stored {count} channel(s) in {store}:"),
    "cli.escalation.channel": ("  {channel}", "  {channel}"),
    "cli.escalation.none": ("尚未配置升级通知渠道", "no escalation channel is configured"),
    "cli.escalation.result_ok": ("[成功] {channel}", "[ok] {channel}"),
    "cli.escalation.result_failed": ("[失败] {channel}：{reason}", "[failed] {channel}: {reason}"),
    "cli.yes": ("是", "yes"),
    "cli.no": ("否", "no"),
    "cli.list_separator": ("、", ", "),
    "cli.exported": ("已导出 {path}", "exported {path}"),
    "cli.demo.simulator": ("演示：模拟平台 {url}", "demo: simulated platforms at {url}"),
    "cli.accounts.imported": (
        "已导入 {path}：新增 {created}，更新 {updated}，未变 {unchanged}",
        "imported {path}: {created} new, {updated} updated, {unchanged} unchanged",
    ),
    "cli.accounts.exported": ("已导出 {count} 个账号到 {path}", "exported {count} accounts to {path}"),
    "cli.accounts.secret_stored": (
        "已将账号 {account_id}（{account}）的 {name} 存入 {store}",
        "stored {name} for account {account_id} ({account}) in {store}",
    ),
    "cli.accounts.secret_row_stored": (
        "{where}：已保存账号 {account_id}（{account}）的 {name}",
        "{where}: stored {name} for account {account_id} ({account})",
    ),
    "cli.accounts.secret_row_not_stored": (
        "{where}：未保存账号 {account_id} 的 {name}",
        "{where}: not stored: {name} for account {account_id}",
    ),
    "cli.accounts.secrets_imported": ("已将 {count} 项凭据存入 {store}", "stored {count} secrets in {store}"),
    "cli.accounts.stdin": ("标准输入", "<stdin>"),
    "cli.accounts.memory_store": (
        "内存凭据库（演示用：程序退出后凭据即消失）",
        "the in-memory store (demo: secrets vanish when the program exits)",
    ),
    "cli.alerts.acknowledged": ("已确认告警 {alert_id}（{officer}）", "acknowledged alert {alert_id} ({officer})"),
    "cli.poll.cycle": (
        "[{at}] 巡查 {polled} 个账号：正常 {ok}，失败 {failed}；新发布 {posts}，修改 {edited}，新留言 {comments}",
        "[{at}] polled {polled} accounts: {ok} ok, {failed} failed; {posts} new posts, {edited} edited, {comments} new comments",
    ),
    "cli.poll.failure": ("  ! {account_id} {name}：{health}：{reason}", "  ! {account_id} {name}: {health}: {reason}"),
    "cli.poll.new_alerts": ("  新告警 {count} 条", "  {count} new alerts"),
    "cli.run.started": ("巡查循环已启动（Ctrl-C 停止）", "watch loop started (Ctrl-C to stop)"),
    "cli.scan.clean": ("未发现敏感内容", "nothing found"),
    "cli.lexicon.added": ("已将“{phrase}”加入白名单：{path}", "added the allow phrase {phrase} to {path}"),
    "cli.lexicon.already": ("“{phrase}”已在白名单中，未作改动", "{phrase} is already an allow phrase; nothing changed"),
    "cli.lexicon.next_poll": ("扫描从下一轮巡查起按新白名单执行", "scans follow the new allow list from the next poll"),
    "cli.db.backed_up": ("已备份到 {path}", "backed up to {path}"),
    "cli.db.restored": (
        "已从 {path} 恢复数据库（值班记录 {rows} 行校验通过）；原数据库保留为 {replaced}",
        "restored the database from {path} ({rows} duty-record rows verified); the previous one is kept as {replaced}",
    ),
    "cli.db.restored_new": (
        "已从 {path} 恢复数据库（值班记录 {rows} 行校验通过）",
        "restored the database from {path} ({rows} duty-record rows verified)",
    ),
    "cli.shift.started": ("第 {shift_id} 班已开始：值班员 {officer}，{at}", "shift {shift_id} started: {officer} on duty since {at}"),
    "cli.shift.review_handover": (
        "请查看并确认第 {shift_id} 班的交接：shift handover",
        "review and confirm the handover of shift {shift_id}: shift handover",
    ),
    "cli.shift.ended": ("第 {shift_id} 班已交班：{start} 至 {end}", "shift {shift_id} ended: {start} to {end}"),
    "cli.shift.force_closed": (
        "第 {shift_id} 班强制结班（{reason}）：{start} 至 {end}",
        "shift {shift_id} force-closed ({reason}): {start} to {end}",
    ),
    "cli.shift.forced_note": ("［强制结班］{reason}", "[force-closed] {reason}"),
    "cli.handover.nothing": ("没有遗留事项", "nothing carried over"),
    "cli.handover.alert": (
        "  未确认告警 {id}  {account}  {category}：{text}",
        "  unacknowledged alert {id}  {account}  {category}: {text}",
    ),
    "cli.handover.comment": ("  超时留言 {id}  {account}  {state}  {due}", "  overdue comment {id}  {account}  {state}  {due}"),
    "cli.handover.account": (
        "  账号风险 {id}  {account}  更新{freshness}，读取{health}",
        "  account at risk {id}  {account}  updates: {freshness}, reading: {health}",
    ),
    "cli.handover.unread": (
        "  本班未人工读取 {id}  {account}（{platform}）",
        "  not read by the officer this shift {id}  {account} ({platform})",
    ),
    "cli.handover.emergency": ("  突发事件 {id}  {title}  {state}  {due}", "  emergency {id}  {title}  {state}  {due}"),
    "cli.handover.confirmed": ("{officer} 已确认接收第 {shift_id} 班的交接", "{officer} confirmed taking over shift {shift_id}"),
    "cli.handover.confirmed_by": ("已由 {officer} 确认", "confirmed by {officer}"),
    "cli.handover.awaiting": ("待确认", "awaiting confirmation"),
    "cli.handover.previous": (
        "上一班：第 {shift_id} 班 {officer}，{start} 至 {end}（{state}）",
        "previous: shift {shift_id} {officer}, {start} to {end} ({state})",
    ),
    "cli.handover.force_reason": ("  强制结班原因：{reason}", "  force-closed: {reason}"),
    "cli.handover.note": ("  交班说明：{note}", "  note: {note}"),
    "cli.handover.on_duty": ("当前值班：{officer}", "on duty: {officer}"),
    "cli.handover.carried": ("遗留事项：", "carried over:"),
    "cli.inspect.recorded": (
        "已记录巡查记录 {inspection_id}（账号 {account_id}）：{problems}",
        "recorded inspection {inspection_id} (account {account_id}): {problems}",
    ),
    "cli.inspect.correction": (
        "已记录更正记录 {inspection_id}（账号 {account_id}）：{problems}",
        "recorded correction {inspection_id} (account {account_id}): {problems}",
    ),
    "cli.inspect.all_ok": ("四项检查正常", "all four checks ok"),
    "cli.inspect.reading": (
        "已记录人工读取 {inspection_id}（账号 {account_id}，{officer}）：最新发布 {latest}，新发布 {posts}，待回复留言 {comments}",
        "recorded reading {inspection_id} (account {account_id}, {officer}): latest post {latest}, {posts} new posts, "
        "{comments} comments waiting",
    ),
    "cli.inspect.not_counted": ("未计", "uncounted"),
    "cli.inspect.reading_with_checks": (
        "人工读取不带检查项：请分开记录（--check 用于人工巡查）",
        "a reading takes no checks: record them separately (--check is for a manual inspection)",
    ),
    "cli.inspect.reading_needs_latest": (
        "--posts、--comments-waiting、--link、--officer 属于人工读取：请同时给出 --latest-post",
        "--posts, --comments-waiting, --link and --officer belong to a reading: give --latest-post too",
    ),
    "cli.metavar.count": ("条数", "N"),
    "cli.metavar.url": ("链接", "URL"),
    "cli.emergency.started": (
        "已记录突发事件 {emergency_id}：{title}；首条相关发布须在 {due} 前（{state}）",
        "emergency {emergency_id} recorded: {title}; the first related post is due by {due} ({state})",
    ),
}

_DOCTOR: Final[dict[str, tuple[str, str]]] = {
    "cli.doctor.escalation_none": (
        "未配置升级通知渠道：告警超时只在本机响铃，不会通知带班领导",
        "no escalation channel: overdue alerts only sound at this workstation, the leader on duty is not told",
    ),
    "cli.doctor.escalation_none_advice": (
        "请按说明文档“超时升级”一节，把企业微信群机器人等通知地址录入凭据库",
        "store the channel addresses with `escalation channels` (see the README's Escalation section)",
    ),
    "cli.doctor.escalation_channels": ("{count} 个通知渠道：{channels}", "{count} channel(s): {channels}"),
    "cli.doctor.escalation_failed": ("；最近一次通知（{at}）未送达：{detail}", "; the last message ({at}) failed: {detail}"),
    "cli.doctor.escalation_failed_advice": (
        "请检查失败渠道的地址和网络，并用测试命令重试",
        "check the failed channel's address and network, then try `escalation test`",
    ),
    "cli.doctor.line": ("[{level}] {name}：{detail}", "[{level}] {name}: {detail}"),
    "cli.doctor.link": ("{name}：{value}", "{name}: {value}"),
    "cli.doctor.choose_data_dir": ("请用 --data-dir 选择可写入的目录", "choose a writable --data-dir"),
    "cli.doctor.no_workspace": ("{path} 尚无工作区", "no workspace at {path} yet"),
    "cli.doctor.create_workspace": (
        "导入账号登记表即可创建：jb-watchdesk accounts import 文件",
        "create it by importing the register: jb-watchdesk accounts import FILE",
    ),
    "cli.doctor.data_dir_later": ("{path}（首次导入时创建；上级目录可写）", "{path} (created at the first import; its parent is writable)"),
    "cli.doctor.database": (
        "{path}（日志模式 {mode}，完整性 {integrity}，账号 {accounts} 个）",
        "{path} (journal {mode}, integrity {integrity}, {accounts} accounts)",
    ),
    "cli.doctor.restore_backup": ("请从 {path} 中的备份恢复", "restore a backup from {path}"),
    "cli.doctor.local_disk": ("请把数据目录放在本地磁盘上，不要放在网络共享上", "keep the data dir on a local disk, not a network share"),
    "cli.doctor.keyring_unusable": ("没有可用的凭据库", "no usable keyring"),
    "cli.doctor.keyring_memory": ("内存凭据库（演示用：程序退出后凭据即消失）", "in-memory (demo: secrets vanish when the program exits)"),
    "cli.doctor.calendar_known": ("已有 {year} 年和 {next} 年的官方节假日安排", "official calendar known for {year} and {next}"),
    "cli.doctor.calendar_unknown": (
        "没有 {years} 年的官方节假日安排：其间的留言期限按周一至周五估算",
        "no official holiday schedule for {years}: comment deadlines there are estimated (Monday–Friday)",
    ),
    "cli.doctor.calendar_advice": (
        "待 chinese-calendar 收录 {years} 年后升级，或把安排写入 {path}",
        "upgrade chinese-calendar when it carries {years}, or add the schedule to {path}",
    ),
    "cli.doctor.ca_missing": ("CA 证书文件 {path} 不存在", "CA bundle {path} does not exist"),
    "cli.doctor.logs": ("日志写在 {path}（每个文件最大 5 兆字节，保留 5 个旧文件）", "logs are written to {path} (5 MB a file, 5 older files kept)"),
    "cli.doctor.logs_later": ("日志将写在 {path}（工作区创建后）", "logs will be written to {path} (once the workspace exists)"),
    "cli.doctor.logs_unwritable": ("日志目录 {path} 无法写入：{detail}", "the log folder {path} cannot be written: {detail}"),
    "cli.doctor.settings_ok": ("{path}", "{path}"),
    "cli.doctor.settings_default": ("{path} 不存在：使用默认设置", "{path} does not exist: the defaults are used"),
    "cli.doctor.settings_advice": (
        "在“设置”中改正，或修改、删除设置文件中的该项；改正前 poll、run 与窗口不会启动",
        "correct it in the settings, or fix or remove that key in the file; poll, run and the window refuse to start until then",
    ),
    "cli.doctor.overrides_bad": ("调休文件有 {count} 行无法识别，其余已使用：{lines}", "{count} lines of the override file are not understood, the rest is used: {lines}"),
    "cli.doctor.overrides_advice": (
        "请改正 {path} 中这些行；改正前，涉及的年份的留言期限标为估算",
        "correct these lines in {path}; until then deadlines in the years they name are marked estimated",
    ),
    "cli.doctor.backups": ("{path}：最近一次 {latest}，保留 {days} 天", "{path}: latest {latest}, kept {days} days"),
    "cli.doctor.backups_none": ("{path}：尚无每日备份（值班台运行时每天自动备份一次）", "{path}: no daily backup yet (the running desk takes one a day)"),
    "cli.doctor.ca_advice": ("请修正 SSL_CERT_FILE / REQUESTS_CA_BUNDLE", "fix SSL_CERT_FILE / REQUESTS_CA_BUNDLE"),
    "cli.doctor.direct": ("直接连接（未设置代理环境变量）", "direct connection (no proxy variables set)"),
    "cli.doctor.ca_bundle": ("；CA 证书文件 {path}", "; CA bundle {path}"),
    # network: the route and trust (proxy check) and each platform host asked (network check)
    "cli.doctor.net_route_explicit": ("代理 {proxy}（“设置”中指定）", "proxy {proxy} (from the settings)"),
    "cli.doctor.net_route_system": ("系统代理 {proxies}", "system proxy {proxies}"),
    "cli.doctor.net_route_direct": ("直接连接（未设置代理）", "direct connection (no proxy set)"),
    "cli.doctor.net_pac": (
        "；本机的 Internet 选项使用自动代理配置脚本 {url}，值班台不执行该脚本",
        "; this computer's Internet Options use the automatic proxy script {url}, which the desk does not run",
    ),
    "cli.doctor.net_pac_advice": (
        "如下方网络检查失败，请向网络管理员询问该脚本为政务平台选用的代理服务器（如 http://10.1.2.3:8080），填入“设置”中的代理",
        "if the network check below fails, ask the network administrator which proxy the script picks for the platforms "
        "(e.g. http://10.1.2.3:8080) and enter it as the proxy in the settings",
    ),
    "cli.doctor.net_bypass": ("；不经代理：{hosts}", "; not through the proxy: {hosts}"),
    "cli.doctor.net_trust_system": ("；证书按操作系统的受信任根证书验证", "; certificates checked against the system's trusted roots"),
    "cli.doctor.net_ca_bad": ("CA 证书文件 {path} 无法读取：{detail}", "the CA bundle {path} cannot be read: {detail}"),
    "cli.doctor.net_ca_advice": (
        "请在“设置”中改正或清空 CA 证书文件（留空则使用操作系统的受信任根证书）",
        "correct or clear the CA bundle in the settings (empty: the system's trusted roots)",
    ),
    "cli.doctor.net_bad_proxy": ("无法使用代理 {proxy}：{detail}", "cannot use the proxy {proxy}: {detail}"),
    "cli.doctor.net_bad_proxy_advice": (
        "请在“设置”中改用 http://、https:// 或 socks5:// 代理，或留空使用系统代理",
        "use an http://, https:// or socks5:// proxy in the settings, or leave it empty for the system's",
    ),
    "cli.doctor.net_none": ("没有需要联网读取的账号（尚未登记来源）", "no account is read over the network (no sources registered yet)"),
    "cli.doctor.net_reached": ("{host} 可以连通", "{host} reachable"),
    "cli.doctor.net_failed": ("{host}：{problem}", "{host}: {problem}"),
    "cli.doctor.net_via": ("（经 {proxy}）", " (via {proxy})"),
    "cli.doctor.net_unasked": ("；另有 {count} 个订阅源地址未检查", "; {count} more feed hosts not checked"),
    "cli.doctor.net_problem.dns": ("域名无法解析", "the name does not resolve (DNS)"),
    "cli.doctor.net_problem.connect": ("连接不上（被拒绝或不可达）", "no connection (refused or unreachable)"),
    "cli.doctor.net_problem.proxy_unreachable": ("连接不上代理", "the proxy cannot be reached"),
    "cli.doctor.net_problem.proxy_refused": ("代理拒绝连接该地址", "the proxy refused to connect there"),
    "cli.doctor.net_problem.tls_untrusted": ("证书不受信任", "certificate not trusted"),
    "cli.doctor.net_problem.tls": ("安全连接（TLS）建立失败", "the secure connection (TLS) failed"),
    "cli.doctor.net_problem.timeout": ("{seconds} 秒内无应答", "no answer within {seconds} s"),
    "cli.doctor.net_problem.other": ("请求失败", "the request failed"),
    "cli.doctor.net_advice.dns": (
        "请检查网络连接和 DNS；如单位上网须经代理，请在“设置”中填写代理",
        "check the network connection and DNS; if the office goes out through a proxy, set it in the settings",
    ),
    "cli.doctor.net_advice.connect": (
        "请检查网络连接和防火墙；如须经代理上网，请在“设置”中填写代理",
        "check the network connection and the firewall; if a proxy is required, set it in the settings",
    ),
    "cli.doctor.net_advice.proxy_unreachable": (
        "请检查“设置”中或系统的代理地址和端口",
        "check the proxy's address and port in the settings or in the system's proxy settings",
    ),
    "cli.doctor.net_advice.proxy_refused": (
        "请网络管理员在代理上放行这些平台地址，或检查代理的用户名和密码",
        "ask the network administrator to allow these hosts on the proxy, or check the proxy's user name and password",
    ),
    "cli.doctor.net_advice.tls_untrusted": (
        "证书不受信任：请把单位代理的根证书安装到 Windows（受信任的根证书颁发机构），或在“设置”中填写 CA 证书文件",
        "certificate not trusted: install the proxy's root CA into Windows (Trusted Root Certification Authorities), "
        "or set the CA bundle in the settings",
    ),
    "cli.doctor.net_advice.tls": (
        "请检查代理是否拦截了安全连接，或联系网络管理员",
        "check whether the proxy interferes with secure connections, or ask the network administrator",
    ),
    "cli.doctor.net_advice.timeout": (
        "网络很慢或连接被丢弃：请检查网络和代理，稍后再运行一次 doctor",
        "the network is slow or drops the connection: check the network and the proxy, then run doctor again",
    ),
    "cli.doctor.net_advice.other": ("请检查网络和代理", "check the network and the proxy"),
    "cli.doctor.no_plyer": ("未安装 plyer", "plyer is not installed"),
    "cli.doctor.reinstall": ("请重新安装本程序", "reinstall the application"),
    "cli.doctor.no_notify": (
        "没有桌面通知服务（既没有 dbus-python，也没有 notify-send）",
        "no desktop notification service (neither dbus-python nor notify-send)",
    ),
    "cli.doctor.notify_advice": (
        "请安装 libnotify-bin；告警仍会显示在窗口和托盘中",
        "install libnotify-bin; alerts still show in the window and the tray",
    ),
    "cli.doctor.notify_ok": ("系统通知可用（尽力送达）", "OS notifications available (best effort)"),
    "cli.doctor.no_display": ("没有显示器（未设置 DISPLAY/WAYLAND_DISPLAY）", "no display (DISPLAY/WAYLAND_DISPLAY unset)"),
    "cli.doctor.display_advice": ("在这台机器上请用 `run --headless`", "use `run --headless` on this machine"),
    "cli.doctor.display_ok": ("有可用的显示器", "a display is available"),
    "cli.doctor.chain_no_display": ("没有显示器：无法检查托盘", "no display: the tray cannot be checked"),
    "cli.doctor.chain_run_desktop": ("在桌面上运行本程序即可使用托盘", "run the desktop to use the tray"),
    "cli.doctor.chain_advice": (
        "告警仍会出现在窗口横幅和弹窗中；托盘或通知服务可补全其余环节",
        "alerts still reach the in-app banner and the pop-up; a tray or notification service adds the rest",
    ),
}

CLI: Final[dict[str, tuple[str, str]]] = {**_HELP, **_METAVARS, **_ARGPARSE, **_COLUMNS, **_RESULTS, **_DOCTOR}
