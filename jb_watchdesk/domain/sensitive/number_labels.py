"""The labels written beside a number (身份证, 卡号, 手机, 订单号 …): the nearest one says what it is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from jb_watchdesk.domain.sensitive.reasons import Why

# Labels, longest first so 身份证号码 wins over 身份证. Their kind decides what a number is.
_LABEL_KINDS: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("公民身份号码", "身份证号码", "身份证号", "身份证", "身份号码", "证件号码", "证件号", "居民身份证", "idcard", "id card"),
        "id",
    ),
    **dict.fromkeys(
        ("银行卡号", "银行卡", "储蓄卡", "信用卡号", "信用卡", "借记卡", "卡号", "银行账号", "账号", "帐号", "账户", "帐户",
         "开户行", "开户银行", "户名", "收款码", "card"),
        "card",
    ),
    **dict.fromkeys(("转账", "汇款", "收款", "付款", "打款", "打钱", "支付"), "payment"),
    **dict.fromkeys(("示例", "样例", "例如", "为例", "举例", "比如", "格式为", "格式如"), "example"),
    **dict.fromkeys(
        ("手机号码", "手机号", "手机", "电话号码", "电话", "联系方式", "联系人", "微信号", "微信", "tel", "mobile", "致电", "拨打", "热线",
         "联系我", "联系", "电联", "打给我", "找我", "qq"),
        "phone",
    ),
    **dict.fromkeys(
        ("统一社会信用代码", "社会信用代码", "信用代码", "营业执照注册号", "注册号", "订单编号", "订单号", "订单", "快递单号",
         "运单号", "物流单号", "单号", "发票号码", "发票代码", "发票号", "合同编号", "合同号", "项目编号", "采购编号",
         "招标编号", "编号", "案号", "文号", "流水号", "交易单号", "交易号", "商户号", "序列号", "批准文号", "备案号",
         "许可证号", "许可证编号", "证书编号", "证书号", "税号", "纳税人识别号", "识别号", "登记号", "准考证号", "考号",
         "工号", "档案号", "批次号", "条形码", "条码", "车架号", "客户编号", "户号", "缴费号", "保单号", "工单号", "报名号",
         "报名序号", "序号", "代码", "账单号", "会员号", "预约号", "取件码", "验证码", "邮编", "邮政编码", "isbn", "issn"),
        "other",
    ),
}
_LABELS: Final = re.compile("|".join(re.escape(label) for label in sorted(_LABEL_KINDS, key=len, reverse=True)))
_EXAMPLE: Final = re.compile("示例|样例|例如|为例|举例|比如|格式为|格式如")
_LABELS_NEXT_NUMBER: Final = re.compile(r"[号码是为:：\s]{0,3}[0-9零〇一二三四五六七八九幺]")
_LABEL_BEFORE: Final = 24
_LABEL_AFTER: Final = 8


@dataclass(frozen=True, slots=True)
class _Label:
    text: str
    kind: str
    distance: int


def _nearest_label(folded: str, start: int, end: int) -> tuple[_Label | None, _Label | None]:
    """The label nearest to ``[start, end)`` and the nearest one of another kind, if any.

    Before the number counts from the label's end, after it from the label's start; a label
    after the number counts double, since labels are mostly written first.
    """
    found: list[_Label] = []
    lo = max(0, start - _LABEL_BEFORE)
    for match in _LABELS.finditer(folded, lo, start):
        found.append(_Label(match.group(), _LABEL_KINDS[match.group()], start - match.end()))
    for match in _LABELS.finditer(folded, end, min(len(folded), end + _LABEL_AFTER)):
        if _LABELS_NEXT_NUMBER.match(folded, match.end()):
            continue  # "卡号…，身份证4101…": the label after the number belongs to the next one
        found.append(_Label(match.group(), _LABEL_KINDS[match.group()], 2 * (match.start() - end) + 1))
    if not found:
        return None, None
    found.sort(key=lambda label: label.distance)
    nearest = found[0]
    other = next((label for label in found[1:] if label.kind != nearest.kind), None)
    return nearest, other


def _label_why(nearest: _Label | None, other: _Label | None) -> tuple[Why, ...]:
    if nearest is None:
        return ()
    if other is not None:
        return (Why("number.label_nearer", f"{nearest.text}|{other.text}"),)
    return (Why("number.label", nearest.text),)
