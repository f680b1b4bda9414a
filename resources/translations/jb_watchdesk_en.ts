<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="zh_CN">
<context>
    <name>AccountsView</name>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="50"/>
        <source>新增账号</source>
        <translation>New account</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="51"/>
        <source>导入登记表…</source>
        <translation>Import register…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="52"/>
        <source>导出登记表…</source>
        <translation>Export register…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="70"/>
        <source>订阅源地址，或平台账号标识（AppID / uid / open_id）</source>
        <translation>Feed URL, or platform account ID (AppID / uid / open_id)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="74"/>
        <source>账号名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="75"/>
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="76"/>
        <source>主办单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="77"/>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="100"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="78"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="79"/>
        <source>接口地址</source>
        <translation>API base URL</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="80"/>
        <source>负责人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="81"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="84"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="85"/>
        <source>标记为待关停</source>
        <translation>Mark for shutdown</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="86"/>
        <source>测试连接</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="91"/>
        <source>凭据（保存在系统钥匙串中，不会回显）</source>
        <translation>Credentials (kept in the system keychain, never shown)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="97"/>
        <source>保存凭据</source>
        <translation>Save credential</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="98"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="99"/>
        <source>值</source>
        <translation>Value</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="170"/>
        <source>此账号通过订阅源读取，无需凭据</source>
        <translation>Read from a feed; no credentials needed</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="172"/>
        <source>已设置</source>
        <translation>Set</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="172"/>
        <source>未设置</source>
        <translation>Not set</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/accounts.py" line="209"/>
        <source>正在测试连接…</source>
        <translation>Testing connection…</translation>
    </message>
</context>
<context>
    <name>AlertPopup</name>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="59"/>
        <source>高风险内容告警</source>
        <translation>High-risk content alert</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="87"/>
        <source>处理说明（必填），例如：已通知发布单位撤稿</source>
        <translation>Action taken (required), e.g. publishing unit told to withdraw the post</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="90"/>
        <source>确认告警</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="91"/>
        <source>稍后处理</source>
        <translation>Later</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="92"/>
        <source>加入白名单…</source>
        <translation>Add allow phrase…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="139"/>
        <source>发现时间：</source>
        <translation>Found: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="139"/>
        <source>规则：</source>
        <translation>Rule: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="140"/>
        <source>命中内容：</source>
        <translation>Matched: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="142"/>
        <source>判定依据：</source>
        <translation>Why: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/alert_popup.py" line="146"/>
        <source>把这段文字加入白名单，并确认此告警</source>
        <translation>Allow this text by phrase and acknowledge the alert</translation>
    </message>
</context>
<context>
    <name>AlertsModel</name>
    <message>
        <location filename="../../jb_watchdesk/ui/models/alerts.py" line="42"/>
        <source>级别</source>
        <translation>Severity</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/alerts.py" line="42"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/alerts.py" line="42"/>
        <source>发现时间</source>
        <translation>Found</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/alerts.py" line="42"/>
        <source>账号</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/alerts.py" line="42"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/alerts.py" line="42"/>
        <source>命中内容</source>
        <translation>Match</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/alerts.py" line="42"/>
        <source>上下文</source>
        <translation>Context</translation>
    </message>
</context>
<context>
    <name>AlertsView</name>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="37"/>
        <source>确认告警…</source>
        <translation>Acknowledge…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="40"/>
        <source>加入白名单…</source>
        <translation>Add allow phrase…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="109"/>
        <source>把这段文字加入白名单，并确认此告警</source>
        <translation>Allow this text by phrase and acknowledge the alert</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="117"/>
        <source>规则</source>
        <translation>Rule</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="117"/>
        <source>置信度</source>
        <translation>Confidence</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="118"/>
        <source>发现时间</source>
        <translation>Found</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="121"/>
        <source>确认人</source>
        <translation>Acked by</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="121"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="124"/>
        <source>判定依据</source>
        <translation>Why</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="132"/>
        <source>确认告警</source>
        <translation>Acknowledge alert</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/alerts.py" line="132"/>
        <source>请填写处理说明：</source>
        <translation>Describe the action taken:</translation>
    </message>
</context>
<context>
    <name>AllowPhraseDialog</name>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/allow_phrase.py" line="37"/>
        <source>加入白名单</source>
        <translation>Add allow phrase</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/allow_phrase.py" line="39"/>
        <source>白名单短语会取消它完整覆盖的命中。只写命中词本身，会在所有文章中停用该词；建议连同前后文字一起写，例如地名或文件名的全称。</source>
        <translation>An allow phrase cancels every hit it fully covers. The matched word alone would switch the term off in every post; write it with the words around it, e.g. the full name of a place or a document.</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/allow_phrase.py" line="42"/>
        <source>上下文：</source>
        <translation>Context: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/allow_phrase.py" line="49"/>
        <source>理由，例如：地名，非广告用语</source>
        <translation>Why, e.g. a place name, not advertising</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/allow_phrase.py" line="50"/>
        <source>白名单短语</source>
        <translation>Allow phrase</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/allow_phrase.py" line="51"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/allow_phrase.py" line="72"/>
        <source>短语至少两个字。</source>
        <translation>A phrase needs at least two characters.</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/allow_phrase.py" line="74"/>
        <source>短语必须包含命中内容：</source>
        <translation>The phrase must contain the matched text: </translation>
    </message>
</context>
<context>
    <name>CommentsModel</name>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="36"/>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="120"/>
        <source>已确认</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="36"/>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="126"/>
        <source>(估算)</source>
        <translation>(est.)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="36"/>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="124"/>
        <source>已办结</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="54"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="54"/>
        <source>账号</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="54"/>
        <source>留言时间</source>
        <translation>Posted</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="54"/>
        <source>确认倒计时(1小时)</source>
        <translation>Ack due (1 h)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="54"/>
        <source>办结倒计时(5个工作日)</source>
        <translation>Reply due (5 workdays)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="54"/>
        <source>留言人</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="54"/>
        <source>内容</source>
        <translation>Text</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/comments.py" line="134"/>
        <source>节假日安排未公布，按周一至周五估算</source>
        <translation>Holiday schedule not published yet; estimated on Monday to Friday</translation>
    </message>
</context>
<context>
    <name>CommentsView</name>
    <message>
        <location filename="../../jb_watchdesk/ui/views/comments.py" line="31"/>
        <source>确认受理…</source>
        <translation>Acknowledge…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/comments.py" line="32"/>
        <source>办结…</source>
        <translation>Close…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/comments.py" line="96"/>
        <source>办结留言</source>
        <translation>Close comment</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/comments.py" line="96"/>
        <source>确认受理留言</source>
        <translation>Acknowledge comment</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/comments.py" line="97"/>
        <source>请填写答复结果：</source>
        <translation>Enter the reply given:</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/comments.py" line="97"/>
        <source>请填写受理说明：</source>
        <translation>Enter an acknowledgement note:</translation>
    </message>
</context>
<context>
    <name>DashboardModel</name>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="55"/>
        <source>账号名称</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="55"/>
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="55"/>
        <source>主办单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="55"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="55"/>
        <source>最近发布</source>
        <translation>Last post</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="55"/>
        <source>本周/3</source>
        <translation>Week/3</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="56"/>
        <source>沉默天数</source>
        <translation>Days silent</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="56"/>
        <source>更新</source>
        <translation>Updates</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="56"/>
        <source>健康</source>
        <translation>Health</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="56"/>
        <source>待回复</source>
        <translation>Pending</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="56"/>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="235"/>
        <source>确认超时 / 办结超时</source>
        <translation>Ack overdue / Reply overdue</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/models/dashboard.py" line="261"/>
        <source>近7天</source>
        <translation>7d</translation>
    </message>
</context>
<context>
    <name>DashboardView</name>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="32"/>
        <source>搜索账号、单位、负责人</source>
        <translation>Search accounts, units, owners</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="36"/>
        <source>全部平台</source>
        <translation>All platforms</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="41"/>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="42"/>
        <source>否决</source>
        <translation>Veto</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="43"/>
        <source>预警</source>
        <translation>Warning</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="44"/>
        <source>读取失败</source>
        <translation>Failing</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="45"/>
        <source>授权过期</source>
        <translation>Auth expired</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="46"/>
        <source>不稳定</source>
        <translation>Unstable</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="47"/>
        <source>未读取</source>
        <translation>Never read</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/dashboard.py" line="76"/>
        <source>全部单位</source>
        <translation>All units</translation>
    </message>
</context>
<context>
    <name>DutyView</name>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="96"/>
        <source>运行情况</source>
        <translation>Operation</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="97"/>
        <source>栏目更新</source>
        <translation>Column updates</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="98"/>
        <source>信息内容质量</source>
        <translation>Content quality</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="99"/>
        <source>安全防护</source>
        <translation>Security</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="107"/>
        <source>计时中</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="108"/>
        <source>已按时发布</source>
        <translation>Posted on time</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="109"/>
        <source>超时</source>
        <translation>Missed</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="110"/>
        <source>已关闭</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="267"/>
        <source>暂无数据</source>
        <translation>No data</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="371"/>
        <source>值班班次</source>
        <translation>Duty shift</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="384"/>
        <source>签到接班</source>
        <translation>Start shift</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="388"/>
        <source>值班员</source>
        <translation>Officer</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="390"/>
        <source>交班说明：需要接班人继续跟进的事项</source>
        <translation>Handover note: what the next officer must follow up</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="392"/>
        <source>交班说明</source>
        <translation>Handover note</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="394"/>
        <source>班次属于其他值班员时必填，例如：值班员临时离岗，经带班领导同意代为结班</source>
        <translation>Required for another officer's shift, e.g. officer called away, closed for them with the shift leader's approval</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="395"/>
        <source>强制结班原因</source>
        <translation>Force-close reason</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="396"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="741"/>
        <source>交班签退</source>
        <translation>End shift</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="400"/>
        <source>交接</source>
        <translation>Handover</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="405"/>
        <source>遗留事项（接班人须逐项跟进）：</source>
        <translation>Carried over (the next officer follows up every item):</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="406"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="466"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="406"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="429"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="466"/>
        <source>账号</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="406"/>
        <source>内容</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="406"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="466"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="410"/>
        <source>确认接班</source>
        <translation>Confirm takeover</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="424"/>
        <source>人工巡查</source>
        <translation>Manual inspection</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="433"/>
        <source>正常（发现问题时填写问题）</source>
        <translation>OK (describe any problem found)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="438"/>
        <source>其他问题（可不填）</source>
        <translation>Other findings (optional)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="440"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="466"/>
        <source>其他问题</source>
        <translation>Other findings</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="442"/>
        <source>整改措施：发现问题时必填，写明已采取的措施</source>
        <translation>Corrective action: required when a problem is found; say what was done</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="444"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="466"/>
        <source>整改措施</source>
        <translation>Corrective action</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="445"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="502"/>
        <source>提交巡查记录</source>
        <translation>Record inspection</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="449"/>
        <source>更正所选记录…</source>
        <translation>Correct the selected record…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="452"/>
        <source>取消更正</source>
        <translation>Cancel the correction</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="466"/>
        <source>记录人</source>
        <translation>Recorded by</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="494"/>
        <source>正在更正巡查 #{id}（{account}）：改好后提交</source>
        <translation>Correcting inspection #{id} ({account}): edit, then submit</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="496"/>
        <source>提交更正</source>
        <translation>Submit the correction</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="505"/>
        <source>突发事件应急发布（2小时内首发）</source>
        <translation>Emergency publishing (first post within 2 hours)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="509"/>
        <source>事件名称，例如：观音桥商圈火情</source>
        <translation>Event name, e.g. Guanyinqiao shopping district fire</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="511"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="520"/>
        <source>事件</source>
        <translation>Event</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="513"/>
        <source>关键词，用逗号分隔；不填则按事件名称匹配</source>
        <translation>Keywords, comma-separated; empty matches the event name</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="514"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="520"/>
        <source>关键词</source>
        <translation>Keywords</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="515"/>
        <source>启动应急响应</source>
        <translation>Activate emergency response</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="520"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="520"/>
        <source>倒计时</source>
        <translation>Countdown</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="520"/>
        <source>启动时间</source>
        <translation>Activated</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="520"/>
        <source>发布期限</source>
        <translation>Post deadline</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="527"/>
        <source>交接记录、周报与图表</source>
        <translation>Handover record, weekly report and charts</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="534"/>
        <source>导出交接记录…</source>
        <translation>Export handover record…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="539"/>
        <source>交接记录</source>
        <translation>Handover record</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="544"/>
        <source>导出周报…</source>
        <translation>Export weekly report…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="549"/>
        <source>周报</source>
        <translation>Weekly report</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="557"/>
        <source>刷新图表</source>
        <translation>Refresh charts</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="657"/>
        <source>还没有已结束的班次。</source>
        <translation>No shift has ended yet.</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="659"/>
        <source>上一班：第 {id} 班 {officer}，{start} 至 {end}</source>
        <translation>Previous shift: #{id} {officer}, {start} to {end}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="662"/>
        <source>交班说明：</source>
        <translation>Handover note: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="662"/>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="664"/>
        <source>强制结班原因：</source>
        <translation>Force-close reason: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="666"/>
        <source>已由 {officer} 于 {when} 确认接班</source>
        <translation>Takeover confirmed by {officer} at {when}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="670"/>
        <source>交接待接班值班员确认</source>
        <translation>Handover awaits the incoming officer's confirmation</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="689"/>
        <source>未确认告警</source>
        <translation>Unacked alert</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="692"/>
        <source>超时留言</source>
        <translation>Overdue comment</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="695"/>
        <source>更新：{freshness}；读取：{health}</source>
        <translation>Updates: {freshness}; reads: {health}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="700"/>
        <source>账号风险</source>
        <translation>Account at risk</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="704"/>
        <source>突发事件</source>
        <translation>Emergency</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="717"/>
        <source>另有 {count} 项，见交接记录导出</source>
        <translation>{count} more; see the handover record export</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="725"/>
        <source>当前无人值班：请签到接班</source>
        <translation>Nobody on duty: start a shift</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="730"/>
        <source>值班中：第 {id} 班 {officer}，{start} 起（已值班 {duration}）</source>
        <translation>On duty: shift #{id} {officer}, since {start} ({duration} so far)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="741"/>
        <source>强制结班</source>
        <translation>Force-close shift</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="749"/>
        <source>值班中</source>
        <translation>On duty</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="751"/>
        <source>第 {id} 班 {officer}（{start} 至 {end}）</source>
        <translation>Shift #{id} {officer} ({start} to {end})</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="769"/>
        <source>本周 {week}（进行中）</source>
        <translation>This week {week} (in progress)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="771"/>
        <source>上周 {week}</source>
        <translation>Last week {week}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="798"/>
        <source>未开班：人工巡查须在班次中记录</source>
        <translation>No shift open: manual inspections are recorded within a shift</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="804"/>
        <source>本班巡查：人工 {manual} 条，更正 {correction} 条，自动 {auto} 条（下表为最近的人工记录）</source>
        <translation>This shift: {manual} manual, {correction} corrections, {auto} automatic (latest manual records below)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="808"/>
        <source>人工</source>
        <translation>Manual</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="808"/>
        <source>更正</source>
        <translation>Correction</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="822"/>
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="859"/>
        <source>本周 {week}，截至 {now}；与周报图表同一数据</source>
        <translation>Week {week} up to {now}; same data as the weekly report charts</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="879"/>
        <source>首条发布 {when}</source>
        <translation>First post {when}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="883"/>
        <source>首条发布 {when}，超出期限 {late}</source>
        <translation>First post {when}, {late} past the deadline</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="884"/>
        <source>已超时 {late}，仍未发布</source>
        <translation>Overdue by {late}, nothing posted yet</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="886"/>
        <source>剩余 {left}</source>
        <translation>{left} left</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="897"/>
        <source>已签到：第 {id} 班 {officer}</source>
        <translation>Signed in: shift #{id} {officer}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="910"/>
        <source>第 {id} 班属于 {officer}：代为结班须填写强制结班原因</source>
        <translation>Shift #{id} belongs to {officer}: closing it for them needs a force-close reason</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="918"/>
        <source>第 {id} 班已强制结班</source>
        <translation>Shift #{id} force-closed</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="918"/>
        <source>第 {id} 班已交班</source>
        <translation>Shift #{id} handed over</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="919"/>
        <source>；遗留事项已记入交接</source>
        <translation>; carry-over items recorded in the handover</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="927"/>
        <source>已确认接班：第 {id} 班的交接</source>
        <translation>Takeover confirmed: handover of shift #{id}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="937"/>
        <source>请先选择账号</source>
        <translation>Select an account first</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="957"/>
        <source>已记录巡查 #{id}：{account}</source>
        <translation>Inspection #{id} recorded: {account}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="971"/>
        <source>已启动：{title}，首条发布期限 {due}</source>
        <translation>Activated: {title}, first post due {due}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="982"/>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="1028"/>
        <source>还没有班次记录，无法导出交接记录</source>
        <translation>No shifts recorded yet; no handover record to export</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="985"/>
        <source>导出交接记录</source>
        <translation>Export handover record</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="986"/>
        <source>值班交接记录-第{id}班</source>
        <translation>handover-shift-{id}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="996"/>
        <source>导出周报</source>
        <translation>Export weekly report</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="997"/>
        <source>政务新媒体周报-{week}</source>
        <translation>weekly-report-{week}</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="1003"/>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="1003"/>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF file (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="1003"/>
        <source>CSV 文件 (*.csv)</source>
        <translation>CSV file (*.csv)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="1030"/>
        <source>正在导出交接记录…</source>
        <translation>Exporting handover record…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="1040"/>
        <source>已导出交接记录：</source>
        <translation>Handover record exported: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="1045"/>
        <source>正在导出周报…</source>
        <translation>Exporting weekly report…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/views/duty.py" line="1055"/>
        <source>已导出周报：</source>
        <translation>Weekly report exported: </translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="25"/>
        <source>微信公众号</source>
        <translation>WeChat Official Account</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="26"/>
        <source>新浪微博</source>
        <translation>Sina Weibo</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="27"/>
        <source>抖音</source>
        <translation>Douyin</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="28"/>
        <source>快手</source>
        <translation>Kuaishou</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="29"/>
        <source>今日头条</source>
        <translation>Toutiao</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="30"/>
        <source>腾讯微视</source>
        <translation>Tencent Weishi</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="31"/>
        <source>上游号</source>
        <translation>Shangyou</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="32"/>
        <source>RSS 订阅</source>
        <translation>RSS feed</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="33"/>
        <source>网站</source>
        <translation>Website</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="41"/>
        <source>运营中</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="41"/>
        <source>待关停</source>
        <translation>To shut down</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="41"/>
        <source>已关停</source>
        <translation>Shut down</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="48"/>
        <location filename="../../jb_watchdesk/ui/labels.py" line="56"/>
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="48"/>
        <source>预警</source>
        <translation>Warning</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="48"/>
        <source>否决</source>
        <translation>Veto</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="48"/>
        <source>未知</source>
        <translation>Unknown</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="57"/>
        <source>不稳定</source>
        <translation>Unstable</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="58"/>
        <source>授权过期</source>
        <translation>Auth expired</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="59"/>
        <source>读取失败</source>
        <translation>Failing</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="60"/>
        <source>未读取</source>
        <translation>Never read</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="69"/>
        <source>待确认</source>
        <translation>Awaiting ack</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="70"/>
        <source>确认超时</source>
        <translation>Ack overdue</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="71"/>
        <location filename="../../jb_watchdesk/ui/labels.py" line="103"/>
        <source>已确认</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="72"/>
        <source>办结超时</source>
        <translation>Reply overdue</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="73"/>
        <source>已办结</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="81"/>
        <source>高</source>
        <translation>High</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="81"/>
        <source>中</source>
        <translation>Medium</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="81"/>
        <source>低</source>
        <translation>Low</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="89"/>
        <source>涉密</source>
        <translation>Classified</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="90"/>
        <source>商业广告</source>
        <translation>Advertising</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="91"/>
        <source>有偿服务</source>
        <translation>Paid service</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="92"/>
        <source>个人隐私</source>
        <translation>Privacy</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="93"/>
        <source>表述错误</source>
        <translation>Misstatement</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="94"/>
        <source>应关停账号发布</source>
        <translation>Post by retired account</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="95"/>
        <source>平台判定不宜公开</source>
        <translation>Judged unfit for the public by the platform</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="103"/>
        <source>新告警</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="103"/>
        <source>已解决</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/labels.py" line="118"/>
        <source>天</source>
        <translation>d</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="95"/>
        <source>知道了</source>
        <translation>Got it</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="152"/>
        <source>江北政务新媒体值班台</source>
        <translation>JB WatchDesk</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="163"/>
        <source>否决</source>
        <translation>Veto</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="164"/>
        <source>确认超时</source>
        <translation>Ack overdue</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="165"/>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="336"/>
        <source>新告警</source>
        <translation>New alerts</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="166"/>
        <source>读取失败</source>
        <translation>Failing</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="185"/>
        <source>值班总览</source>
        <translation>Overview</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="186"/>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="218"/>
        <source>留言队列</source>
        <translation>Comments</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="187"/>
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="188"/>
        <source>账号管理</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="189"/>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="282"/>
        <source>值班与巡查</source>
        <translation>Duty and inspections</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="193"/>
        <source>操作</source>
        <translation>Actions</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="195"/>
        <source>立即巡查</source>
        <translation>Poll now</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="197"/>
        <source>暂停巡查</source>
        <translation>Pause polling</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="199"/>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="481"/>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="200"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="204"/>
        <source>正在启动…</source>
        <translation>Starting…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="227"/>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="334"/>
        <source>巡查</source>
        <translation>Poll</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="232"/>
        <source>留言处理</source>
        <translation>Comment action</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="240"/>
        <source>保存账号</source>
        <translation>Save account</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="242"/>
        <source>保存凭据</source>
        <translation>Save credential</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="244"/>
        <source>测试连接</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="269"/>
        <source>正在巡查全部账号…</source>
        <translation>Polling every account…</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="271"/>
        <source>一轮巡查正在进行，结束后即显示结果</source>
        <translation>A poll is already under way; its results show when it ends</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="334"/>
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="335"/>
        <source>失败</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="335"/>
        <source>新发布</source>
        <translation>New posts</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="336"/>
        <source>新留言</source>
        <translation>New comments</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="345"/>
        <source>巡查进行中</source>
        <translation>Polling</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="345"/>
        <source>巡查已暂停</source>
        <translation>Polling paused</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="357"/>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="361"/>
        <source>值班告警</source>
        <translation>Duty alert</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="361"/>
        <source>本轮巡查待查看的告警：</source>
        <translation>Alerts to review from this poll: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="361"/>
        <source>高风险</source>
        <translation>high risk</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="383"/>
        <source>确认告警</source>
        <translation>Acknowledge alert</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="391"/>
        <source>已加入白名单：</source>
        <translation>Allow phrase added: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="393"/>
        <source>已在白名单中：</source>
        <translation>Already an allow phrase: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="395"/>
        <source>加入白名单</source>
        <translation>Add allow phrase</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="405"/>
        <source>查看原文</source>
        <translation>View original</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="415"/>
        <source>该账号还没有读取到发布</source>
        <translation>No posts read from this account yet</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="417"/>
        <source>查看发布</source>
        <translation>View post</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="435"/>
        <source>已保存：</source>
        <translation>Saved: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="441"/>
        <source>凭据已保存到系统钥匙串：</source>
        <translation>Credential saved to the system keychain: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="450"/>
        <source>连接正常：</source>
        <translation>Connection OK: </translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="453"/>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="459"/>
        <source>导入登记表</source>
        <translation>Import register</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="456"/>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="459"/>
        <source>导出登记表</source>
        <translation>Export register</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="460"/>
        <source>账号登记表 (*.xlsx *.csv *.json)</source>
        <translation>Account register (*.xlsx *.csv *.json)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="471"/>
        <source>已导入</source>
        <translation>Imported</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="475"/>
        <source>已导出</source>
        <translation>Exported</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="494"/>
        <source>设置已保存并生效；界面语言在下次启动时切换</source>
        <translation>Settings saved and applied; the language changes at the next start</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="496"/>
        <source>设置已保存并生效</source>
        <translation>Settings saved and applied</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="508"/>
        <source>值班台仍在运行</source>
        <translation>WatchDesk is still running</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/main_window.py" line="508"/>
        <source>巡查继续在后台进行；从托盘菜单退出。</source>
        <translation>Polling continues in the background; quit from the tray menu.</translation>
    </message>
    <message>
        <source>留言</source>
        <translation type="vanished">Comment</translation>
    </message>
    <message>
        <source>连接失败：</source>
        <translation type="vanished">Connection failed: </translation>
    </message>
    <message>
        <source>设置已保存；巡查间隔和并发在下次启动时生效</source>
        <translation type="vanished">Settings saved; poll intervals and concurrency apply after a restart</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/note.py" line="27"/>
        <source>处理说明（必填），例如：已电话联系发布单位删除并核实</source>
        <translation>Action taken (required), e.g. phoned the publishing unit, post deleted and checked</translation>
    </message>
</context>
<context>
    <name>PostDialog</name>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/post.py" line="37"/>
        <source>（仅作者或好友可见）</source>
        <translation>(visible to the author or friends only)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/post.py" line="38"/>
        <source>（平台审核中）</source>
        <translation>(under the platform's review)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/post.py" line="39"/>
        <source>（平台判定不宜公开）</source>
        <translation>(judged unfit for the public by the platform)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/post.py" line="46"/>
        <source>发布详情</source>
        <translation>Post details</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/post.py" line="48"/>
        <source>留言</source>
        <translation>Comment</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/post.py" line="48"/>
        <source>（无标题）</source>
        <translation>(untitled)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/post.py" line="60"/>
        <source>（估计，首次读取时间）</source>
        <translation>(estimated: when first read)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/post.py" line="64"/>
        <source>（已删除）</source>
        <translation>(deleted)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/post.py" line="73"/>
        <source>在浏览器中打开</source>
        <translation>Open in browser</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="22"/>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="30"/>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="31"/>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="39"/>
        <source> 分钟</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="35"/>
        <source>留空则使用系统代理，例如 http://10.0.0.1:8080</source>
        <translation>Leave empty for the system proxy, e.g. http://10.0.0.1:8080</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="37"/>
        <source>同时发送系统通知</source>
        <translation>Also send system notifications</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="40"/>
        <source>界面语言（重启后生效）</source>
        <translation>Language (after restart)</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="41"/>
        <source>值班人员</source>
        <translation>Officer on duty</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="42"/>
        <source>发布巡查间隔</source>
        <translation>Post poll interval</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="43"/>
        <source>留言巡查间隔</source>
        <translation>Comment poll interval</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="44"/>
        <source>最大并发请求</source>
        <translation>Max concurrent requests</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="45"/>
        <source>每个主机并发</source>
        <translation>Per host</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="46"/>
        <source>代理</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="47"/>
        <source>CA 证书文件</source>
        <translation>CA bundle</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="48"/>
        <source>通知</source>
        <translation>Notifications</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/dialogs/settings.py" line="49"/>
        <source>未确认高风险告警重复提醒</source>
        <translation>Repeat unacked high-risk alerts</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../jb_watchdesk/ui/tray.py" line="24"/>
        <source>显示值班台</source>
        <translation>Show WatchDesk</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/tray.py" line="25"/>
        <source>暂停巡查</source>
        <translation>Pause polling</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/tray.py" line="27"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/tray.py" line="48"/>
        <source>江北政务新媒体值班台</source>
        <translation>JB WatchDesk</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/tray.py" line="48"/>
        <source>新告警</source>
        <translation>New alerts</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/tray.py" line="48"/>
        <source>超时留言</source>
        <translation>Overdue comments</translation>
    </message>
    <message>
        <location filename="../../jb_watchdesk/ui/tray.py" line="48"/>
        <source>读取失败</source>
        <translation>Failing</translation>
    </message>
</context>
</TS>
