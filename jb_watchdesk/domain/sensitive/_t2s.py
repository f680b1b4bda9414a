"""Traditional → simplified Chinese characters that matter for matching.

A deliberately small table, one character to one character, so folding never changes the
length of a text and every offset stays exact. It covers the characters of the shipped lexicon
and of the words around them (government, secrecy, advertising, payment and personal-data
vocabulary) plus the most frequent traditional characters; a full conversion (phrase level,
regional variants) is not needed to find a lexicon term written in traditional characters.
Characters whose simplified form is ambiguous in common words (乾, 著, 瞭 …) are left out on
purpose: folding them wrongly would create false hits.
"""

from __future__ import annotations

from typing import Final

# Pairs "traditional simplified", grouped loosely by theme so a reviewer can check them.
_PAIRS: Final = """
薩萨 豬猪 網网 質质
國国 華华 務务 黨党 會会 議议 屆届 區区 縣县 鄉乡 鎮镇 廳厅 處处 員员 幹干 職职 級级 長长 書书 記记
機机 關关 單单 這这 們们 個个 為为 爲为 來来 時时 對对 開开 與与 從从 過过 還还 進进 實实 發发 將将
當当 應应 體体 現现 動动 問问 經经 濟济 學学 醫医 療疗 藥药 寶宝 檢检 測测 試试 驗验 認认 識识 計计
劃划 規规 範范 統统 紀纪 監监 軍军 隊队 衛卫 護护 報报 紙纸 線线 導导 領领 義义 習习 鄧邓 澤泽 東东
論论 說说 話话 語语 讀读 寫写 傳传 聞闻 稱称 聽听 僅仅 絡络 網网 購购 賣卖 買买 銷销 價价 錯错 誤误
違违 總总 歲岁 萬万 億亿 兩两 滿满 齊齐 齡龄 親亲 愛爱 夢梦 興兴 復复 複复 鬥斗 爭争 勝胜 敗败 戰战
衝冲 擊击 擁拥 選选 舉举 權权 憲宪 條条 環环 態态 設设 築筑 備备 輸输 運运 營营 團团 組组 織织 協协
際际 軟软 數数 據据 庫库 檔档 構构 碼码 內内 參参 籤签 簽签 屬属 隱隐 絕绝 祕秘 頁页 題题 細细 節节
類类 項项 鑒鉴 鑑鉴 彙汇 匯汇 證证 號号 銀银 帳账 賬账 戶户 電电 辦办 償偿 費费 貸贷 額额 補补 貼贴
資资 聯联 繫系 係系 門门 車车 點点 掃扫 優优 獨独 極极 頂顶 頭头 專专 業业 標标 準准 質质 貨货 幣币
錢钱 產产 廣广 貳贰 圖图 書书 樣样 價价 費费 頻频 聲声 響响 戲戏 劇剧 藝艺 術术 歷历 史史 觀观 現现
門门 問问 間间 閱阅 陽阳 陰阴 陳陈 陸陆 隨随 險险 難难 雙双 雜杂 雞鸡 離离 靈灵 韓韩 順顺 須须 預预
領领 頒颁 顧顾 風风 飛飞 飯饭 館馆 驗验 體体 髮发 鬧闹 魚鱼 鳥鸟 麥麦 黃黄 齒齿 龍龙 龜龟 見见 視视
親亲 覺觉 覽览 觸触 計计 訂订 訊讯 討讨 訓训 記记 訪访 許许 設设 診诊 評评 詞词 詢询 詳详 誌志 認认
語语 誠诚 課课 調调 談谈 請请 諸诸 講讲 謝谢 證证 識识 警警 議议 護护 讓让 變变 讚赞 貝贝 負负 財财
貢贡 貧贫 貨货 販贩 責责 貴贵 貿贸 費费 賀贺 資资 賞赏 賠赔 賴赖 賺赚 賽赛 贈赠 贊赞 趙赵 趕赶 軌轨
軍军 轉转 輕轻 較较 載载 輔辅 輛辆 輪轮 辭辞 農农 遠远 適适 遷迁 遺遗 還还 邊边 鄰邻 鄭郑 醫医 釋释
針针 鈔钞 鉅巨 銜衔 鋪铺 錄录 鍵键 鏈链 鐵铁 鑰钥 長长 開开 閉闭 閘闸 闆板 闊阔 隊队 階阶 際际 隸隶
雖虽 雲云 電电 靜静 響响 頁页 順顺 項项 須须 頓顿 預预 顏颜 額额 類类 顯显 飲饮 養养 餐餐 餘余 饋馈
馬马 駐驻 騙骗 驚惊 體体 鬆松 麼么 齣出 裡里 裏里 於于 後后 臺台 颱台 檯台 隻只 鐘钟 鍾钟 製制 纔才
嚴严 捨舍 麵面 們们 團团 園园 圍围 圓圆 場场 壞坏 壓压 壯壮 聲声 賣卖 處处 備备 頭头 奪夺 奮奋 婦妇
媽妈 孫孙 寧宁 將将 尋寻 導导 層层 岡冈 島岛 嶺岭 幫帮 廠厂 廢废 廬庐 彈弹 徵征 態态 憶忆 懷怀 戀恋
戶户 拋抛 挾挟 捲卷 掃扫 揚扬 換换 損损 搖摇 搶抢 攝摄 擇择 擔担 據据 擠挤 擴扩 擺摆 攤摊 敵敌 斷断
會会 殺杀 殘残 氣气 漢汉 湯汤 溝沟 滅灭 漲涨 潔洁 澳澳 濱滨 灣湾 災灾 無无 熱热 燈灯 爐炉 牆墙 狀状
獎奖 獲获 現现 環环 瑪玛 畫画 異异 療疗 盡尽 盤盘 眾众 礙碍 確确 禮礼 禍祸 稅税 種种 穩稳 窮穷 競竞
筆笔 節节 範范 簡简 糧粮 紅红 純纯 紙纸 級级 納纳 紐纽 練练 組组 終终 結结 給给 絡络 統统 經经 綜综
綠绿 維维 綱纲 網网 緊紧 緒绪 線线 編编 緣缘 縮缩 績绩 織织 繼继 續续 罰罚 羅罗 聖圣 聯联 聰聪 肅肃
腦脑 膽胆 臉脸 臨临 興兴 舊旧 艦舰 莊庄 葉叶 蔣蒋 蘇苏 蘭兰 處处 號号 蟲虫 術术 衛卫 補补 裝装 製制
覆覆 規规 訴诉 診诊 誇夸 說说 誰谁 諾诺 謀谋 謊谎 證证 譯译 豐丰 豬猪 貓猫 貫贯 貸贷 賓宾 質质 購购
贏赢 趨趋 躍跃 軟软 輯辑 轄辖 辦办 邏逻 郵邮 鄉乡 釣钓 鈴铃 銅铜 鋼钢 錦锦 鎖锁 鏡镜 鐘钟 閃闪 闖闯
闡阐 陣阵 陰阴 隨随 雜杂 雞鸡 難难 霧雾 靈灵 韋韦 頌颂 領领 頸颈 頻频 顆颗 願愿 顛颠 風风 颳刮 飄飘
飢饥 飽饱 飾饰 館馆 騎骑 騰腾 驅驱 骯肮 鬧闹 魯鲁 鮮鲜 鳳凤 鴻鸿 鵬鹏 鹽盐 麗丽 黨党 齋斋 龐庞 峯峰
羣群 眞真 硏研 歐欧 歡欢 權权 權权 嘆叹 噴喷 嚮向 囑嘱 壇坛 墳坟 壩坝 墊垫 奧奥 姦奸 嬰婴 寢寝 實实
寫写 寬宽 審审 憑凭 懇恳 懲惩 戲戏 戰战 擬拟 擴扩 攜携 斂敛 昇升 晉晋 曉晓 曆历 曠旷 書书 會会 樓楼
標标 樞枢 機机 橋桥 檢检 櫃柜 欄栏 權权 歸归 殼壳 毀毁 氫氢 洩泄 淚泪 淺浅 渦涡 溫温 潤润 濕湿 瀏浏
燒烧 營营 爺爷 犧牺 猶犹 獄狱 獸兽 獻献 瑣琐 璽玺 甌瓯 產产 畝亩 瘋疯 癢痒 發发 盜盗 監监 睜睁
矯矫 碩硕 禪禅 窩窝 竊窃 筍笋 簿簿 籃篮 籌筹 紛纷 紡纺 索索 紮扎 累累 細细 紹绍 絲丝 綁绑 緩缓 縫缝
總总 繁繁 繩绳 繪绘 罷罢 羨羡 習习 聳耸 職职 脅胁 腳脚 膚肤 艙舱 蘋苹 虛虚 虧亏 蝦虾 衆众 襪袜 襲袭
覽览 觀观 訝讶 詐诈 詩诗 該该 誘诱 請请 論论 諮咨 謠谣 謹谨 譜谱 譽誉 讀读 貞贞 貼贴 賭赌 贓赃 贖赎
""".split()


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for pair in _PAIRS:
        traditional, simplified = pair[0], pair[1]
        if traditional != simplified:
            table[traditional] = simplified
    return table


TRADITIONAL_TO_SIMPLIFIED: Final[dict[str, str]] = _table()
