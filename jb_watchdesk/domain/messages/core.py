"""What the core says: errors, refusals and results of the register, storage, secrets, comments,
the duty record, alerts, the lexicon and the reasons of the detector. key: (zh, en)."""

from __future__ import annotations

from typing import Final

CORE: Final[dict[str, tuple[str, str]]] = {
    # escalation (services/escalation.py): channels, the leader's message, the window's report
    "escalation.bad_channel": (
        "第 {line} 行不是可用的通知地址（{channel}）：未保存任何渠道",
        "line {line} is not a notification address Apprise can use ({channel}): no channel was stored",
    ),
    "escalation.no_channels_given": ("标准输入中没有通知地址（每行一个）", "no notification address on standard input (one per line)"),
    "escalation.none_configured": (
        "尚未配置升级通知渠道：请先把通知地址（每行一个）录入凭据库",
        "no escalation channel is configured: store the channel addresses (one per line) in the keyring first",
    ),
    "escalation.unusable_channel": ("通知地址无法使用", "the address cannot be used"),
    "escalation.channel_ok": ("{channel}：已送达", "{channel}: delivered"),
    "escalation.channel_failed": ("{channel}：发送失败（{reason}）", "{channel}: failed ({reason})"),
    "escalation.title": ("【江北值班台】{count} 项事项超时无人处理", "[JB WatchDesk] {count} item(s) waiting past their deadline"),
    "escalation.line.alert": (
        "{severity}风险告警（{category}）：{account}（{platform}），发布于 {published}，{raised} 发现后无人确认",
        "{severity} alert ({category}): {account} ({platform}), published {published}, unacknowledged since {raised}",
    ),
    "escalation.line.comment": (
        "网民留言未按时回应：{account}（{platform}），留言于 {created}，应于 {due} 前回应",
        "public comment not acknowledged: {account} ({platform}), written {created}, due {due}",
    ),
    "escalation.line.emergency": (
        "应急预案“{title}”：{activated} 启动，{due} 前未发布首条相关信息",
        "emergency plan \u201c{title}\u201d: activated {activated}, no first post by {due}",
    ),
    "escalation.more": ("另有 {count} 项", "and {count} more"),
    "escalation.waiting": ("值班台正在等待处理，请督促值班人员处置。", "The duty desk is waiting for someone to act."),
    "escalation.test_title": ("【江北值班台】升级通知测试", "[JB WatchDesk] escalation test"),
    "escalation.test_body": (
        "这是一条测试消息（{at}）：值班台的超时升级通知可以送达本渠道。",
        "A test message ({at}): the duty desk's escalation messages reach this channel.",
    ),
    "escalation.report.sound": ("超时响铃：{what}", "sounding at the workstation: {what}"),
    "escalation.report.message": ("已通知带班领导：{what}", "leader on duty told: {what}"),
    "escalation.no_channels": (
        "应通知带班领导，但尚未配置升级通知渠道",
        "the leader on duty should be told, but no escalation channel is configured",
    ),
    "escalation.keyring_unreadable": (
        "应通知带班领导，但读不到凭据库中的通知渠道：{detail}",
        "the leader on duty should be told, but the channels cannot be read from the keyring: {detail}",
    ),
    # account register
    "register.unknown_platform": (
        "未知平台“{value}”（可用：{choices}）",
        "unknown platform {value!r} (expected one of: {choices})",
    ),
    "register.missing_name": ("缺少账号名称", "missing account name"),
    "register.missing_platform": ("缺少平台", "missing platform"),
    "register.bad_status": (
        "状态“{value}”无效（可用：{choices}）",
        "bad status {value!r} (expected one of: {choices})",
    ),
    "register.duplicate": (
        "重复账号：{platform}“{name}”已在第 {first_line} 行出现",
        "duplicate account: {platform} {name!r} already on line {first_line}",
    ),
    "register.duplicate_source": (
        "重复来源：{source} 已在第 {first_line} 行使用",
        "duplicate source: {source} already used on line {first_line}",
    ),
    "register.bad_url": (
        "{column} 不是有效的 http/https 地址：{value}",
        "{column} is not a valid http/https URL: {value}",
    ),
    "register.needs_feed_url": (
        "平台 {platform} 没有官方接口，来源必须是订阅源地址（RSSHub、WeWe RSS 或网站订阅）",
        "platform {platform} has no official connector: source must be a feed URL (RSSHub, WeWe RSS or a website feed)",
    ),
    "register.too_long": (
        "{column} 过长（{length} 字符，上限 {limit}）",
        "{column} is too long ({length} characters, limit {limit})",
    ),
    "register.control_chars": ("{column} 含有控制字符", "{column} contains control characters"),
    "register.unknown_columns": (
        "无法识别的表头：{columns}（可用：{choices}）",
        "unrecognised header columns: {columns} (expected: {choices})",
    ),
    "register.no_header": (
        "文件没有表头行，或表头中没有“账号名称/name”和“平台/platform”列",
        "the file has no header row with the name/账号名称 and platform/平台 columns",
    ),
    "register.bad_json": ("JSON 格式错误：{detail}", "malformed JSON: {detail}"),
    "register.json_shape": (
        "JSON 必须是账号对象的数组",
        "JSON must be an array of account objects",
    ),
    "register.json_row_shape": ("此项不是对象", "this item is not an object"),
    "register.bad_value": ("{column} 的值无效：{detail}", "{column} has an invalid value: {detail}"),
    "register.undecodable": (
        "无法识别文件编码（已尝试 UTF-8 与 GB18030）",
        "cannot decode the file (tried UTF-8 and GB18030)",
    ),
    # doors and files: encodings, full disks, numbers and times out of range (cli, services/files.py)
    "register.wrong_encoding": (
        "{path} 第 {line} 行不是 UTF-8 或 GB18030 编码的中文（按 GB18030 读出来是“{sample}”），未导入任何内容："
        "请另存为 UTF-8 编码（Excel：“CSV UTF-8（逗号分隔）”；繁体 Big5、日文、韩文文件同样如此）后重新导入",
        "{path} line {line} is not Chinese text in UTF-8 or GB18030 (read as GB18030 it says \"{sample}\"); nothing was "
        "imported: save it as UTF-8 (Excel: \"CSV UTF-8 (Comma delimited)\"; Big5, Japanese and Korean files too) and import again",
    ),
    "file.wrong_encoding": (
        "第 {line} 行不是 UTF-8 或 GB18030 编码的中文（按 GB18030 读出来是“{sample}”）：请另存为 UTF-8 编码后重试",
        "line {line} is not Chinese text in UTF-8 or GB18030 (read as GB18030 it says \"{sample}\"): save the file as UTF-8 and retry",
    ),
    "file.disk_full": (
        "磁盘已满，无法写入 {path}：请释放磁盘空间后重试（原文件如有，保持不变）",
        "disk full: cannot write {path}; free space and retry (any existing file there is unchanged)",
    ),
    "file.disk_full_somewhere": ("磁盘已满：请释放磁盘空间后重试", "disk full: free space and retry"),
    "cli.bad_number": (
        "应为 {low} 到 {high} 之间的整数，而不是“{value}”",
        "must be a whole number from {low} to {high}, not '{value}'",
    ),
    "cli.bad_time": (
        "{option} 需要 1970 至 9000 年间的 ISO-8601 时间，例如 2026-11-25T08:00:00+08:00（不带时区按北京时间）：{value}",
        "{option} needs an ISO-8601 time from 1970 to 9000, e.g. 2026-11-25T08:00:00+08:00 (without a zone: Beijing time): {value}",
    ),
    "register.bad_xlsx": ("不是可读取的 XLSX 文件：{detail}", "not a readable XLSX file: {detail}"),
    "register.unsupported_format": (
        "不支持的文件类型“{suffix}”，请使用 .csv、.xlsx 或 .json",
        "unsupported file type {suffix!r}: use .csv, .xlsx or .json",
    ),
    "register.too_many_rows": (
        "行数过多（{rows}，上限 {limit}）",
        "too many rows ({rows}, limit {limit})",
    ),
    "register.rejected": (
        "{path}：{count} 行有误，未导入任何账号",
        "{path}: {count} bad row(s); nothing was imported",
    ),
    # files
    "file.not_found": ("找不到文件：{path}", "file not found: {path}"),
    "file.unreadable": ("无法读取 {path}：{detail}", "cannot read {path}: {detail}"),
    "file.undecodable": (
        "无法识别文件编码（已尝试 UTF-8、UTF-16 与 GB18030）：请另存为 UTF-8 或 GB18030 编码的 CSV"
        "（Excel：“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”）",
        "cannot tell the file's encoding (tried UTF-8, UTF-16 and GB18030): save it as a UTF-8 or GB18030 CSV "
        "(Excel: \"CSV UTF-8 (Comma delimited)\" or \"CSV (Comma delimited)\")",
    ),
    "settings.bad_proxy": (
        "无法使用代理 {proxy}：{detail}。请在“设置”中改用 http:// 或 https:// 代理，或留空使用系统代理",
        "cannot use the proxy {proxy}: {detail}. Use an http:// or https:// proxy in the settings, or leave it empty for the system's",
    ),
    "settings.ca_fallback": (
        "{problem}。暂用系统自带的证书，请在“设置”中修正 CA 证书文件",
        "{problem}. Using the system's certificates until the CA bundle is fixed in the settings",
    ),
    "file.unwritable": (
        "无法写入 {path}：{detail}。原文件（如有）保持不变",
        "cannot write {path}: {detail}. Any existing file there is unchanged",
    ),
    "file.no_folder": (
        "目标文件夹不存在：{folder}。未写入任何文件；请先建好该文件夹，或检查网络共享是否已挂载",
        "the folder {folder} does not exist: nothing was written. Create it first, or check that the share is mounted",
    ),
    "file.live_database": (
        "{path} 是正在使用的工作区数据库本身：备份须写到另一个文件（最好在另一块磁盘上）",
        "{path} is the workspace's live database itself: write the backup to another file (best on another disk)",
    ),
    "file.is_folder": ("{path} 是一个文件夹：请给出要写入的文件名", "{path} is a folder: give the name of the file to write"),
    # accounts
    "account.probe_failed": ("连接失败（{account}）：{problem}", "connection failed ({account}): {problem}"),
    "account.probe_ok": ("读取到 {posts} 条发布，共 {requests} 次请求", "{posts} posts read in {requests} requests"),
    "account.not_found": (
        "没有编号为 {account_id} 的账号（用 accounts list 查看）",
        "no account with id {account_id} (see `accounts list`)",
    ),
    # secrets
    "secret.no_backend": (
        "没有可用的安全凭据库（当前后端：{backend}）。"
        "Linux 请安装并解锁 GNOME Keyring 或 KWallet（Secret Service），"
        "Windows 使用凭据管理器，macOS 使用钥匙串；值班台的凭据不会存放到其他任何位置",
        "no secure credential store (backend: {backend}). On Linux install and unlock GNOME Keyring "
        "or KWallet (Secret Service); Windows uses Credential Manager, macOS the Keychain. "
        "The desk's secrets are not stored anywhere else",
    ),
    "secret.refused_backend": (
        "拒绝使用不安全的凭据后端 {backend}（明文或不可用）。"
        "请卸载 keyrings.alt 或取消 PYTHON_KEYRING_BACKEND 设置，并使用系统钥匙串；值班台的凭据不会存放到其他任何位置",
        "refusing the insecure credential backend {backend} (plaintext or disabled). Uninstall "
        "keyrings.alt or unset PYTHON_KEYRING_BACKEND and use the system keyring. "
        "The desk's secrets are not stored anywhere else",
    ),
    "secret.timeout": (
        "凭据库在 {seconds} 秒内无响应（可能正等待解锁，或 Secret Service 已卡死）；{minutes} 分钟内不再询问。"
        "请解锁系统钥匙串，或重启 GNOME Keyring / KWallet（Windows：重新登录）",
        "the credential store did not answer within {seconds} s (waiting to be unlocked, or the Secret "
        "Service is stuck); it is not asked again for {minutes} min. Unlock the system keyring, or restart "
        "GNOME Keyring / KWallet (Windows: sign in again)",
    ),
    "secret.backend_error": (
        "凭据库操作失败（{detail}）。请确认 GNOME Keyring / KWallet（Windows：凭据管理器）正在运行后重试",
        "the credential store failed ({detail}). Check that GNOME Keyring / KWallet (Windows: Credential "
        "Manager) is running, then try again",
    ),
    "secret.locked": (
        "系统钥匙串已锁定。请解锁登录钥匙串（“密码和密钥”/Seahorse，或注销后重新登录）后重试",
        "the system keyring is locked. Unlock the login keyring (Passwords and Keys / Seahorse, or log out "
        "and in again) and try again",
    ),
    "secret.init_failed": (
        "无法打开凭据库（{detail}）。请安装并启动 GNOME Keyring 或 KWallet（Windows：以值班用户身份登录）后重试",
        "the credential store could not be opened ({detail}). Install and start GNOME Keyring or KWallet "
        "(Windows: sign in as the duty user) and try again",
    ),
    "secret.bad_env_backend": (
        "环境变量 PYTHON_KEYRING_BACKEND={value!r} 指定的凭据后端无法使用（{detail}）。请删除该变量或改为可用的后端",
        "the keyring backend named by PYTHON_KEYRING_BACKEND={value!r} cannot be used ({detail}). Remove "
        "the variable or name a backend that works",
    ),
    "secret.bad_config_backend": (
        "配置文件 {path} 指定的凭据后端无法使用（{detail}）。请修正或删除该文件",
        "the keyring backend named in {path} cannot be used ({detail}). Fix or remove that file",
    ),
    "secret.windows_no_session": (
        "Windows 凭据管理器不可用：当前进程没有登录会话（服务或计划任务）。请以值班用户身份登录后运行",
        "Windows Credential Manager is not available: this process has no logon session (a service or a "
        "scheduled task). Run the desk as the signed-in duty user",
    ),
    "secret.windows_too_big": (
        "Windows 凭据管理器拒绝了该凭据：超过 {limit} 字节（UTF-16）",
        "Windows Credential Manager refused the secret: more than {limit} bytes of UTF-16",
    ),
    "secret.windows_error": (
        "Windows 凭据管理器出错（错误 {code}，{detail}）。请以值班用户身份重新登录后重试",
        "Windows Credential Manager failed (error {code}, {detail}). Sign in again as the duty user and "
        "try again",
    ),
    "secret.bad_timeout": (
        "环境变量 {variable}={value!r} 无效：应为 0 到 3600 之间的秒数。请改正或删除",
        "{variable}={value!r} is not valid: give seconds between 0 and 3600, or remove it",
    ),
    "secret.not_text": (
        "凭据含有无法保存的字符（孤立的代理项）；请检查其编码",
        "the secret holds characters no keyring can keep (a lone surrogate); check its encoding",
    ),
    "secrets_import.not_parsed": (
        "{path}：无法读取为 {format}：{detail}",
        "{path}: cannot be read as {format}: {detail}",
    ),
    "secrets_import.empty": (
        "{path}：没有凭据行；请给出 account,name,value 三列（CSV 带表头，或 JSON 数组）",
        "{path}: no rows; give account,name,value rows (CSV with that header, or a JSON array)",
    ),
    "secrets_import.missing_columns": (
        "{path}：表头须包含 account、name、value 三列（现有：{found}）",
        "{path}: the header must name account, name and value (found: {found})",
    ),
    "secrets_import.bad_row": (
        "每行须为含 account、name、value 的对象或三项数组",
        "each row must be an object with account, name and value, or a list of those three",
    ),
    "secrets_import.bad_account": (
        "account 列不是账号编号（用 accounts list 查看）；为免泄露凭据，不显示该单元格内容",
        "the account column is not an account id (see `accounts list`); the cell is not shown, in case it holds a secret",
    ),
    "secrets_import.unknown_name": (
        "name 列不是账号 {account_id} 使用的凭据名（可用：{names}）；为免泄露凭据，不显示该单元格内容",
        "the name column is not a secret account {account_id} uses (valid names: {names}); the cell is not "
        "shown, in case it holds a secret",
    ),
    "secrets_import.too_large": (
        "{path}：超过 {limit} MiB，未读取任何行；凭据文件不会这么大，请确认给的是正确的文件",
        "{path}: more than {limit} MiB, no row was read; a secrets file is never that large, check it is the right file",
    ),
    "secrets_import.too_many_cells": (
        "该行有 {cells} 个单元格，表头只有 {columns} 列：值中含逗号时请用英文双引号括起整个值",
        "the row has {cells} cells but the header {columns} columns: put a value that holds a comma in double quotes",
    ),
    "secrets_import.duplicate": (
        "账号 {account_id} 的凭据 {name} 已在第 {first} 行给出；每项凭据只给一次",
        "account {account_id} {name} is already given on line {first}; give each secret once",
    ),
    "secrets_import.is_tty": (
        "请通过标准输入提供凭据文件，例如：jb-watchdesk accounts import-secrets < secrets.csv",
        "give the rows on standard input, e.g. jb-watchdesk accounts import-secrets < secrets.csv",
    ),
    "secrets_import.partial": (
        "凭据库出错前已保存 {stored}/{total} 项；恢复后用同一输入重新运行（已保存的会被覆盖）",
        "{stored} of {total} stored before the credential store failed; run the same input again once it "
        "works (stored ones are replaced)",
    ),
    "secret.bad_name": (
        "凭据名“{name}”无效：只能用小写字母、数字和下划线，最长 40 个字符",
        "bad secret name {name!r}: use lower-case letters, digits and underscores, at most 40 characters",
    ),
    "secret.unknown_name": (
        "账号 {account} 不使用凭据“{name}”；可用的凭据名：{names}",
        "account {account} does not use a secret named {name!r}; valid names: {names}",
    ),
    "secret.empty": ("标准输入中没有凭据内容", "no secret was given on standard input"),
    "secret.too_long": (
        "凭据过长：按 Windows 凭据管理器的计法（UTF-16）为 {size} 字节，上限 {limit} 字节（约 1280 个常用字符）",
        "the secret is too long: {size} bytes as Windows Credential Manager counts them (UTF-16), limit "
        "{limit} bytes (about 1,280 common characters)",
    ),
    "secret.is_tty": (
        "请通过标准输入提供凭据，例如：printf %s \"$SECRET\" | jb-watchdesk accounts set-secret 3 app_secret",
        "give the secret on standard input, e.g. printf %s \"$SECRET\" | jb-watchdesk accounts set-secret 3 app_secret",
    ),
    # comments
    "comment.not_found": ("没有编号为 {comment_id} 的留言", "no comment with id {comment_id}"),
    "comment.already_acked": ("留言 {comment_id} 已确认受理", "comment {comment_id} is already acknowledged"),
    "comment.already_done": ("留言 {comment_id} 已办结", "comment {comment_id} is already done"),
    "comment.empty_officer": ("请填写值班人员", "the officer's name is missing"),
    "comment.empty_note": ("请填写处理说明", "a note is required"),
    # storage
    "db.locked": (
        "数据库被占用（{path}）：另一个值班台进程可能正在写入。请稍后重试或关闭另一个进程",
        "the database is locked ({path}): another WatchDesk process may be writing. "
        "Try again shortly or close the other process",
    ),
    "db.disk_full": (
        "磁盘已满，无法写入数据库（{path}）。已保存的数据未受影响；请释放磁盘空间",
        "the disk is full; cannot write the database ({path}). Stored data is unaffected; free some space",
    ),
    "db.corrupt": (
        "数据库文件损坏或不是值班台数据库（{path}）：{detail}。请从 {backups} 中的备份恢复",
        "the database file is damaged or not a WatchDesk database ({path}): {detail}. "
        "Restore a backup from {backups}",
    ),
    "db.newer_schema": (
        "数据库由更新版本的值班台创建（未知迁移：{names}），请升级软件",
        "the database was written by a newer WatchDesk (unknown migrations: {names}); upgrade the software",
    ),
    "db.error": ("数据库错误（{path}）：{detail}", "database error ({path}): {detail}"),
    "db.cannot_create": (
        "无法创建数据目录 {path}：{detail}",
        "cannot create the data dir {path}: {detail}",
    ),
    "db.read_only": (
        "工作区为只读（{path}）：只能查看、核验和导出到别处；要写入请复制到可写的目录",
        "the workspace is read-only ({path}): it can be read, verified and exported elsewhere; "
        "copy it to a writable folder to change it",
    ),
    "db.read_only_upgrade": (
        "工作区为只读（{path}），且需要升级数据库（{names}）才能打开；请复制到可写的目录后再打开",
        "the workspace is read-only ({path}) and its database needs an upgrade ({names}) to open; "
        "copy it to a writable folder first",
    ),
    "db.waiting": (
        "数据库被另一个程序占用（{path}），等待中…（已等 {seconds} 秒）",
        "waiting for the database (held by another process: {path})… ({seconds} s so far)",
    ),
    "watch.storage_wait": (
        "数据库忙，等待中…（{seconds} 秒后重试）：{problem}",
        "the database is busy; waiting… (retrying in {seconds} s): {problem}",
    ),
    # backups and settings
    "backup.restore_live": (
        "{path} 就是正在使用的数据库：请指定一个备份文件",
        "{path} is the live database itself: name a backup file",
    ),
    "backup.not_database": (
        "{path} 不是可用的数据库备份（{detail}）：未替换任何文件",
        "{path} is not a usable database backup ({detail}): nothing was replaced",
    ),
    "backup.damaged": (
        "备份 {path} 未通过 SQLite 完整性检查（{detail}）：未替换任何文件，请换一个备份",
        "the backup {path} fails SQLite's integrity check ({detail}): nothing was replaced; choose another backup",
    ),
    "backup.newer_schema": (
        "备份 {path} 由更新版本的值班台写入（未知迁移：{names}）：未替换任何文件，请先升级软件",
        "the backup {path} was written by a newer WatchDesk (unknown migrations: {names}): nothing was replaced; upgrade first",
    ),
    "backup.ledger_broken": (
        "备份 {path} 中的值班记录校验未通过（{where}：{reason}）：未替换任何文件，请换一个备份",
        "the duty record in the backup {path} does not verify ({where}: {reason}): nothing was replaced; choose another backup",
    ),
    "settings.bad_value": (
        "设置文件 {path} 中“{key}”有误：应为{expected}，实为 {got}。请在“设置”中改正，或修改、删除该项",
        "the settings file {path}: key {key}: expected {expected}, got {got}. Correct it in the settings, or fix or remove the key",
    ),
    "settings.unreadable": (
        "设置文件 {path} 无法读取：{detail}。请改正或删除该文件（删除后使用默认设置）",
        "the settings file {path} cannot be read: {detail}. Fix or remove it (the defaults are used without it)",
    ),
    "settings.expect.int": ("{low}–{high} 之间的整数", "an integer {low}–{high}"),
    "settings.expect.bool": ("true 或 false", "true or false"),
    "settings.expect.text": ("文本", "text"),
    "settings.expect.object": ("内容应为 JSON 对象（{{…}}）", "the content must be a JSON object ({{…}})"),
    "settings.expect.choice": ("以下之一：{choices}", "one of {choices}"),
    "settings.expect.proxy": (
        "http://、https://、socks5:// 开头的代理地址（{detail}）",
        "a proxy address starting http://, https:// or socks5:// ({detail})",
    ),
    "workdays.unreadable": ("{path}: 无法读取（{detail}）", "{path}: cannot be read ({detail})"),
    # workdays
    "workdays.bad_override": (
        "{path}:{line}: 无法识别的调休设置“{text}”（格式：YYYY-MM-DD off|work，或 known YYYY）",
        "{path}:{line}: unrecognised override {text!r} (format: YYYY-MM-DD off|work, or known YYYY)",
    ),
    # cli
    "cli.bad_now": (
        "--now 需要带时区的 ISO-8601 时间，例如 2026-11-25T08:00:00+08:00：{value}",
        "--now needs an ISO-8601 time, e.g. 2026-11-25T08:00:00+08:00: {value}",
    ),
    "cli.interrupted": ("已中断", "interrupted"),
    "cli.no_display": (
        "没有可用的显示器，无法打开窗口；可改用 `jb-watchdesk run --headless`（演示：`jb-watchdesk --demo run --headless`）",
        "no display available for the window; use `jb-watchdesk run --headless` (demo: `jb-watchdesk --demo run --headless`)",
    ),
    "cli.no_xcb": (
        "窗口无法启动：Qt 的 X11（xcb）平台缺少 {missing}；"
        "请让管理员安装：sudo apt-get install {packages}（在此之前可用 `jb-watchdesk run --headless`）",
        "the window cannot start: Qt's X11 (xcb) platform lacks {missing}; "
        "have an administrator run: sudo apt-get install {packages} (until then, use `jb-watchdesk run --headless`)",
    ),
    "cli.internal": (
        "内部错误：{detail}（加 --debug 查看详情）",
        "internal error: {detail} (run with --debug for details)",
    ),
    "cli.no_workspace": (
        "{path} 没有工作区：请先用 `{example}` 导入账号台账建立工作区，或检查 --data-dir / JB_WATCHDESK_HOME 是否写错",
        "no workspace at {path}; create it with `{example}`, or check --data-dir / JB_WATCHDESK_HOME for a typo",
    ),
    # one desk and one poller per workspace (services/instance_lock.py, ui/single_instance.py)
    "instance.poller_busy": (
        "{path} 已在由 {command} 巡查（进程 {pid}，主机 {host}，{since} 起）。同一工作区只能有一个巡查：如需改在此处巡查，"
        "请先在其终端按 Ctrl+C 或结束进程 {pid}；status、alerts 等查询命令可照常使用",
        "{path} is already polled by {command} (pid {pid} on {host}, since {since}). One workspace has one poller: to poll "
        "from here, stop that one first (Ctrl+C in its terminal, or end process {pid}); status, alerts and other read-only "
        "commands work meanwhile",
    ),
    "instance.poller_busy_window": (
        "值班台窗口已在巡查 {path}（进程 {pid}，主机 {host}，{since} 起）。同一工作区只能有一个巡查：请在窗口中值班，"
        "或先从托盘菜单退出值班台；status、alerts 等查询命令可照常使用",
        "the desk window already polls {path} (pid {pid} on {host}, since {since}). One workspace has one poller: use the "
        "window, or quit the desk from its tray menu first; status, alerts and other read-only commands work meanwhile",
    ),
    "instance.poller_busy_unknown": (
        "另一个进程正在巡查 {path}（未留下身份记录）。同一工作区只能有一个巡查：请先关闭值班台窗口或停止其他巡查命令；"
        "status、alerts 等查询命令可照常使用",
        "another process already polls {path} (it left no record of itself). One workspace has one poller: close the desk "
        "window or stop the other polling command first; status, alerts and other read-only commands work meanwhile",
    ),
    "instance.lock_failed": (
        "无法建立锁文件 {path}：{detail}。请检查数据文件夹是否存在且可写（应在本机磁盘上，不要放在网络共享上）",
        "cannot make the lock file {path}: {detail}. Check that the data folder exists and is writable "
        "(on a local disk, not a network share)",
    ),
    "instance.desk_brought_forward": (
        "值班台已在此工作区打开（{path}）：已将其窗口切换到前台",
        "the desk is already open on this workspace ({path}): its window was brought to the front",
    ),
    "instance.desk_not_answering": (
        "值班台已在此工作区打开（{path}，进程 {pid}），但没有响应：请稍候再试；仍无响应时，请在任务管理器中结束进程 {pid}",
        "the desk is already open on this workspace ({path}, pid {pid}) but does not answer: try again in a moment; "
        "if it still does not, end process {pid} in the task manager",
    ),
    # duty shifts, inspections, emergencies, exports and the record
    "duty.empty": ("{field} 不能为空", "{field} must not be empty"),
    "watch.loop_failed": (
        "巡查中断：{problem}。{seconds} 秒后自动重试；已存数据不受影响",
        "polling stopped: {problem}. It retries in {seconds} s; nothing stored is affected",
    ),
    "duty.too_long": (
        "{field} 过长（{length}，上限 {limit}）",
        "{field} is too long ({length}, limit {limit})",
    ),
    "duty.control_chars": ("{field} 含有控制字符", "{field} contains control characters"),
    "shift.already_open": (
        "第 {shift_id} 班（{officer}）尚未结束。请先 shift end --note 交班；值班员已离开时用 shift end --force 原因 强制结班",
        "shift {shift_id} ({officer}) is still open. End it with `shift end --note`; if the officer has left, "
        "force-close it with `shift end --force REASON`",
    ),
    "shift.none_open": (
        "当前没有进行中的班次（用 shift start --officer 姓名 开班）",
        "no shift is open (start one with `shift start --officer NAME`)",
    ),
    "shift.not_found": (
        "没有编号为 {shift_id} 的班次（用 shift list 查看）",
        "no shift with id {shift_id} (see `shift list`)",
    ),
    "shift.end_before_start": (
        "结班时间早于开班时间 {started_at}，请检查 --now 或系统时钟",
        "the end is before the shift's start {started_at}: check --now or the system clock",
    ),
    "handover.nothing_to_confirm": (
        "没有待确认的交接：最近结束的班次已确认，或还没有结束的班次",
        "nothing to confirm: the last ended shift is already confirmed, or no shift has ended",
    ),
    "handover.own_shift": (
        "{officer} 是交班的值班员，不能确认自己的交接；须由接班的值班员确认",
        "{officer} handed this shift over and cannot confirm it; the incoming officer confirms the handover",
    ),
    "handover.not_on_duty": (
        "{officer} 不是当前值班员（{on_duty}），交接须由接班的值班员确认",
        "{officer} is not the officer on duty ({on_duty}); the incoming officer confirms the handover",
    ),
    "inspect.no_shift": (
        "人工巡查须在班次中记录：先用 shift start --officer 姓名 开班",
        "manual inspections are recorded within a shift: start one with `shift start --officer NAME`",
    ),
    "inspect.bad_check": (
        "检查项“{value}”无效。格式：名称=ok 或 名称=问题描述；名称为 operation、column_updates、"
        "content_quality、security（或 运行情况、栏目更新、信息内容质量、安全防护）",
        "bad check {value!r}: use NAME=ok or NAME=finding, NAME being operation, column_updates, "
        "content_quality or security (or 运行情况, 栏目更新, 信息内容质量, 安全防护)",
    ),
    "inspect.needs_action": (
        "记录了问题但没有整改措施：请用 --action 写明已采取的措施",
        "a finding is recorded without a corrective action: say what was done with --action",
    ),
    "inspect.auto_new_alerts": ("新告警 {count} 条", "{count} new alerts"),
    "inspect.not_found": (
        "没有编号为 {inspection_id} 的巡查记录",
        "no inspection with id {inspection_id}",
    ),
    "inspect.corrects_auto": (
        "巡查记录 {inspection_id} 是自动巡查，记录的是轮询所见，不能更正：请对该账号另做一次人工巡查写明情况",
        "inspection {inspection_id} is automatic (what the poll saw) and cannot be corrected:"
        " record a manual inspection of the account saying what you found",
    ),
    "inspect.wrong_account": (
        "巡查记录 {inspection_id} 属于账号 {account_id}，更正须针对同一账号",
        "inspection {inspection_id} is about account {account_id}; a correction must be about the same account",
    ),
    # an officer's reading of an account no machine source reads
    "reading.bad_time": (
        "最新发布时间“{value}”无效：请用 ISO 格式，如 2026-11-25T02:10（不带时区按北京时间）",
        "bad latest post time {value!r}: use ISO-8601, e.g. 2026-11-25T02:10 (without a zone: Beijing time)",
    ),
    "reading.future": (
        "最新发布时间 {value} 晚于现在 {now}：请检查输入或系统时钟",
        "the latest post time {value} is after now ({now}): check what was typed or the system clock",
    ),
    "reading.bad_count": (
        "{field} 须为 0 到 {limit} 之间的整数（收到“{value}”）",
        "{field} must be a whole number from 0 to {limit} (got {value!r})",
    ),
    "reading.bad_link": (
        "链接须以 http:// 或 https:// 开头、不含空格、不超过 {limit} 个字符",
        "the link must start with http:// or https://, hold no spaces and be at most {limit} characters",
    ),
    "reading.no_officer": (
        "人工读取须写明值班员：先用 shift start --officer 姓名 开班，或加 --officer 姓名",
        "a reading names who read: start a shift with `shift start --officer NAME`, or give --officer NAME",
    ),
    "reading.not_on_duty": (
        "{officer} 不是当前值班员（{on_duty}）：人工读取由值班员记录",
        "{officer} is not the officer on duty ({on_duty}): the officer on duty records readings",
    ),
    "reading.corrects_not_reading": (
        "巡查记录 {inspection_id} 不是人工读取，不能用读取结果更正",
        "inspection {inspection_id} is not a reading: a reading can only correct a reading",
    ),
    "emergency.not_found": ("没有编号为 {emergency_id} 的突发事件", "no emergency with id {emergency_id}"),
    "emergency.already_cancelled": (
        "第 {emergency_id} 号突发事件已于 {at} 取消，无需再次取消或更正",
        "emergency {emergency_id} was already cancelled at {at}; it cannot be cancelled or corrected again",
    ),
    # monitoring gaps (services/gaps.py)
    "gap.banner": ("巡查中断 {start}–{end}（{cause}），原因：{reason}", "monitoring stopped {start}–{end} ({cause}), reason: {reason}"),
    "gap.ongoing": ("至今", "now"),
    "gaps.bad_range": ("--from 须早于 --to", "--from must be before --to"),
    "gap.default_reason.quit": ("未说明", "none given"),
    "gap.default_reason.pause": ("未说明", "none given"),
    "gap.default_reason.crash": ("程序未正常退出（崩溃、被终止或断电）", "the desk did not stop cleanly (a crash, a kill or a power loss)"),
    "gap.default_reason.unknown": (
        "两次巡查间隔过长（电脑休眠或程序停顿）",
        "too long between two turns of the watch (the computer slept or the desk froze)",
    ),
    "export.bad_range": (
        "请用 --shift 编号，或同时给出 --from 与 --to（--from 早于 --to）",
        "give --shift ID, or both --from and --to with --from before --to",
    ),
    "export.bad_format": ("不支持的格式 {fmt}（可用：{choices}）", "unsupported format {fmt} (expected one of: {choices})"),
    "export.bad_week": ("周次“{value}”无效，格式为 YYYY-Www，例如 2026-W48", "bad week {value!r}: use YYYY-Www, e.g. 2026-W48"),
    "export.pdf_not_searchable": (
        "注意：此 PDF 打印无误，但本机中文字体会使部分汉字在复制和检索时变为部首（如“言”成“⾔”）；请以 XLSX 导出作为可检索的记录",
        "note: this PDF prints correctly, but with this computer's Chinese font some characters copy and search as radicals "
        "(言 as ⾔); keep the XLSX export as the searchable record",
    ),
    "export.no_pdf": (
        "无法生成 PDF：{detail}。可先导出 XLSX，或安装 Qt 与中文字体（如 fonts-noto-cjk）",
        "cannot write a PDF: {detail}. Export XLSX instead, or install Qt and a Chinese font (e.g. fonts-noto-cjk)",
    ),
    "log.bad_anchor": (
        "锚点“{value}”无效：请照抄导出文件中的“记录链锚点”（如“序号 490 条数 490 SHA-256 …”），或写作 序号:SHA-256",
        "bad anchor {value!r}: copy the record anchor as an export prints it (e.g. \"no. 490, 490 rows, SHA-256 …\"), or write SEQ:SHA256",
    ),
    "log.intact_anchor": (
        "记录链完好：共检查 {rows} 条；第 {seq} 条与锚点一致；当前锚点 {anchor}",
        "the record is intact: {rows} rows checked; row {seq} matches the anchor; anchor now {anchor}",
    ),
    "log.unconfirmed": (
        "记录链本身完好（共检查 {rows} 条），但无法用此锚点核对：{reason}",
        "the record itself is intact ({rows} rows checked), but the anchor cannot be confirmed: {reason}",
    ),
    "log.reason.anchor_beyond": (
        "记录链只到第 {last} 条，没有锚点中的第 {seq} 条。请核对锚点是否抄错、是否来自另一个工作区（--data-dir）；"
        "若锚点确实来自本工作区的导出，则第 {first}–{seq} 条已被删除",
        "the record ends at row {last} and has no row {seq}. Check that the anchor was copied right and comes from this"
        " workspace (--data-dir); if it does, rows {first}–{seq} were removed",
    ),
    "log.reason.anchor_misnumbered": (
        "锚点的哈希属于第 {found} 条，不是第 {seq} 条：序号可能抄错，请用 {found} 再核对",
        "the anchor's hash belongs to row {found}, not row {seq}: the number was probably mistyped; check again with {found}",
    ),
    "log.intact": (
        "记录链完好：共检查 {rows} 条；锚点 {anchor}",
        "the record is intact: {rows} rows checked; anchor {anchor}",
    ),
    "log.broken": (
        "记录链已被改动：第一处损坏在 {where}：{reason}",
        "the record was tampered with: first broken row {where}: {reason}",
    ),
    "log.reason.outside": ("第 {seq} 条不在链内（被插入）", "row {seq} is outside the chain (inserted)"),
    "log.reason.missing": ("第 {seq} 条缺失（被删除）", "row {seq} is missing (deleted)"),
    "log.reason.edited": ("内容与哈希不符（被修改或插入）", "content does not match its hash (edited or inserted)"),
    "log.reason.first_link": ("第一条不是链的起点（被插入）", "the first row does not start the chain (inserted)"),
    "log.reason.replaced": (
        "第 {seq} 条被整条替换：第 {next} 条已与其不衔接",
        "row {seq} was replaced: row {next} does not follow it",
    ),
    "log.reason.tail_deleted": ("第 {seq}–{last} 条缺失（末尾被删除）", "rows {seq}–{last} are missing (deleted from the end)"),
    "log.reason.anchor": (
        "第 {seq} 条已不是导出时锚点记录的哈希 {digest}…",
        "row {seq} no longer carries the anchor hash {digest}…",
    ),
    "log.reason.not_in_ledger": (
        "{table} 表第 {row} 行不在记录链中（被直接插入）",
        "{table} row {row} is not in the ledger (inserted directly)",
    ),
    "log.reason.differs": (
        "{table} 表第 {row} 行与记录链第 {seq} 条不符（被直接修改或删除）",
        "{table} row {row} differs from ledger row {seq} (edited or deleted directly)",
    ),
    # alerts
    "alert.not_found": ("找不到编号为 {alert_id} 的告警", "no alert with id {alert_id}"),
    "alert.not_new": (
        "告警 {alert_id} 当前状态为 {state}，只有新告警可以确认",
        "alert {alert_id} is {state}: only a new alert can be acknowledged",
    ),
    "alert.already_resolved": ("告警 {alert_id} 已处置完毕", "alert {alert_id} is already resolved"),
    "alert.empty_note": (
        "确认告警须写明处理情况（--note）",
        "acknowledging an alert needs a note on what was done (--note)",
    ),
    "alert.empty_officer": ("须写明值班人员（--officer）", "the officer's name is needed (--officer)"),
    "alert.bad_deferral": (
        "暂缓时长“{value}”无效，可选：{choices}",
        "“{value}” is not a deferral; choose one of {choices}",
    ),
    "alert.bulk_needs_selection": (
        "批量处理须指定范围：告警编号、内容（--post）、账号（--account）或规则（--rule）",
        "a bulk action needs a selection: an alert id, --post, --account or --rule",
    ),
    "alert.too_long": (
        "{field} 过长（{length} 字符，上限 {limit}）",
        "{field} is too long ({length} characters, limit {limit})",
    ),
    "alert.notify_one": ("【{severity}】{category}：{text}", "[{severity}] {category}: {text}"),
    "alert.notify_repeat": (
        "仍未确认：【{severity}】{category}：{text}",
        "still unacknowledged: [{severity}] {category}: {text}",
    ),
    "alert.notify_more": ("（另有 {count} 条）", " (and {count} more)"),
    "alert.notify_digest": ("{count} 条新告警待查看", "{count} new alerts to review"),
    # the one wording of the open-alert counts (AlertCounts), wherever a sentence shows them
    "alert.open_counts": (
        "待处理告警 {open}（高风险 {high}；实时 {live}，存量待核查 {backlog}）",
        "{open} open alerts ({high} high; {live} live, {backlog} backlog to review)",
    ),
    # the lexicon and allow phrases
    "lexicon.loaded": ("词库已载入：{terms} 个词条，{allow} 个白名单短语", "lexicon loaded: {terms} terms, {allow} allow phrases"),
    "lexicon.skipped_lines": (
        "词库有 {lines} 行未载入（{files} 个文件），其余照常生效。第一处：{first}",
        "{lines} lexicon line(s) skipped in {files} file(s); the rest is in use. First: {first}",
    ),
    "lexicon.unreadable_files": (
        "有 {files} 个词库文件无法读取，其中的词条均未生效。第一个：{first}",
        "{files} lexicon file(s) cannot be read and none of their terms is in use. First: {first}",
    ),
    "lexicon.also_skipped": ("；另有 {lines} 行未载入", "; {lines} more line(s) skipped"),
    "lexicon.advice_unreadable": (
        "请将该文件另存为 UTF-8 或 GB18030 编码的 CSV；jb-watchdesk lexicon check 列出全部问题",
        "save the file as a UTF-8 or GB18030 CSV; `jb-watchdesk lexicon check` lists every problem",
    ),
    "lexicon.advice_skipped": (
        "按提示修改这些行（值班台在下一轮巡查时重新载入词库）；jb-watchdesk lexicon check 列出全部问题",
        "fix those lines (the desk reloads the lexicon at its next poll); `jb-watchdesk lexicon check` lists every problem",
    ),
    "lexicon.bad_phrase": ("白名单短语“{phrase}”无效：{reason}", "bad allow phrase {phrase!r}: {reason}"),
    "lexicon.phrase_control_chars": (
        "白名单短语或说明中含有控制字符或换行",
        "the allow phrase or its note contains control characters or line breaks",
    ),
    "file.too_large": ("无法读取 {path}：超过 {limit} MB", "cannot read {path}: larger than {limit} MB"),
    "file.no_stdin": (
        "没有可读取的标准输入：请给出文件名，或用管道输入文本",
        "no standard input to read: name a file, or pipe the text in",
    ),
    "lexicon.empty": (
        "指定的词库中没有任何词条：请检查 --lexicon 指向的文件或文件夹",
        "the lexicon given has no terms: check the file or folder --lexicon names",
    ),
    "lexicon.unusable": (
        "指定的词库无法使用（{detail}）：请检查 --lexicon 指向的文件或文件夹",
        "the lexicon given cannot be used ({detail}): check the file or folder --lexicon names",
    ),
    "file.undecodable_at": (
        "无法读取 {path}：既不是 UTF-8，也不是 UTF-16 或 GB18030 编码的文本",
        "cannot read {path}: it is neither UTF-8 nor UTF-16 nor GB18030 text",
    ),
    "lexicon.phrase_comment": (
        "白名单短语不能以 # 开头（词库文件把这样的行当作注释）",
        "an allow phrase cannot start with # (the lexicon file reads such a line as a comment)",
    ),
    "lexicon.phrase_formula": (
        "白名单短语不能以 = + - @ 开头（电子表格会把它当作公式）",
        "an allow phrase cannot start with = + - @ (a spreadsheet would run it as a formula)",
    ),
    "lexicon.phrase_is_term": (
        "“{phrase}”已是 {path} 中的词条；要停用它，请删除或修改该行",
        "{phrase!r} is a term in {path}: delete or change that line to switch it off",
    ),
    "lexicon.allow_file_unreadable": (
        "无法读取白名单文件 {path}（{detail}），未作改动；请先修复或另存该文件",
        "cannot read the allow file {path} ({detail}); nothing was changed. Fix or re-save that file first",
    ),
    "lexicon.allow_masked": (
        "告警 {alert_id} 涉及个人信息（已遮盖），个人信息不能通过白名单短语放行",
        "alert {alert_id} is personal data (masked): personal data cannot be allowed by phrase",
    ),
    "lexicon.allow_misses_hit": (
        "白名单短语“{phrase}”须包含告警 {alert_id} 的命中内容“{text}”",
        "the allow phrase {phrase!r} must contain the matched text {text!r} of alert {alert_id}",
    ),
    "lexicon.allow_not_a_hit": (
        "告警 {alert_id} 不是词库或检测规则的命中，白名单短语对它无效",
        "alert {alert_id} is not a lexicon or detector hit: an allow phrase cannot cancel it",
    ),
    "lexicon.allow_note": ("加入白名单：{phrase}", "allow phrase added: {phrase}"),
    # why a sensitive-content hit was raised, lowered or kept (domain/sensitive/reasons.py); {cue} decided it
    "why.lexicon": ("词库 {cue}", "lexicon {cue}"),
    "why.folded": ("繁体、全角或变体写法", "written in traditional, full-width or variant characters"),
    "why.evasion.noise": ("字间夹有干扰字符（{cue}）", "characters inserted between the characters ({cue})"),
    "why.context.warning": ("降级：处于警示语境（{cue}）", "demoted: inside a warning ({cue})"),
    "why.context.prohibition": ("降级：处于禁止性规定中（{cue}）", "demoted: inside a prohibition ({cue})"),
    "why.context.case": ("降级：处于案例通报中（{cue}）", "demoted: inside a case report ({cue})"),
    "why.context.law": ("降级：法规或文件名称（{cue}）", "demoted: name of a law or document ({cue})"),
    "why.context.education": ("降级：知识宣传或释义（{cue}）", "demoted: explaining the term ({cue})"),
    "why.context.correction": ("降级：更正或勘误说明（{cue}）", "demoted: a correction notice ({cue})"),
    "why.context.genre": ("降级：全文为警示或宣传内容（{cue}）", "demoted: the text is a warning or explainer ({cue})"),
    "why.context.quoted": ("降级：加引号提及并予纠正（{cue}）", "demoted: quoted in order to correct it ({cue})"),
    "why.context.offer_raised": ("升级：附近有明确招揽（{cue}）", "raised: an explicit offer nearby ({cue})"),
    "why.context.offer": ("保持：附近有招揽用语（{cue}）", "kept: an offer nearby ({cue})"),
    "why.number.id": ("地区码、出生日期和校验位都符合身份证号", "region, birth date and check digit of an ID number"),
    "number.id15": ("地区码和出生日期符合15位身份证号", "region and birth date of a 15-digit ID number"),
    "why.number.card": ("发卡行号段的银行卡号", "a bank card number with an issuer prefix"),
    "why.number.mobile": ("手机号段", "a mobile number range"),
    "why.marking": ("密级标志（密级＋★＋保密期限）", "a secrecy marking (level + ★ + period)"),
    "why.number.label": ("标签“{cue}”", "label {cue}"),
    "why.number.label_nearer": ("标签“{near}”比“{far}”更近", "label {near} nearer than {far}"),
    "why.number.also_credit_code": (
        "降级：同时是有效的统一社会信用代码",
        "demoted: also a valid unified social credit code",
    ),
    "why.number.no_id_label": ("降级：15 位号码，附近没有身份证标签", "demoted: 15 digits without an ID label"),
    "why.number.no_card_label": ("附近没有卡号标签", "no card label nearby"),
    "why.number.payment_only": ("附近只有付款类用语，没有卡号标签", "only a payment word nearby, no card label"),
    "why.number.luhn_failed": ("卡号校验未通过（可能输错）", "card check digit fails (possibly mistyped)"),
    "why.number.separators": ("号码中夹有分隔符（{cue}）", "number written with separators ({cue})"),
    "why.number.spaced": ("每个数字之间都有分隔", "a separator between every digit"),
    "why.number.glued": ("身份证号与手机号连写", "an ID number and a phone number written together"),
    "why.number.chinese_numerals": ("用汉字数字书写的号码", "number written in Chinese numerals"),
    "why.number.among_ids": ("与其他身份证号同列，按身份证号处理", "listed with other ID numbers: read as one"),
    "why.number.example": ("作为示例出现", "given as an example"),
    "why.address.residence": ("住址用语“{cue}”", "residence word {cue}"),
    "why.address.flat": ("住址具体到楼栋单元或房号", "an address down to the building and flat"),
    "why.ad.in_sales_text": ("销售文字中的最高级用语（{cue}）", "a superlative in a sales text ({cue})"),
    "why.marking.star": ("密级标志的星号写作“{cue}”", "the marking's star written as {cue}"),
}
