<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AgreementDialog</name>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="268"/>
        <source>签署试驾协议</source>
        <translation>Sign test-drive agreement</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="273"/>
        <source>留空使用模板中的默认路线</source>
        <translation>Leave blank to use the template&apos;s default route</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="277"/>
        <source>试驾路线</source>
        <translation>Test-drive route</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="278"/>
        <source>陪同人员</source>
        <translation>Accompanied by</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="283"/>
        <source>客户在此签名</source>
        <translation>Customer signs here</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="284"/>
        <source>销售顾问在此签名</source>
        <translation>Consultant signs here</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="283"/>
        <source>客户（试驾人）签名</source>
        <translation>Customer (driver) signature</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="284"/>
        <source>销售顾问签名</source>
        <translation>Consultant signature</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="286"/>
        <source>确认签署</source>
        <translation>Confirm and sign</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="307"/>
        <source>请先选择陪同试驾的销售顾问，协议会写明陪同人员。</source>
        <translation>First choose the consultant who rides along; the agreement names them.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="330"/>
        <source>请选择陪同试驾的销售顾问。</source>
        <translation>Choose the consultant who rides along.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="333"/>
        <source>协议还没有生成，请稍候。</source>
        <translation>The agreement is not ready yet. Please wait.</translation>
    </message>
</context>
<context>
    <name>AmendmentDialog</name>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="491"/>
        <source>起草补充协议</source>
        <translation>Draft amendment</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="494"/>
        <source>原合同</source>
        <translation>Original contract</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="498"/>
        <source>写明变更的条款和内容，如：交车日期改为……</source>
        <translation>State the clauses and what changes, e.g. delivery date moved to …</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="499"/>
        <source>变更后成交价（元）</source>
        <translation>Price after the change (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="500"/>
        <source>变更内容</source>
        <translation>Changes</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="501"/>
        <source>生成补充协议编号</source>
        <translation>Number the amendment</translation>
    </message>
</context>
<context>
    <name>ArrivalsPanel</name>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="223"/>
        <source>自助机签到 · 待迎接 {n} 位</source>
        <translation>Kiosk check-ins waiting to be greeted: {n}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="227"/>
        <source>⚠ {kiosk}：{minutes} 分钟内签到了 {n} 个不同号码或错误预约码（其中错误预约码 {codes} 个），请留意是否有人冒用他人号码。</source>
        <translation>⚠ {kiosk}: {n} different numbers or wrong booking codes in {minutes} minutes ({codes} wrong codes). Someone may be using other people&apos;s numbers.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="245"/>
        <source>{name}（{phone}，顾问 {consultant}）</source>
        <translation>{name} ({phone}, consultant {consultant})</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="248"/>
        <source>未分配</source>
        <translation>not assigned</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="251"/>
        <source>尾号 {tail}，未登记的号码：请询问称呼并登记</source>
        <translation>number ending {tail}, not on file: ask their name and register them</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="255"/>
        <source>预约码签到</source>
        <translation>booking code</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="255"/>
        <source>手机号签到</source>
        <translation>mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="258"/>
        <source>（可疑：同一自助机短时间内签到了多个号码）</source>
        <translation> (suspicious: many numbers from one kiosk in a short time)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="269"/>
        <source>接待</source>
        <translation>Greet</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="272"/>
        <source>未见到此人</source>
        <translation>Nobody there</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <location filename="../../ui/screens/audit.py" line="40"/>
        <source>序号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="41"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="42"/>
        <source>操作人</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="43"/>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="44"/>
        <source>对象</source>
        <translation>Record</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="45"/>
        <source>详情</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="60"/>
        <source>系统</source>
        <translation>System</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="61"/>
        <source>自助机</source>
        <translation>Kiosk</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="62"/>
        <source>车辆网页</source>
        <translation>Car web page</translation>
    </message>
</context>
<context>
    <name>AuditScreen</name>
    <message>
        <location filename="../../ui/screens/audit.py" line="92"/>
        <source>最近 {n} 条记录</source>
        <translation>Latest {n} entries</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="99"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="102"/>
        <source>校验</source>
        <translation>Verify</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="104"/>
        <source>逐条核对哈希链，检查记录是否被修改或删除</source>
        <translation>Check the hash chain entry by entry for edited or deleted records</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="133"/>
        <source>正在校验…</source>
        <translation>Verifying…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="152"/>
        <source>审计日志完整：共 {count} 条，哈希链无误，已与 {anchors} 个链外锚点核对。当前链头锚点 {anchor}（可抄在日结单上，日后核对）。</source>
        <translation>Audit log intact: {count} entries, hash chain correct, checked against {anchors} anchors kept outside the database. Current head anchor {anchor} (copy it onto the day sheet to check later).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="159"/>
        <source>审计日志异常：{reason}（第一个异常条目：{seq}）</source>
        <translation>Audit log damaged: {reason} (first bad entry: {seq})</translation>
    </message>
</context>
<context>
    <name>BayColumn</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="672"/>
        <source>接下一辆车检测</source>
        <translation>Take the next car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="679"/>
        <source>等候 {n} 辆</source>
        <translation>{n} waiting</translation>
    </message>
</context>
<context>
    <name>BoardModel</name>
    <message>
        <location filename="../../ui/screens/board.py" line="130"/>
        <source>到店</source>
        <translation>Visit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="131"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="132"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="133"/>
        <source>目的</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="134"/>
        <source>人数</source>
        <translation>Party</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="135"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="136"/>
        <source>接待顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="137"/>
        <source>时长</source>
        <translation>Duration</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="138"/>
        <source>结果 / 意向</source>
        <translation>Outcome / intent</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="170"/>
        <source>已等待 {m} 分钟，超过 {a} 分钟提醒线</source>
        <translation>Waiting {m} min, past the {a}-min alert</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="186"/>
        <source>预约</source>
        <translation>booked</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="192"/>
        <source>待分配</source>
        <translation>To assign</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="194"/>
        <source>{m} 分钟</source>
        <translation>{m} min</translation>
    </message>
</context>
<context>
    <name>BoardScreen</name>
    <message>
        <location filename="../../ui/screens/board.py" line="301"/>
        <source>今日到店</source>
        <translation>Visits today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="305"/>
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="361"/>
        <source>按到店先后分配排队客户</source>
        <translation>Hand out the queue by arrival</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="368"/>
        <source>开始接待</source>
        <translation>Start attending</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="370"/>
        <source>试驾出发</source>
        <translation>Test drive out</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="372"/>
        <source>试驾回来</source>
        <translation>Test drive back</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="374"/>
        <source>离店登记…</source>
        <translation>Check out…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="379"/>
        <source>改派</source>
        <translation>Reassign</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="385"/>
        <source>接待顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="437"/>
        <source>选择顾问…</source>
        <translation>Choose consultant…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="440"/>
        <source>（接待中）</source>
        <translation> (attending)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="440"/>
        <source>（有客等候）</source>
        <translation> (has a visitor waiting)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="454"/>
        <source>今天没有在岗的销售顾问（请店长在“员工 → 排班”中安排）。</source>
        <translation>No consultant is on duty today (the manager sets this under Staff → Roster).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="456"/>
        <source>在岗空闲：{free}</source>
        <translation>On duty and free: {free}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="456"/>
        <source>无</source>
        <translation>none</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="458"/>
        <source> · 在岗忙碌：{busy}</source>
        <translation> · On duty, busy: {busy}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="460"/>
        <source> · 排队等候分配 {n} 位（顾问空出后按到店先后自动分配）</source>
        <translation> · {n} waiting for a consultant (handed out by arrival as consultants become free)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="472"/>
        <source>等待 {w} · 接待中 {c} · 试驾中 {d} · 已离店 {l}</source>
        <translation>Waiting {w} · Being served {c} · On test drive {d} · Left {l}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="479"/>
        <source> · {n} 位等待超时</source>
        <translation> · {n} waiting too long</translation>
    </message>
</context>
<context>
    <name>BookingDialog</name>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="81"/>
        <source>预约试驾</source>
        <translation>Book a test drive</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="84"/>
        <source>如 BJ01-S2026-00012</source>
        <translation>e.g. BJ01-S2026-00012</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="86"/>
        <source>输入库存编号后按回车</source>
        <translation>Enter the stock no. and press Enter</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="101"/>
        <source>输入手机号后按回车查找客户</source>
        <translation>Enter the mobile number and press Enter to find the customer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="95"/>
        <source>库存编号</source>
        <translation>Stock no.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="97"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="98"/>
        <source>时段</source>
        <translation>Time slot</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="100"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="104"/>
        <source>销售顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="156"/>
        <source>（不可约）</source>
        <translation> (unavailable)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="178"/>
        <source>请选择负责这次试驾的销售顾问。</source>
        <translation>Choose the consultant responsible for this test drive.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="102"/>
        <source>没有这个手机号的客户，请先在“客户”中登记。</source>
        <translation>No customer has this mobile number. Register them under &quot;Customers&quot; first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="166"/>
        <source>请先输入库存编号并找到车辆。</source>
        <translation>Enter a stock no. and find the car first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="169"/>
        <source>请先输入手机号并找到客户。</source>
        <translation>Enter a mobile number and find the customer first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="173"/>
        <source>这一天没有可预约的时段，请换一天。</source>
        <translation>No time slots are free on this day. Please choose another day.</translation>
    </message>
</context>
<context>
    <name>BrowsePage</name>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="570"/>
        <source>在售车辆</source>
        <translation>Cars for sale</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="582"/>
        <source>最新年份</source>
        <translation>Newest</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="583"/>
        <source>价格最低</source>
        <translation>Lowest price</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="584"/>
        <source>里程最少</source>
        <translation>Lowest mileage</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="591"/>
        <source>金融计算器</source>
        <translation>Loan calculator</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="627"/>
        <source>全部品牌</source>
        <translation>All brands</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="643"/>
        <source>全部价格</source>
        <translation>Any price</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="644"/>
        <source>5万以下</source>
        <translation>Under ¥50k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="645"/>
        <source>5–10万</source>
        <translation>¥50–100k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="646"/>
        <source>10–15万</source>
        <translation>¥100–150k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="647"/>
        <source>15–20万</source>
        <translation>¥150–200k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="648"/>
        <source>20–30万</source>
        <translation>¥200–300k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="649"/>
        <source>30万以上</source>
        <translation>¥300k+</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="666"/>
        <source>全部能源</source>
        <translation>All fuels</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="667"/>
        <source>燃油</source>
        <translation>Petrol/diesel</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="668"/>
        <source>混动</source>
        <translation>Hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="669"/>
        <source>纯电</source>
        <translation>Electric</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="677"/>
        <source>全部车身</source>
        <translation>All body types</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="691"/>
        <source>重新加载</source>
        <translation>Reload</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="696"/>
        <source>查看全部车辆</source>
        <translation>Show all cars</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="719"/>
        <source>重试</source>
        <translation>Retry</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/kiosk/browse.py" line="855"/>
        <source>车型对比（%n）</source>
        <translation>
            <numerusform>Compare (%n)</numerusform>
            <numerusform>Compare (%n)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="855"/>
        <source>车型对比</source>
        <translation>Compare cars</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="933"/>
        <source>暂时无法加载车辆信息，请稍后再试或咨询工作人员</source>
        <translation>Car information cannot be loaded right now. Please try again later or ask our staff.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/kiosk/browse.py" line="938"/>
        <source>共 %n 辆</source>
        <translation>
            <numerusform>%n car</numerusform>
            <numerusform>%n cars</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="948"/>
        <source>正在加载车辆…</source>
        <translation>Loading cars…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="949"/>
        <source>没有符合条件的车辆，换个条件试试</source>
        <translation>No cars match. Try other filters.</translation>
    </message>
</context>
<context>
    <name>BugReporter</name>
    <message>
        <location filename="../../ui/errors.py" line="1720"/>
        <source>出现了意外错误</source>
        <translation>Unexpected error</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1721"/>
        <source>很抱歉，程序出现了意外错误。您输入的内容已尽量保留。</source>
        <translation>Sorry, something unexpected went wrong. What you typed has been kept where possible.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1723"/>
        <source>请把下面的日志文件发给技术支持：
{path}</source>
        <translation>Please send this log file to support:
{path}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1727"/>
        <source>知道了</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>CadenceDialog</name>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="27"/>
        <source>A 级（热，7 天内可成交）</source>
        <translation>Grade A (hot, may buy within 7 days)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="28"/>
        <source>B 级（温）</source>
        <translation>Grade B (warm)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="29"/>
        <source>C 级（冷）</source>
        <translation>Grade C (cold)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="30"/>
        <source>D 级（无意向）</source>
        <translation>Grade D (no intent)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="43"/>
        <source>回访节奏</source>
        <translation>Follow-up cadence</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="48"/>
        <source>客户离店、试驾还车、来了新线索或调整意向等级时，按等级自动安排下一次回访。已安排的回访日期不变。标签为“{tag}”的客户由顾问手动安排。</source>
        <translation>When a customer leaves, returns from a test drive, sends a new enquiry or has the intent grade changed, the next follow-up is planned by grade. Follow-ups already planned keep their dates. Customers tagged &quot;{tag}&quot; are planned by their consultant by hand.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="56"/>
        <source>意向等级</source>
        <translation>Intent grade</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="57"/>
        <source>自动回访</source>
        <translation>Automatic</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="58"/>
        <source>首次回访（天后）</source>
        <translation>First follow-up (days after)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="59"/>
        <source>之后每隔（天）</source>
        <translation>Then every (days)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="71"/>
        <source>不重复</source>
        <translation>No repeat</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="90"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/cadence.py" line="91"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>CallListDialog</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="321"/>
        <source>待电话通知的客户</source>
        <translation>Customers to phone</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="326"/>
        <source>{day} {title}：以下客户需要电话通知。</source>
        <translation>{day} {title}: please phone these customers.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="345"/>
        <source>显示完整号码</source>
        <translation>Show full number</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="347"/>
        <source>已电话通知</source>
        <translation>Called</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="350"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="360"/>
        <source>没有需要电话通知的客户。</source>
        <translation>No customers to phone.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="369"/>
        <location filename="../../ui/screens/inspection_day.py" line="385"/>
        <source>请先选择一位客户。</source>
        <translation>Select a customer first.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="375"/>
        <source>{name}：{phone}（查看已记录）</source>
        <translation>{name}: {phone} (this look-up is logged)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="397"/>
        <source>已记录电话通知。还剩 {n} 位。</source>
        <translation>Call recorded. {n} left.</translation>
    </message>
</context>
<context>
    <name>CallListModel</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="409"/>
        <source>名额</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="410"/>
        <source>报名码</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="411"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="412"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="413"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="414"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="422"/>
        <source>第 {n} 位</source>
        <translation>Seat {n}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="424"/>
        <source>候补 {n}</source>
        <translation>Wait-list {n}</translation>
    </message>
</context>
<context>
    <name>CarCardDelegate</name>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="482"/>
        <source>照片加载中</source>
        <translation>Loading photo</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="484"/>
        <source>照片暂时无法显示</source>
        <translation>Photo unavailable</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="485"/>
        <source>暂无照片</source>
        <translation>No photos yet</translation>
    </message>
</context>
<context>
    <name>CarLink</name>
    <message>
        <location filename="../../ui/widgets/car_link.py" line="17"/>
        <source>二维码网址：{url}</source>
        <translation>QR code address: {url}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/car_link.py" line="19"/>
        <source>未设置车辆公开网址：二维码指向门店网络内的车辆网页（{url}），只有连上门店 Wi-Fi 的手机能打开。</source>
        <translation>No public car address is set: the QR code points at the car page on the store network ({url}), which only phones on the store&apos;s Wi-Fi can open.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/car_link.py" line="24"/>
        <source>未设置车辆公开网址，门店网页（showroom web）也没有运行：二维码打不开。请在“设置 → 车辆公开网址”填写网址，或在门店电脑上运行 showroom web。</source>
        <translation>No public car address is set and the store&apos;s web pages (showroom web) are not running: the QR code opens nothing. Enter the address under Settings → Public car address, or run showroom web on a store PC.</translation>
    </message>
</context>
<context>
    <name>CarListModel</name>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="329"/>
        <source>%1年上牌</source>
        <translation>Registered %1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="331"/>
        <source>%1款</source>
        <translation>%1 model</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="336"/>
        <source>在售</source>
        <translation>For sale</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="337"/>
        <source>已预订</source>
        <translation>Reserved</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="338"/>
        <source>试驾中</source>
        <translation>On test drive</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="344"/>
        <source>汽油</source>
        <translation>Petrol</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="345"/>
        <source>柴油</source>
        <translation>Diesel</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="346"/>
        <source>油电混动</source>
        <translation>Hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="347"/>
        <source>插电混动</source>
        <translation>Plug-in hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="348"/>
        <source>纯电动</source>
        <translation>Electric</translation>
    </message>
</context>
<context>
    <name>CarSheetDialog</name>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="73"/>
        <source>车辆信息单</source>
        <translation>Car sheet</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="80"/>
        <source>正在生成信息单…</source>
        <translation>Preparing the car sheet…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="87"/>
        <source>打印…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="89"/>
        <source>保存 PDF…</source>
        <translation>Save PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="90"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="163"/>
        <source>已打印信息单 {number}</source>
        <translation>Car sheet {number} printed</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="170"/>
        <source>保存车辆信息单 PDF</source>
        <translation>Save car sheet PDF</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="171"/>
        <source>车辆信息单.pdf</source>
        <translation>car-sheet.pdf</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="172"/>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/car_sheet.py" line="188"/>
        <source>信息单 {number} 已保存到 {path}</source>
        <translation>Car sheet {number} saved to {path}</translation>
    </message>
</context>
<context>
    <name>ChartCard</name>
    <message>
        <location filename="../../ui/widgets/charts.py" line="122"/>
        <source>图片</source>
        <translation>Image</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/charts.py" line="123"/>
        <source>导出图表为 PNG 图片</source>
        <translation>Export the chart as a PNG image</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/charts.py" line="125"/>
        <source>数据</source>
        <translation>Data</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/charts.py" line="126"/>
        <source>导出图表数据为 CSV（可用 Excel 打开）</source>
        <translation>Export the chart data as CSV (opens in Excel)</translation>
    </message>
</context>
<context>
    <name>CheckInScreen</name>
    <message>
        <location filename="../../ui/screens/reception.py" line="104"/>
        <source>前台接待</source>
        <translation>Reception</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="108"/>
        <source>输入手机号、尾号（后 4 位起）或扫描预约码，按回车签到。↑↓ 选择客户，Esc 清空。</source>
        <translation>Type a mobile number, its last digits (4 or more) or scan a booking code, then press Enter to check in. ↑↓ choose a customer, Esc clears.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="118"/>
        <source>手机号 / 尾号 / 预约码</source>
        <translation>Mobile / last digits / booking code</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="137"/>
        <location filename="../../ui/screens/reception.py" line="268"/>
        <source>匹配的客户</source>
        <translation>Matching customers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="144"/>
        <source>新客户登记（F2）</source>
        <translation>New customer (F2)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="156"/>
        <location filename="../../ui/screens/reception.py" line="317"/>
        <source>尚未选择客户</source>
        <translation>No customer selected</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="172"/>
        <source> 人</source>
        <translation> people</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="174"/>
        <location filename="../../ui/screens/reception.py" line="226"/>
        <source>自动分配（保护期 / 轮岗）</source>
        <translation>Automatic (protection period / rotation)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="176"/>
        <source>来店目的</source>
        <translation>Purpose of visit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="177"/>
        <source>到店人数</source>
        <translation>Party size</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="178"/>
        <source>接待顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="181"/>
        <source>客户档案（F3）</source>
        <translation>Customer record (F3)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="183"/>
        <location filename="../../ui/screens/reception.py" line="315"/>
        <source>到店签到（回车）</source>
        <translation>Check in (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="196"/>
        <source>合并重复客户…</source>
        <translation>Merge duplicate customers…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="229"/>
        <source>接待中</source>
        <translation>Attending</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="229"/>
        <source>有客等候</source>
        <translation>visitor waiting</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="265"/>
        <source>匹配的客户（仅显示前 {n} 位，请多输入几位）</source>
        <translation>Matching customers (first {n} shown; type more digits)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="278"/>
        <location filename="../../ui/screens/reception.py" line="325"/>
        <source>（未留姓名）</source>
        <translation>(no name given)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="289"/>
        <source>线索（{where}）</source>
        <translation>Lead ({where})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="290"/>
        <location filename="../../ui/screens/reception.py" line="354"/>
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="320"/>
        <source>输入完整手机号后回车：老客户直接签到，新号码会打开新客户登记。只知道尾号时输入后 4 位，唯一匹配时回车即签到。</source>
        <translation>Type the full mobile number and press Enter: a returning customer is checked in, a new number opens the new-customer form. If only the last digits are known, type 4 or more; Enter checks in a single match.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="336"/>
        <source>登记为客户并签到（回车）</source>
        <translation>Register and check in (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="340"/>
        <source>线索：尚未到店建档。回车打开新客户登记（已按线索填好）。</source>
        <translation>Lead: no customer record yet. Enter opens the new-customer form, filled in from the lead.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="341"/>
        <source>来源：{src}</source>
        <translation>Source: {src}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="352"/>
        <source>咨询车辆：{car}</source>
        <translation>Car asked about: {car}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="353"/>
        <source>跟进顾问：{name}</source>
        <translation>Consultant: {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="479"/>
        <source>手机号码不完整：有 {n} 位客户匹配，请用 ↑↓ 选择后回车，或多输入几位。</source>
        <translation>Incomplete number: {n} customers match. Choose one with ↑↓ and press Enter, or type more digits.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="486"/>
        <source>手机号码不完整，也没有这个尾号的客户：请输入 11 位手机号，或核对尾号（至少 4 位）。</source>
        <translation>Incomplete number, and no customer&apos;s number ends with these digits: type the 11-digit mobile number, or check the last digits (at least 4).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="292"/>
        <source>无负责顾问</source>
        <translation>No consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="361"/>
        <source>负责顾问：{name}</source>
        <translation>Consultant: {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="361"/>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="362"/>
        <source>意向等级：{grade}</source>
        <translation>Intent grade: {grade}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="363"/>
        <source>上次到店：{when}</source>
        <translation>Last visit: {when}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="366"/>
        <source>首次到店</source>
        <translation>First visit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="368"/>
        <source>未完成试驾 {d} 个 · 检测日报名 {r} 个 · 有效意向金 {p} 笔</source>
        <translation>Open test drives {d} · Inspection day registrations {r} · Active deposits {p}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="373"/>
        <source>该客户今天已签到，仍在店内。</source>
        <translation>This customer has already checked in today and is still in the showroom.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="493"/>
        <source>没有识别出手机号或预约码，请重新扫描或输入。已输入的内容保留在输入框中。</source>
        <translation>No mobile number or booking code recognised. Please scan or type it again. What you entered is kept in the box.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="523"/>
        <source>请先输入手机号找到客户，或新建客户。</source>
        <translation>Find the customer by mobile number first, or register a new customer.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="567"/>
        <source>{name} 今天已签到（{no}），无需重复登记。</source>
        <translation>{name} has already checked in today ({no}); no need to register again.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="571"/>
        <source>已签到：{name}，到店号 {no}。</source>
        <translation>Checked in: {name}, visit no. {no}.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="585"/>
        <source>待同步：网络断开，到店登记已保存在本机，恢复连接后自动登记并分配接待号。</source>
        <translation>Pending sync: the network is down. The check-in is saved on this PC and will be registered, with a visit number, once the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/reception.py" line="704"/>
        <source>网络断开，暂时查不到客户。可按 F2 直接登记到店（待同步）；手机号已有客户的，恢复连接后自动合并到该客户。</source>
        <translation>The network is down, so customers cannot be looked up. Press F2 to record the arrival anyway (pending sync); if the number belongs to an existing customer, it is merged into them once the connection is back.</translation>
    </message>
</context>
<context>
    <name>CheckOutDialog</name>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="365"/>
        <source>出车登记</source>
        <translation>Test drive check-out</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="377"/>
        <source>车辆</source>
        <translation>Vehicle</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="378"/>
        <source>出车里程</source>
        <translation>Odometer out</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="379"/>
        <source>油量/电量</source>
        <translation>Fuel / charge</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="380"/>
        <source>陪同人员</source>
        <translation>Accompanied by</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="381"/>
        <source>路线</source>
        <translation>Route</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="395"/>
        <source>请选择陪同试驾的人员。</source>
        <translation>Choose who rides along.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="214"/>
        <source>离店登记</source>
        <translation>Check out</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="216"/>
        <source>{name} 离店</source>
        <translation>{name} leaving</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="228"/>
        <source>（不填）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="234"/>
        <source>可不填，如：看中白色卡罗拉，周末带家人再来</source>
        <translation>Optional, e.g. likes the white Corolla, coming back with family at the weekend</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="240"/>
        <source>接待结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="241"/>
        <source>意向等级</source>
        <translation>Intent</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="242"/>
        <source>战败原因</source>
        <translation>Reason lost</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="243"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="244"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/screens/board.py" line="247"/>
        <source>确认离店</source>
        <translation>Confirm check-out</translation>
    </message>
</context>
<context>
    <name>ChecklistDialog</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="581"/>
        <source>门店检测项目设置</source>
        <translation>Store inspection checklist</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="586"/>
        <source>各部分分值合计 100 分。每行一个检测项目；行首加“?”表示选检（定稿时可以不检）。修改只影响以后新开的检测。</source>
        <translation>Section weights total 100 points. One item per line; start a line with &quot;?&quot; for an optional item (may stay unchecked at finalising). Changes apply to inspections started from now on.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="601"/>
        <source> 分</source>
        <translation> pts</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="617"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
</context>
<context>
    <name>ClaimDialog</name>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="68"/>
        <source>保修报修</source>
        <translation>Warranty claim</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="72"/>
        <source>合同编号、库存编号或车牌号</source>
        <translation>Contract no., stock no. or plate</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="79"/>
        <source>客户描述的故障现象、出现的时间和条件</source>
        <translation>The fault as the customer describes it, when and under what conditions</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="82"/>
        <source>报修时的表显里程（公里）</source>
        <translation>Odometer when reported (km)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="84"/>
        <source>添加照片…</source>
        <translation>Add photos…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="86"/>
        <source>未添加照片</source>
        <translation>No photos</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="90"/>
        <source>车辆/合同</source>
        <translation>Car / contract</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="92"/>
        <source>报修部件</source>
        <translation>Part</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="93"/>
        <source>故障现象</source>
        <translation>Symptom</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="94"/>
        <source>表显里程</source>
        <translation>Odometer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="95"/>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="99"/>
        <source>保修：交车后 {days} 天或 {km} 公里以内（以先到者为准）。</source>
        <translation>Warranty: {days} days or {km} km from delivery, whichever comes first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="105"/>
        <source>登记报修</source>
        <translation>Open claim</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="125"/>
        <source>已找到已售车辆的买卖合同。</source>
        <translation>Found the sale contract of the sold car.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="134"/>
        <source>选择照片</source>
        <translation>Choose photos</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="134"/>
        <source>照片 (*.jpg *.jpeg *.png)</source>
        <translation>Photos (*.jpg *.jpeg *.png)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="143"/>
        <source>已添加 {n} 张</source>
        <translation>{n} added</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="147"/>
        <source>请先输入合同编号、库存编号或车牌号找到已售车辆。</source>
        <translation>Enter the contract no., stock no. or plate to find the sold car first.</translation>
    </message>
</context>
<context>
    <name>ClaimModel</name>
    <message>
        <location filename="../../ui/screens/warranty.py" line="43"/>
        <source>索赔单号</source>
        <translation>Claim no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="44"/>
        <source>报修时间</source>
        <translation>Reported</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="45"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="46"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="47"/>
        <source>部件</source>
        <translation>Part</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="48"/>
        <source>故障现象</source>
        <translation>Symptom</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="49"/>
        <source>保修期内</source>
        <translation>In warranty</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="50"/>
        <source>结论</source>
        <translation>Decision</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="51"/>
        <source>门店/客户承担</source>
        <translation>Store / customer pays</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="69"/>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="69"/>
        <source>否</source>
        <translation>No</translation>
    </message>
</context>
<context>
    <name>Comparison</name>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="69"/>
        <source>基本信息</source>
        <translation>Basic data</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="70"/>
        <source>价格</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="71"/>
        <source>车况</source>
        <translation>Condition</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="72"/>
        <source>动力与规格</source>
        <translation>Powertrain and specs</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="73"/>
        <source>配置</source>
        <translation>Features</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="76"/>
        <source>品牌车型</source>
        <translation>Make and model</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="77"/>
        <source>配置版本</source>
        <translation>Trim</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="78"/>
        <source>年款</source>
        <translation>Model year</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="79"/>
        <source>初次登记</source>
        <translation>First registration</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="80"/>
        <source>表显里程</source>
        <translation>Odometer</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="81"/>
        <source>车身</source>
        <translation>Body</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="82"/>
        <source>颜色</source>
        <translation>Colour</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="83"/>
        <source>座位数</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="84"/>
        <source>售价</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="85"/>
        <source>新车指导价</source>
        <translation>New price (MSRP)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="86"/>
        <source>比新车省</source>
        <translation>Saving on new</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="87"/>
        <source>过户次数</source>
        <translation>Ownership transfers</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="88"/>
        <source>事故/泡水/火烧记录</source>
        <translation>Accident/flood/fire records</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="89"/>
        <source>本店检测等级</source>
        <translation>Our inspection grade</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="90"/>
        <source>保养维修记录</source>
        <translation>Service records</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="91"/>
        <source>年检到期</source>
        <translation>Annual inspection due</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="92"/>
        <source>交强险到期</source>
        <translation>Compulsory insurance due</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="93"/>
        <source>能源类型</source>
        <translation>Energy</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="94"/>
        <source>变速箱</source>
        <translation>Gearbox</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="95"/>
        <source>排量</source>
        <translation>Engine size</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="96"/>
        <source>纯电续航</source>
        <translation>Electric range</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="97"/>
        <source>最大马力</source>
        <translation>Power</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="98"/>
        <source>驱动方式</source>
        <translation>Drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="99"/>
        <source>排放标准</source>
        <translation>Emission standard</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="103"/>
        <source>汽油</source>
        <translation>Petrol</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="104"/>
        <source>柴油</source>
        <translation>Diesel</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="105"/>
        <source>油电混动</source>
        <translation>Hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="106"/>
        <source>插电混动</source>
        <translation>Plug-in hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="107"/>
        <source>纯电动</source>
        <translation>Electric</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="108"/>
        <source>手动挡</source>
        <translation>Manual</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="109"/>
        <source>自动挡</source>
        <translation>Automatic</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="110"/>
        <source>一级</source>
        <translation>Grade 1</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="111"/>
        <source>二级</source>
        <translation>Grade 2</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="112"/>
        <source>三级</source>
        <translation>Grade 3</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="113"/>
        <source>四级</source>
        <translation>Grade 4</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="114"/>
        <source>五级（事故车）</source>
        <translation>Grade 5 (accident car)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="115"/>
        <source>事故</source>
        <translation>Accident</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="116"/>
        <source>泡水</source>
        <translation>Flood</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="117"/>
        <source>火烧</source>
        <translation>Fire</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="118"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="121"/>
        <source>整备中</source>
        <translation>Preparing</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="122"/>
        <source>在售</source>
        <translation>For sale</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="123"/>
        <source>已预订</source>
        <translation>Reserved</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="124"/>
        <source>试驾中</source>
        <translation>On test drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="125"/>
        <source>已售</source>
        <translation>Sold</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="138"/>
        <source>{wan}万元</source>
        <translation>{yuan}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="143"/>
        <source>{wan}万公里</source>
        <translation>{km} km</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="147"/>
        <source>{year}款</source>
        <translation>{year} model</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="149"/>
        <source>{year}年{month}月</source>
        <translation>{month}/{year}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="153"/>
        <source>{n}座</source>
        <translation>{n} seats</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="156"/>
        <source>0次（一手车）</source>
        <translation>0 (first owner)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="158"/>
        <source>{n}次</source>
        <translation>{n}×</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="162"/>
        <location filename="../../ui/widgets/comparison.py" line="168"/>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="164"/>
        <source>{n}条</source>
        <translation>{n}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="169"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="170"/>
        <source>{kind}{n}次</source>
        <translation>{kind} ×{n}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="182"/>
        <source>{n}公里</source>
        <translation>{n} km</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="184"/>
        <source>{n}马力</source>
        <translation>{n} hp</translation>
    </message>
</context>
<context>
    <name>ComparisonBasket</name>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="207"/>
        <source>这辆车已在对比中</source>
        <translation>This car is already in the comparison</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/widgets/comparison.py" line="209"/>
        <source>最多同时对比 %n 辆车，请先移除一辆</source>
        <translation>
            <numerusform>At most %n car can be compared; remove one first</numerusform>
            <numerusform>At most %n cars can be compared; remove one first</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ComparisonModel</name>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="279"/>
        <source>项目</source>
        <translation>Item</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="318"/>
        <source>该项最优</source>
        <translation>Best in this row</translation>
    </message>
</context>
<context>
    <name>ComparisonView</name>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="360"/>
        <source>车型对比</source>
        <translation>Compare cars</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="364"/>
        <source>只看不同</source>
        <translation>Only differences</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="365"/>
        <source>清空对比</source>
        <translation>Clear comparison</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="366"/>
        <source>打印…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="367"/>
        <source>保存 PDF…</source>
        <translation>Save PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="375"/>
        <location filename="../../ui/widgets/comparison.py" line="466"/>
        <source>请从车辆列表或车辆档案中选择 2 到 4 辆车加入对比。</source>
        <translation>Choose 2 to 4 cars from the list or a car archive to compare them.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/widgets/comparison.py" line="441"/>
        <source>已选 %n 辆（最多 4 辆）</source>
        <translation>
            <numerusform>%n car chosen (at most 4)</numerusform>
            <numerusform>%n cars chosen (at most 4)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="464"/>
        <source>已选 1 辆车，请再选择至少 1 辆车进行对比。</source>
        <translation>1 car chosen; choose at least one more to compare.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="504"/>
        <source>移除 {title}</source>
        <translation>Remove {title}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="543"/>
        <source>保存车型对比 PDF</source>
        <translation>Save comparison PDF</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="543"/>
        <source>车型对比.pdf</source>
        <translation>comparison.pdf</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="543"/>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/comparison.py" line="558"/>
        <source>已保存：{path}</source>
        <translation>Saved: {path}</translation>
    </message>
</context>
<context>
    <name>ComplaintDialog</name>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="62"/>
        <source>登记投诉</source>
        <translation>Record complaint</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="65"/>
        <source>客户手机</source>
        <translation>Customer mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="66"/>
        <source>（未找到客户）</source>
        <translation>(no customer found)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="67"/>
        <source>没有这个手机号的客户，请先在前台登记。</source>
        <translation>No customer has this number; register them at reception first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="73"/>
        <source>客户反映的问题，尽量记下原话</source>
        <translation>What the customer said, in their words where possible</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="76"/>
        <source>涉及的车辆：库存编号或车牌号（可不填）</source>
        <translation>The car concerned: stock no. or plate (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="80"/>
        <source>我（{name}）</source>
        <translation>Me ({name})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="82"/>
        <source>类别</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="83"/>
        <source>投诉内容</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="84"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="86"/>
        <source>负责人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="88"/>
        <source>须在 {h} 小时内答复客户，超时在店长首页提示。</source>
        <translation>Answer the customer within {h} hours; later ones are flagged on the manager&apos;s home screen.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="90"/>
        <source>登记</source>
        <translation>Record</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="122"/>
        <source>请先输入手机号找到客户。</source>
        <translation>Enter the mobile number to find the customer first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="125"/>
        <source>没有找到所填的车辆，请核对库存编号或车牌号，或清空。</source>
        <translation>No car matches; check the stock no. or plate, or clear it.</translation>
    </message>
</context>
<context>
    <name>ComplaintModel</name>
    <message>
        <location filename="../../ui/screens/complaints.py" line="48"/>
        <source>编号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="49"/>
        <source>受理时间</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="50"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="51"/>
        <source>类别</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="52"/>
        <source>涉及</source>
        <translation>Concerns</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="53"/>
        <source>内容</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="54"/>
        <source>负责人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="55"/>
        <source>答复期限</source>
        <translation>Answer by</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="56"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="74"/>
        <source>已超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="76"/>
        <source>（满意度 {n}）</source>
        <translation>(satisfaction {n})</translation>
    </message>
</context>
<context>
    <name>Complaints</name>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="30"/>
        <source>车辆问题</source>
        <translation>The car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="31"/>
        <source>员工服务</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="32"/>
        <source>手续证件</source>
        <translation>Paperwork</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="33"/>
        <source>价格费用</source>
        <translation>Price and fees</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="34"/>
        <source>售后服务</source>
        <translation>After-sales service</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="35"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="36"/>
        <source>处理中</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="37"/>
        <source>已处理</source>
        <translation>Resolved</translation>
    </message>
</context>
<context>
    <name>ComplaintsScreen</name>
    <message>
        <location filename="../../ui/screens/complaints.py" line="103"/>
        <source>投诉</source>
        <translation>Complaints</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="108"/>
        <source>只看未处理</source>
        <translation>Open only</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="112"/>
        <source>登记投诉</source>
        <translation>Record complaint</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="128"/>
        <source>转交他人</source>
        <translation>Hand over</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="130"/>
        <source>登记处理结果</source>
        <translation>Record outcome</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="155"/>
        <source>未处理 {open} 条，其中超时 {late} 条</source>
        <translation>{open} open, {late} of them overdue</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="196"/>
        <source>投诉 {no} 已登记，负责人 {owner}，请在 {due} 前答复客户。</source>
        <translation>Complaint {no} recorded, owner {owner}; answer the customer by {due}.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="201"/>
        <source>投诉已保存在本机，网络恢复后自动同步并编号。</source>
        <translation>Complaint saved on this PC; it is numbered and synced when the network is back.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="213"/>
        <source>处理结果已登记。</source>
        <translation>Outcome recorded.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="230"/>
        <source>本店没有其他可转交的员工。</source>
        <translation>There is no other member of staff to hand it to.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="234"/>
        <source>转交投诉</source>
        <translation>Hand over complaint</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="235"/>
        <source>把投诉 {no} 转交给：</source>
        <translation>Hand complaint {no} to:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/complaints.py" line="249"/>
        <source>投诉已转交 {name}。</source>
        <translation>Complaint handed to {name}.</translation>
    </message>
</context>
<context>
    <name>ContactStep</name>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="108"/>
        <source>您的手机号</source>
        <translation>Your mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="126"/>
        <location filename="../../ui/kiosk/contact.py" line="196"/>
        <source>您的姓氏</source>
        <translation>Your surname</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="133"/>
        <source>先生</source>
        <translation>Mr</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="133"/>
        <source>女士</source>
        <translation>Ms</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="143"/>
        <source>不想留姓氏？只选“先生”或“女士”即可。</source>
        <translation>Prefer not to give a surname? Just choose Mr or Ms.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="175"/>
        <location filename="../../ui/kiosk/contact.py" line="195"/>
        <source>请输入手机号</source>
        <translation>Enter your mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="179"/>
        <source>您的姓氏：{surname}</source>
        <translation>Your surname: {surname}</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="187"/>
        <source>请输入完整的 11 位手机号。</source>
        <translation>Please enter all 11 digits of your mobile number.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="189"/>
        <source>请点选您的姓氏，或只选“先生”“女士”。</source>
        <translation>Please tap your surname, or just choose Mr or Ms.</translation>
    </message>
</context>
<context>
    <name>ContractDialog</name>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="228"/>
        <source>起草二手车买卖合同</source>
        <translation>Draft used-car sale contract</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="231"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="234"/>
        <source>买受人</source>
        <translation>Buyer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="237"/>
        <source>{amount}（收据 {receipt}），签约时抵作车款</source>
        <translation>{amount} (receipt {receipt}), credited to the price on signing</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="241"/>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="243"/>
        <source>已收意向金</source>
        <translation>Deposit received</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="247"/>
        <source>置换：买受人自有车辆的收车协议编号（可不填）</source>
        <translation>Trade-in: purchase agreement no. of the buyer&apos;s own car (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="252"/>
        <source>置换车辆</source>
        <translation>Trade-in</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="257"/>
        <source>18 位居民身份证号码（必填）</source>
        <translation>18-character resident ID number (required)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="262"/>
        <source>甲方门店</source>
        <translation>Seller&apos;s showroom</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="271"/>
        <source>付款节点</source>
        <translation>Instalment</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="271"/>
        <source>金额（元）</source>
        <translation>Amount (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="271"/>
        <source>最迟日期</source>
        <translation>Due by</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="277"/>
        <source>添加一期</source>
        <translation>Add instalment</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="279"/>
        <source>删除所选</source>
        <translation>Remove selected</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="285"/>
        <source>其他约定（如随车赠品），可不填</source>
        <translation>Other terms (e.g. free accessories), optional</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="287"/>
        <source>成交价（元）</source>
        <translation>Price (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="288"/>
        <source>身份证号码</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="289"/>
        <source>买受人地址</source>
        <translation>Buyer&apos;s address</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="290"/>
        <source>交车日期</source>
        <translation>Delivery date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="291"/>
        <source>交车地点</source>
        <translation>Delivery place</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="292"/>
        <source>车钥匙（把）</source>
        <translation>Keys</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="293"/>
        <source>过户费承担</source>
        <translation>Transfer fees paid by</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="294"/>
        <source>付款计划</source>
        <translation>Payment schedule</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="296"/>
        <source>其他约定</source>
        <translation>Other terms</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="297"/>
        <source>生成合同编号并预览</source>
        <translation>Number the contract and preview</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="317"/>
        <source>{car}，作价 {amount}（大写：人民币{capitals}），签约时抵作车款</source>
        <translation>{car}, valued {amount} (in words: RMB {capitals}), credited on signing</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="353"/>
        <source>签约当日付清余款</source>
        <translation>Balance paid on the day of signing</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="374"/>
        <source>没有找到可抵扣的收车协议，请核对编号，或清空置换一栏。</source>
        <translation>No purchase agreement to credit; check the number or clear the trade-in field.</translation>
    </message>
</context>
<context>
    <name>ContractModel</name>
    <message>
        <location filename="../../ui/screens/deals.py" line="150"/>
        <source>合同编号</source>
        <translation>Contract no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="151"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="152"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="153"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="154"/>
        <source>成交价</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="155"/>
        <source>销售顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="156"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="157"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="173"/>
        <source>（变更 {no}）</source>
        <translation> (amends {no})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="176"/>
        <source>{status}：{reason}</source>
        <translation>{status}: {reason}</translation>
    </message>
</context>
<context>
    <name>CounterHelpPage</name>
    <message>
        <location filename="../../ui/kiosk/pages.py" line="92"/>
        <source>如需帮助，也可以随时询问身边的工作人员。</source>
        <translation>If you need help, just ask any member of staff.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pages.py" line="97"/>
        <source>先看看在售车辆</source>
        <translation>Browse cars for sale</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pages.py" line="100"/>
        <source>返回首页</source>
        <translation>Home</translation>
    </message>
</context>
<context>
    <name>CustomerEditDialog</name>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="65"/>
        <source>一周内</source>
        <translation>Within a week</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="66"/>
        <source>一个月内</source>
        <translation>Within a month</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="67"/>
        <source>三个月内</source>
        <translation>Within 3 months</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="68"/>
        <source>半年内</source>
        <translation>Within 6 months</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="69"/>
        <source>暂不确定</source>
        <translation>Not sure yet</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="90"/>
        <source>编辑客户资料</source>
        <translation>Edit customer details</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="99"/>
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="104"/>
        <source>与身份证一致，汉字或英文字母</source>
        <translation>As on the ID card: Chinese characters or Latin letters</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="108"/>
        <source>（不填）</source>
        <translation>(not given)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="118"/>
        <source>单位客户填写公司全称</source>
        <translation>For a company customer, its full name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="127"/>
        <source>更换号码时填写新号码，不换请留空</source>
        <translation>A new number, only to replace it; leave empty to keep</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="133"/>
        <source>手机或带区号的固话，不改请留空</source>
        <translation>Mobile or landline with area code; leave empty to keep</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="134"/>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="145"/>
        <location filename="../../ui/dialogs/customer_edit.py" line="151"/>
        <source>万元</source>
        <translation>×10,000 yuan</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="154"/>
        <source>例如：上下班代步、跑业务、家用</source>
        <translation>e.g. commuting, business trips, family</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="156"/>
        <source>例如：丰田、本田</source>
        <translation>e.g. Toyota, Honda</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="158"/>
        <source>例如：凯美瑞、雅阁 2020 款以后</source>
        <translation>e.g. Camry, Accord 2020 or later</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="164"/>
        <source>未定</source>
        <translation>Undecided</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="172"/>
        <source>调整等级时必填，例如：试驾后很满意</source>
        <translation>Required when the grade changes, e.g. very pleased after the test drive</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="177"/>
        <source>只有销售顾问和店长可以调整意向等级</source>
        <translation>Only sales consultants and the manager may change the intent grade</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="182"/>
        <source>本店尚未设置标签（店长在“客户”页面设置）。</source>
        <translation>The store has no tags yet (the manager sets them on the Customers page).</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="193"/>
        <source>基本信息</source>
        <translation>Basic data</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="194"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="195"/>
        <source>客户类型</source>
        <translation>Customer type</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="196"/>
        <source>单位名称</source>
        <translation>Company name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="197"/>
        <source>客户角色</source>
        <translation>Customer role</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="198"/>
        <source>联系方式</source>
        <translation>Contact</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="199"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="200"/>
        <source>第二联系电话</source>
        <translation>Second phone</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="201"/>
        <source>标签</source>
        <translation>Tags</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="206"/>
        <source>购车需求</source>
        <translation>Needs</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="207"/>
        <source>预算</source>
        <translation>Budget</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="208"/>
        <source>用途</source>
        <translation>Use</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="210"/>
        <source>意向品牌</source>
        <translation>Preferred brands</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="213"/>
        <source>意向车型</source>
        <translation>Models of interest</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="221"/>
        <source>购车周期</source>
        <translation>Buying timeframe</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="222"/>
        <source>付款方式</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="223"/>
        <source>意向等级</source>
        <translation>Intent</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="224"/>
        <source>等级</source>
        <translation>Grade</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="225"/>
        <source>调整原因</source>
        <translation>Reason for the change</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="226"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="240"/>
        <source>保存我的填写</source>
        <translation>Save my version</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="241"/>
        <source>以上面列出的对方版本为准，再保存一次你的填写</source>
        <translation>Save what you typed on top of the other version listed above</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="245"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="248"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="304"/>
        <source>编辑客户资料：{name}</source>
        <translation>Edit customer details: {name}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="312"/>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="339"/>
        <source>{name}（已停用）</source>
        <translation>{name} (switched off)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="382"/>
        <source>预算下限</source>
        <translation>Minimum budget</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="383"/>
        <source>预算上限</source>
        <translation>Maximum budget</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="401"/>
        <source>有内容超出字数上限（红色计数），请删减后再保存。</source>
        <translation>Some text is longer than its limit (red count); shorten it, then save.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_edit.py" line="407"/>
        <source>{what}请填写数字（万元），例如 15 或 12.5。</source>
        <translation>{what}: enter a number in units of 10,000 yuan, e.g. 15 or 12.5.</translation>
    </message>
</context>
<context>
    <name>CustomerRecordDialog</name>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="252"/>
        <source>客户档案</source>
        <translation>Customer record</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="258"/>
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="263"/>
        <source>显示完整号码</source>
        <translation>Show full number</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="264"/>
        <location filename="../../ui/dialogs/customer_record.py" line="268"/>
        <source>查看会记入审计日志</source>
        <translation>Viewing is recorded in the audit log</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="267"/>
        <source>显示身份证号</source>
        <translation>Show ID number</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="311"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="388"/>
        <location filename="../../ui/dialogs/customer_record.py" line="856"/>
        <source>手机：{p}</source>
        <translation>Mobile: {p}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="393"/>
        <location filename="../../ui/dialogs/customer_record.py" line="869"/>
        <source>身份证：{i}</source>
        <translation>ID: {i}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="393"/>
        <source>未登记</source>
        <translation>Not on file</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="399"/>
        <source>资料与需求</source>
        <translation>Details and needs</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="420"/>
        <source>到店号</source>
        <translation>Visit no.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="403"/>
        <location filename="../../ui/dialogs/customer_record.py" line="421"/>
        <location filename="../../ui/dialogs/customer_record.py" line="447"/>
        <location filename="../../ui/dialogs/customer_record.py" line="472"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="422"/>
        <source>目的</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="423"/>
        <location filename="../../ui/dialogs/customer_record.py" line="498"/>
        <location filename="../../ui/dialogs/customer_record.py" line="551"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="424"/>
        <location filename="../../ui/dialogs/customer_record.py" line="497"/>
        <source>顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="425"/>
        <location filename="../../ui/dialogs/customer_record.py" line="499"/>
        <source>结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="426"/>
        <source>意向</source>
        <translation>Intent</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="441"/>
        <source>到店记录（{n}）</source>
        <translation>Visits ({n})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="448"/>
        <source>方式</source>
        <translation>Channel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="403"/>
        <location filename="../../ui/dialogs/customer_record.py" line="449"/>
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="280"/>
        <source>编辑资料…（E）</source>
        <translation>Edit details… (E)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="284"/>
        <source>记录沟通…（N）</source>
        <translation>Log contact… (N)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="316"/>
        <location filename="../../ui/dialogs/customer_record.py" line="883"/>
        <source>撤回营销同意</source>
        <translation>Withdraw marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="317"/>
        <source>客户不再接收优惠信息：立即停止营销回访</source>
        <translation>The customer no longer wants offers: sales follow-up calls stop at once</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="319"/>
        <location filename="../../ui/dialogs/customer_record.py" line="907"/>
        <source>导出个人信息</source>
        <translation>Export personal data</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="320"/>
        <source>把门店保存的该客户信息导出为 PDF 和 JSON，交给客户</source>
        <translation>Export everything the store keeps about this customer as PDF and JSON, for the customer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="322"/>
        <location filename="../../ui/dialogs/customer_record.py" line="955"/>
        <source>删除个人信息</source>
        <translation>Erase personal data</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="324"/>
        <source>按客户申请删除并匿名化；合同、收据和试驾协议依法保留</source>
        <translation>Erase and anonymise on the customer&apos;s request; contracts, receipts and test-drive agreements are kept as the law requires</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="379"/>
        <source>标签：{tags}</source>
        <translation>Tags: {tags}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="383"/>
        <source>⚠ 流失预警：{signals}</source>
        <translation>⚠ Churn signals: {signals}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="390"/>
        <source>&#x3000;第二电话：{p}</source>
        <translation>   Second phone: {p}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="403"/>
        <location filename="../../ui/dialogs/customer_record.py" line="450"/>
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="403"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="414"/>
        <source>时间线（{n}）</source>
        <translation>Timeline ({n})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="451"/>
        <source>客户答复</source>
        <translation>Customer&apos;s answer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="452"/>
        <source>下一步</source>
        <translation>Next step</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="466"/>
        <source>沟通记录（{n}）</source>
        <translation>Contacts ({n})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="473"/>
        <source>原等级</source>
        <translation>Old grade</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="474"/>
        <source>新等级</source>
        <translation>New grade</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="475"/>
        <source>调整人</source>
        <translation>Changed by</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="476"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="489"/>
        <source>意向等级变化（{n}）</source>
        <translation>Intent grade changes ({n})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="495"/>
        <source>应回访日</source>
        <translation>Due date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="496"/>
        <source>事由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="512"/>
        <source>回访任务（{n}）</source>
        <translation>Follow-up tasks ({n})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="514"/>
        <source>里程与保养</source>
        <translation>Mileage and service</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="517"/>
        <source>推荐（{n}）</source>
        <translation>Referrals ({n})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="528"/>
        <source>无奖励</source>
        <translation>No reward</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="529"/>
        <source>待兑现</source>
        <translation>Promised</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="530"/>
        <source>已兑现</source>
        <translation>Paid</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="535"/>
        <source>推荐人：{name}</source>
        <translation>Referred by {name}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="537"/>
        <source>推荐了：{name}</source>
        <translation>Referred {name}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="539"/>
        <source>¥{amount}</source>
        <translation>¥{amount}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="549"/>
        <source>关系</source>
        <translation>Relation</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="550"/>
        <source>奖励</source>
        <translation>Reward</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="552"/>
        <source>登记日期</source>
        <translation>Recorded</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="566"/>
        <source>登记推荐人…</source>
        <translation>Record referrer…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="573"/>
        <source>标记奖励已兑现</source>
        <translation>Mark reward paid</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="593"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="594"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="595"/>
        <source>表显里程</source>
        <translation>Odometer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="596"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="597"/>
        <source>记录人</source>
        <translation>Recorded by</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="605"/>
        <source>记录里程…</source>
        <translation>Record mileage…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="617"/>
        <source>购车交车</source>
        <translation>Delivery at sale</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="618"/>
        <source>保养记录</source>
        <translation>Service history</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="619"/>
        <source>质保报修</source>
        <translation>Warranty claim</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="620"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="621"/>
        <source>到店</source>
        <translation>Visit</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="622"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="628"/>
        <source>{km} 公里</source>
        <translation>{km} km</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="647"/>
        <source>该客户没有在本店购车，无需记录保养里程。</source>
        <translation>This customer bought no car here; no mileage to record.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="650"/>
        <source>里程与保养（{n}）</source>
        <translation>Mileage and service ({n})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="657"/>
        <source>按里程，预计已行驶约 {km} 公里</source>
        <translation>by mileage, about {km} km driven</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="659"/>
        <source>按时间，距购车满 {m} 个月</source>
        <translation>by time, {m} months since the sale</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="661"/>
        <source>按时间，距上次保养满 {m} 个月</source>
        <translation>by time, {m} months since the last service</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="663"/>
        <source>约 {km} 公里/天</source>
        <translation>about {km} km a day</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="665"/>
        <source>按全国平均每年约 1.2 万公里估算</source>
        <translation>estimated at the national average of about 12,000 km a year</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="668"/>
        <source>{car}：应于 {day} 保养，已逾期（{why}；{pace}）</source>
        <translation>{car}: service was due {day}, overdue ({why}; {pace})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="671"/>
        <source>{car}：下次保养 {day}（{why}；{pace}）</source>
        <translation>{car}: next service {day} ({why}; {pace})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="688"/>
        <source>待同步：网络断开，里程已保存在本机，恢复连接后自动登记。</source>
        <translation>Pending sync: the network is down. The mileage is saved on this PC and will be recorded when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="690"/>
        <source>里程已记录，下次保养日期已按新里程估算。</source>
        <translation>Mileage recorded; the next service date is estimated from it.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="715"/>
        <source>谁推荐了 {name}？</source>
        <translation>Who referred {name}?</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="722"/>
        <source>推荐关系已登记。</source>
        <translation>Referral recorded.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="738"/>
        <source>推荐奖励已登记为兑现。</source>
        <translation>Reward marked as paid.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="749"/>
        <source>{low}–{high} 万元</source>
        <translation>¥{low}–{high} × 10,000</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="753"/>
        <source>{low} 万元以上</source>
        <translation>¥{low} × 10,000 or more</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="755"/>
        <source>{high} 万元以下</source>
        <translation>Up to ¥{high} × 10,000</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="757"/>
        <source>同意接收营销信息</source>
        <translation>Agrees to receive marketing</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="758"/>
        <source>不同意营销联系（不得推销）</source>
        <translation>Does not agree to marketing (no sales calls)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="759"/>
        <source>未记录</source>
        <translation>Not recorded</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="762"/>
        <source>（文本版本 {v}）</source>
        <translation> (text version {v})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="763"/>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="765"/>
        <source>（自 {d}）</source>
        <translation> (since {d})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="770"/>
        <source>负责顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="771"/>
        <source>意向等级</source>
        <translation>Intent</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="772"/>
        <source>客户类型</source>
        <translation>Customer type</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="773"/>
        <source>客户角色</source>
        <translation>Customer role</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="774"/>
        <source>来源渠道</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="775"/>
        <source>建档时间</source>
        <translation>Created</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="776"/>
        <source>预算</source>
        <translation>Budget</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="777"/>
        <source>用途</source>
        <translation>Use</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="778"/>
        <source>意向品牌</source>
        <translation>Preferred brands</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="779"/>
        <source>意向车型</source>
        <translation>Models of interest</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="780"/>
        <source>购车周期</source>
        <translation>Buying timeframe</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="782"/>
        <source>付款方式</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="785"/>
        <source>未定</source>
        <translation>Undecided</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="787"/>
        <source>标签</source>
        <translation>Tags</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="788"/>
        <source>营销同意</source>
        <translation>Marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="553"/>
        <location filename="../../ui/dialogs/customer_record.py" line="598"/>
        <location filename="../../ui/dialogs/customer_record.py" line="789"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="818"/>
        <source>与 {name}（{phone}）的沟通</source>
        <translation>Contact with {name} ({phone})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="828"/>
        <source>客户资料已保存。</source>
        <translation>Customer details saved.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="837"/>
        <source>待同步：网络断开，沟通记录已保存在本机，恢复连接后自动登记。</source>
        <translation>Pending sync: the network is down. The contact is saved on this PC and recorded automatically when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="839"/>
        <source>沟通记录已保存。</source>
        <translation>Contact saved.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="876"/>
        <source>此次查看已记入审计日志。</source>
        <translation>This view has been recorded in the audit log.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="884"/>
        <source>客户要求不再接收优惠和活动信息？确认后立即停止对其营销回访，并记入审计日志。</source>
        <translation>Does the customer no longer want offers and event news? Confirming stops sales follow-up calls at once and is written to the audit log.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="900"/>
        <source>已撤回营销同意，停止了 {n} 条营销回访。</source>
        <translation>Marketing consent withdrawn; {n} sales follow-up calls stopped.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="905"/>
        <source>个人信息副本.pdf</source>
        <translation>personal-data-copy.pdf</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="907"/>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="947"/>
        <source>已导出：{pdf} 和 {json}。请只交给客户本人。</source>
        <translation>Exported: {pdf} and {json}. Hand them to the customer in person only.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="957"/>
        <source>客户要求删除个人信息。合同、收据和已签的试驾协议依法保留，其余资料将被匿名化，无法恢复。
请填写删除依据（申请日期或编号，不要填写个人信息）：</source>
        <translation>The customer asks for their personal data to be erased. Contracts, receipts and signed test-drive agreements are kept as the law requires; everything else is anonymised and cannot be restored.
Enter the grounds (date or number of the request, no personal data):</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="975"/>
        <source>已删除的客户</source>
        <translation>Erased customer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="986"/>
        <source>个人信息已删除（审计编号 {seq}）；依法保留的合同、收据和协议 {kept} 份。</source>
        <translation>Personal data erased (audit no. {seq}); {kept} contracts, receipts and agreements kept as the law requires.</translation>
    </message>
</context>
<context>
    <name>CustomerTagsDialog</name>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="48"/>
        <source>客户标签</source>
        <translation>Customer tags</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="54"/>
        <source>员工在客户资料里勾选这些标签。停用的标签保留在已有客户上，不再供选择。</source>
        <translation>Staff tick these tags in a customer&apos;s details. A switched-off tag stays on the customers who have it but is no longer offered.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="61"/>
        <source>新标签名称，例如：企业客户</source>
        <translation>New tag name, e.g. Company customer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="64"/>
        <source>添加</source>
        <translation>Add</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="67"/>
        <source>改名为上面的名称</source>
        <translation>Rename to the name above</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="69"/>
        <location filename="../../ui/dialogs/customer_tags.py" line="126"/>
        <source>停用</source>
        <translation>Switch off</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="81"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="110"/>
        <source>{name}（{n} 位客户）</source>
        <translation>{name} ({n} customers)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="112"/>
        <source> · 已停用</source>
        <translation> · switched off</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="126"/>
        <source>启用</source>
        <translation>Switch on</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="143"/>
        <source>标签名称最多 {n} 个字。</source>
        <translation>A tag name has at most {n} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_tags.py" line="151"/>
        <source>已保存。</source>
        <translation>Saved.</translation>
    </message>
</context>
<context>
    <name>CustomersModel</name>
    <message>
        <location filename="../../ui/screens/customers.py" line="54"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="55"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="56"/>
        <source>意向等级</source>
        <translation>Intent</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="57"/>
        <source>负责顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="58"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="59"/>
        <source>登记时间</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="81"/>
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
</context>
<context>
    <name>CustomersScreen</name>
    <message>
        <location filename="../../ui/screens/customers.py" line="112"/>
        <source>输入手机号（可只输部分数字）或姓名</source>
        <translation>Mobile number (or part of it) or name</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="119"/>
        <location filename="../../ui/screens/customers.py" line="201"/>
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="122"/>
        <source>显示完整号码</source>
        <translation>Show full number</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="123"/>
        <source>查看会记入审计日志</source>
        <translation>Viewing is recorded in the audit log</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="133"/>
        <source>客户档案（回车）</source>
        <translation>Customer record (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="136"/>
        <source>编辑资料…</source>
        <translation>Edit details…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="140"/>
        <source>记录沟通…</source>
        <translation>Log contact…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="144"/>
        <source>客户标签…</source>
        <translation>Customer tags…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="145"/>
        <source>设置本店可用的客户标签</source>
        <translation>Set the tags staff can put on customers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="208"/>
        <source>共 {count} 位客户</source>
        <translation>{count} customers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="268"/>
        <source>客户资料已保存。</source>
        <translation>Customer details saved.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="280"/>
        <source>与 {name}（{phone}）的沟通</source>
        <translation>Contact with {name} ({phone})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="293"/>
        <source>待同步：网络断开，沟通记录已保存在本机，恢复连接后自动登记。</source>
        <translation>Pending sync: the network is down. The contact is saved on this PC and recorded automatically when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="296"/>
        <source>沟通记录已保存。</source>
        <translation>Contact saved.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="330"/>
        <source>已显示 {name} 的完整号码，此次查看已记入审计日志。</source>
        <translation>Showing {name}&apos;s full number; this has been recorded in the audit log.</translation>
    </message>
</context>
<context>
    <name>DashboardScreen</name>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="159"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="164"/>
        <source>今天</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="165"/>
        <source>本周</source>
        <translation>This week</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="166"/>
        <source>本月</source>
        <translation>This month</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="167"/>
        <source>近30天</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="168"/>
        <source>本年</source>
        <translation>This year</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="169"/>
        <source>自定义</source>
        <translation>Custom</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="184"/>
        <source>门店</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="187"/>
        <source>全部门店</source>
        <translation>All stores</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="189"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="191"/>
        <source>经营目标…</source>
        <translation>Targets…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="227"/>
        <source>到店客流</source>
        <translation>Showroom traffic</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="97"/>
        <location filename="../../ui/screens/dashboard.py" line="228"/>
        <location filename="../../ui/screens/dashboard.py" line="590"/>
        <location filename="../../ui/screens/dashboard.py" line="664"/>
        <source>成交率</source>
        <translation>Conversion rate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="229"/>
        <location filename="../../ui/screens/dashboard.py" line="665"/>
        <source>回访率</source>
        <translation>Follow-up rate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="230"/>
        <location filename="../../ui/screens/dashboard.py" line="666"/>
        <source>复购率</source>
        <translation>Repurchase rate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="253"/>
        <source>每日到店</source>
        <translation>Daily visits</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="254"/>
        <source>到店时段分布</source>
        <translation>Visits by hour</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="255"/>
        <source>成交漏斗</source>
        <translation>Sales funnel</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="256"/>
        <source>销售顾问对比</source>
        <translation>Consultants compared</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="257"/>
        <source>库龄分布</source>
        <translation>Stock age</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="258"/>
        <source>透明检测日</source>
        <translation>Inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="376"/>
        <source>正在计算…</source>
        <translation>Calculating…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="394"/>
        <source>{start} 至 {end}</source>
        <translation>{start} to {end}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="406"/>
        <source>库龄按上架日期计算，为当前在库车辆；系统不保存调价记录，“平均让价”为期间售出车辆的标价与成交价之差，按售出时库龄分组。</source>
        <translation>Stock age is counted from the listing date, for cars currently in stock. Price changes are not stored, so &quot;average discount&quot; is the difference between list and sale price for cars sold in the period, grouped by stock age at sale.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="412"/>
        <source>收购：报名车辆（同车架号，无车架号时同车牌）在检测日后入库。</source>
        <translation>Purchased: a registered car (same VIN, or same plate if no VIN) taken into stock after the inspection day.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="429"/>
        <source>意向客户 {intent} · 试驾 {drives} · 成交 {deals}</source>
        <translation>Interested customers {intent} · Test drives {drives} · Deals {deals}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="434"/>
        <source>成交 {n} / 意向客户 {d}</source>
        <translation>Deals {n} / interested customers {d}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="435"/>
        <source>已回访 {n} / 应回访 {d}</source>
        <translation>Followed up {n} / due {d}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="436"/>
        <source>一年内再购 {n} / 购车客户 {d}</source>
        <translation>Bought again within a year {n} / buyers {d}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="492"/>
        <source>目标 {t:g}%</source>
        <translation>Target {t:g}%</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="488"/>
        <source>目标 {t} 批</source>
        <translation>Target {t} parties</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="495"/>
        <source> · 预警 {w}</source>
        <translation> · warning {w}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="502"/>
        <source>每日到店（批次）</source>
        <translation>Daily visits (groups)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="513"/>
        <location filename="../../ui/screens/dashboard.py" line="535"/>
        <source>批次</source>
        <translation>Groups</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="524"/>
        <source>日目标 {n:.1f}</source>
        <translation>Daily target {n:.1f}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="531"/>
        <source>到店时段（北京时间）</source>
        <translation>Visits by hour (Beijing time)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="540"/>
        <source>到店 → 试驾 → 意向金 → 成交（客户数）</source>
        <translation>Visit → test drive → deposit → deal (customers)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="90"/>
        <location filename="../../ui/screens/dashboard.py" line="542"/>
        <location filename="../../ui/screens/dashboard.py" line="573"/>
        <source>到店</source>
        <translation>Visit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="89"/>
        <source>销售顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="91"/>
        <location filename="../../ui/screens/dashboard.py" line="725"/>
        <source>意向客户</source>
        <translation>Interested customers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="92"/>
        <location filename="../../ui/screens/dashboard.py" line="543"/>
        <location filename="../../ui/screens/dashboard.py" line="574"/>
        <source>试驾</source>
        <translation>Test drive</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="93"/>
        <location filename="../../ui/screens/dashboard.py" line="544"/>
        <location filename="../../ui/screens/dashboard.py" line="575"/>
        <source>意向金</source>
        <translation>Deposit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="94"/>
        <source>意向金金额</source>
        <translation>Deposits amount</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="95"/>
        <location filename="../../ui/screens/dashboard.py" line="545"/>
        <location filename="../../ui/screens/dashboard.py" line="576"/>
        <location filename="../../ui/screens/dashboard.py" line="727"/>
        <source>成交</source>
        <translation>Deal</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="96"/>
        <location filename="../../ui/screens/dashboard.py" line="243"/>
        <source>成交金额</source>
        <translation>Deal amount</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="98"/>
        <location filename="../../ui/screens/dashboard.py" line="241"/>
        <location filename="../../ui/screens/dashboard.py" line="667"/>
        <source>试驾成交率</source>
        <translation>Test drive to deal</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="99"/>
        <source>成交目标</source>
        <translation>Deals target</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="100"/>
        <source>金额目标</source>
        <translation>Amount target</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="240"/>
        <source>新客户</source>
        <translation>New customers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="242"/>
        <location filename="../../ui/screens/dashboard.py" line="668"/>
        <source>线索及时响应率</source>
        <translation>Leads answered in time</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="259"/>
        <source>关键比率</source>
        <translation>Key rates</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="260"/>
        <source>来源渠道转化</source>
        <translation>Conversion by source channel</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="261"/>
        <source>线索平台转化</source>
        <translation>Conversion by lead platform</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="262"/>
        <source>战败原因</source>
        <translation>Lost-deal reasons</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="417"/>
        <source>渠道为客户建档时登记的来源；成交率 = 成交 / 意向客户。</source>
        <translation>Channel: where the customer came from, recorded when their file was made. Conversion = deals / interested customers.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="421"/>
        <source>平台为客户到店前在该平台留下的线索；同一客户在多个平台留线索时各计一次。</source>
        <translation>Platform: where the customer left a lead before visiting; a customer with leads on several platforms counts on each.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="442"/>
        <source>首次到店 · 到店客户 {n}</source>
        <translation>First visit · {n} visitors in all</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="446"/>
        <source>试驾后成交 {n} / 试驾客户 {d}</source>
        <translation>Bought after the drive {n} / drove {d}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="455"/>
        <source>中位 {m} 分钟</source>
        <translation>median {m} min</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="453"/>
        <source>中位 —</source>
        <translation>median —</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="457"/>
        <source>中位 {h} 小时</source>
        <translation>median {h} h</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="459"/>
        <source>线索 {r} · {median} · 未响应 {u}</source>
        <translation>{r} leads · {median} · {u} unanswered</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="465"/>
        <source>成交 {n} 台 · 意向金 {deposits}</source>
        <translation>{n} cars sold · deposits {deposits}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="490"/>
        <source>目标 {t} 人</source>
        <translation>Target {t} people</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="562"/>
        <source>（到店的 {rate}）</source>
        <translation> ({rate} of visits)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="567"/>
        <source>销售顾问：到店、试驾、意向金、成交与成交率</source>
        <translation>Consultants: visits, test drives, deposits, deals and conversion rate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="570"/>
        <source>所选时间内没有销售顾问的记录</source>
        <translation>No consultant activity in the selected period</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="585"/>
        <source>数量</source>
        <translation>Count</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="592"/>
        <source>成交率 %</source>
        <translation>Conversion rate %</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="603"/>
        <source>在库车辆库龄（天）与平均让价</source>
        <translation>Stock age of cars in stock (days) and average discount</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="604"/>
        <source>{range} 天</source>
        <translation>{range} days</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="609"/>
        <source>车辆数</source>
        <translation>Cars</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="614"/>
        <source>均价 {p} 万</source>
        <translation>Avg. ¥{p} × 10,000</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="628"/>
        <location filename="../../ui/screens/dashboard.py" line="630"/>
        <source>平均让价（元）</source>
        <translation>Average discount (¥)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="638"/>
        <source>透明检测日：报名、到场、检测、收购</source>
        <translation>Inspection days: registered, attended, inspected, purchased</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="641"/>
        <source>所选时间内没有透明检测日</source>
        <translation>No inspection days in the selected period</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="644"/>
        <source>报名</source>
        <translation>Registrations</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="645"/>
        <source>到场</source>
        <translation>Attended</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="646"/>
        <source>已检测</source>
        <translation>Inspected</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="647"/>
        <source>收购</source>
        <translation>Purchased</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="656"/>
        <source>人数</source>
        <translation>People</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="662"/>
        <source>关键比率（%）</source>
        <translation>Key rates (%)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="664"/>
        <source>成交 / 意向客户</source>
        <translation>Deals / interested customers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="665"/>
        <source>已回访 / 应回访</source>
        <translation>Followed up / due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="666"/>
        <source>一年内再购 / 购车客户</source>
        <translation>Bought again within a year / buyers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="667"/>
        <source>试驾后成交 / 试驾客户</source>
        <translation>bought after drive / drove</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="668"/>
        <source>及时 / 应响应</source>
        <translation>in time / due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="703"/>
        <source>按来源渠道：意向客户、成交与成交率</source>
        <translation>By source channel: interested customers, deals and conversion</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="705"/>
        <source>按线索平台：意向客户、成交与成交率</source>
        <translation>By lead platform: interested customers, deals and conversion</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="711"/>
        <source>所选时间内没有意向客户</source>
        <translation>No interested customers in the selected period</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="713"/>
        <source>所选时间内没有来自线索平台的客户</source>
        <translation>No customers from lead platforms in the selected period</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="746"/>
        <source>战败原因（离店时与回访时登记）</source>
        <translation>Lost-deal reasons (at check-out and on follow-ups)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="749"/>
        <source>所选时间内没有登记战败原因</source>
        <translation>No lost-deal reasons recorded in the selected period</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="754"/>
        <source>离店时</source>
        <translation>At check-out</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="755"/>
        <source>回访时</source>
        <translation>On follow-up</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="773"/>
        <source>未分配</source>
        <translation>Not assigned</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="797"/>
        <source>目标 {t}</source>
        <translation>Target {t}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="822"/>
        <source>导出图片</source>
        <translation>Export image</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="822"/>
        <source>PNG 图片 (*.png)</source>
        <translation>PNG image (*.png)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="829"/>
        <source>导出数据</source>
        <translation>Export data</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="829"/>
        <source>CSV 文件 (*.csv)</source>
        <translation>CSV file (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="840"/>
        <location filename="../../ui/screens/dashboard.py" line="851"/>
        <source>已导出：{path}</source>
        <translation>Exported: {path}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="855"/>
        <source>无法保存文件：{reason}</source>
        <translation>Cannot save the file: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="905"/>
        <source>经营目标已保存</source>
        <translation>Targets saved</translation>
    </message>
    <message>
        <location filename="../../ui/screens/dashboard.py" line="533"/>
        <source>{h}时</source>
        <translation>{h}:00</translation>
    </message>
</context>
<context>
    <name>Dates</name>
    <message>
        <location filename="../../ui/widgets/dates.py" line="18"/>
        <source>zh_CN</source>
        <translation>en_US</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/dates.py" line="27"/>
        <source>MM月dd日</source>
        <translation>MMM d</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/dates.py" line="38"/>
        <source>MM月dd日 HH:mm</source>
        <translation>MMM d HH:mm</translation>
    </message>
</context>
<context>
    <name>Deals</name>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="68"/>
        <source>现金</source>
        <translation>Cash</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="69"/>
        <source>微信支付</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="70"/>
        <source>支付宝</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="71"/>
        <source>银行卡</source>
        <translation>Bank card</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="72"/>
        <source>转账</source>
        <translation>Bank transfer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="73"/>
        <source>有效（车辆已预订）</source>
        <translation>Active (car reserved)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="74"/>
        <source>已抵车款</source>
        <translation>Applied to price</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="75"/>
        <source>已退还</source>
        <translation>Refunded</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="76"/>
        <source>已没收</source>
        <translation>Forfeited</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="77"/>
        <source>已过期</source>
        <translation>Expired</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="78"/>
        <source>草稿（未签）</source>
        <translation>Draft (unsigned)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="79"/>
        <source>已签订</source>
        <translation>Signed</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="80"/>
        <source>已作废</source>
        <translation>Void</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="81"/>
        <source>已退车</source>
        <translation>Returned</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="82"/>
        <source>二手车买卖合同</source>
        <translation>Used-car sale contract</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="83"/>
        <source>补充协议</source>
        <translation>Amendment</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="84"/>
        <source>车况确认书</source>
        <translation>Condition confirmation</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="85"/>
        <source>售后服务协议</source>
        <translation>After-sales agreement</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="86"/>
        <source>乙方（买受人）</source>
        <translation>Buyer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="87"/>
        <source>甲方（出卖人）</source>
        <translation>Seller</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="88"/>
        <source>双方各半</source>
        <translation>Split equally</translation>
    </message>
</context>
<context>
    <name>DealsScreen</name>
    <message>
        <location filename="../../ui/screens/deals.py" line="239"/>
        <source>定金与合同</source>
        <translation>Deposits &amp; contracts</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="244"/>
        <source>收取意向金</source>
        <translation>Take deposit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="246"/>
        <source>直接签约（无意向金）</source>
        <translation>Sell without deposit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="274"/>
        <source>只看有效的意向金</source>
        <translation>Active deposits only</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="292"/>
        <source>打印收据</source>
        <translation>Print receipt</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="293"/>
        <source>起草合同（抵扣意向金）</source>
        <translation>Draft contract (apply deposit)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="294"/>
        <source>退还（店长）</source>
        <translation>Refund (manager)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="295"/>
        <source>没收</source>
        <translation>Forfeit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="306"/>
        <source>意向金</source>
        <translation>Deposits</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="312"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="328"/>
        <source>按付款方式汇总当日收取和退还的意向金，用于与现金、微信、支付宝和银行流水核对。</source>
        <translation>The day&apos;s deposits taken and refunded by payment method, to reconcile with the till, WeChat, Alipay and bank statements.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="334"/>
        <source>当日收款</source>
        <translation>Day&apos;s takings</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="350"/>
        <source>签订</source>
        <translation>Sign</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="351"/>
        <location filename="../../ui/screens/deals.py" line="387"/>
        <source>作废</source>
        <translation>Void</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="352"/>
        <location filename="../../ui/screens/deals.py" line="540"/>
        <source>补充协议</source>
        <translation>Amendment</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="353"/>
        <source>七日退车（店长）</source>
        <translation>7-day return (manager)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="356"/>
        <location filename="../../ui/screens/deals.py" line="388"/>
        <source>打印 / 重印</source>
        <translation>Print / reprint</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="371"/>
        <source>合同</source>
        <translation>Contracts</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="385"/>
        <source>按检测报告收车（店长）</source>
        <translation>Buy from an inspection (manager)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="386"/>
        <source>签订收车协议</source>
        <translation>Sign purchase agreement</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="399"/>
        <location filename="../../ui/screens/deals.py" line="794"/>
        <source>收车</source>
        <translation>Purchases</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="433"/>
        <source>{n} 笔意向金已过期，车辆已恢复在售：{list}</source>
        <translation>{n} deposit(s) expired, the cars are on sale again: {list}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="460"/>
        <source>{n} 笔意向金将在 {days} 天内到期，请联系客户：{list}</source>
        <translation>{n} deposit(s) expire within {days} days, call the customers: {list}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="468"/>
        <source>没有即将到期的意向金。</source>
        <translation>No deposits about to expire.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="483"/>
        <source>合计</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="543"/>
        <source>买卖合同</source>
        <translation>Sale contract</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="544"/>
        <source>附件一 车况确认书</source>
        <translation>Annex 1 condition confirmation</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="545"/>
        <source>附件二 售后服务协议</source>
        <translation>Annex 2 after-sales agreement</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="547"/>
        <source>退车协议</source>
        <translation>Return agreement</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="575"/>
        <source>已收取意向金 {amount}，收据号 {receipt}；车辆已为客户保留。</source>
        <translation>Deposit {amount} taken, receipt {receipt}; the car is reserved for the customer.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="604"/>
        <source>已生成副本 {n} 并存档。</source>
        <translation>Copy {n} made and archived.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="616"/>
        <source>退还意向金</source>
        <translation>Refund deposit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="617"/>
        <source>退还 {amount}（{method}）给 {customer}。请填写原因：</source>
        <translation>Refund {amount} ({method}) to {customer}. Reason:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="635"/>
        <source>没收意向金</source>
        <translation>Forfeit deposit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="636"/>
        <source>按约定没收 {amount}，车辆恢复在售。请填写原因：</source>
        <translation>Forfeit {amount} per the terms; the car goes back on sale. Reason:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="660"/>
        <location filename="../../ui/screens/deals.py" line="664"/>
        <source>直接签约</source>
        <translation>Sell without deposit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="660"/>
        <source>车辆的库存编号或车牌号：</source>
        <translation>Car&apos;s stock no. or plate:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="664"/>
        <source>买受人的手机号：</source>
        <translation>Buyer&apos;s mobile number:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="678"/>
        <source>合同 {no} 已生成（草稿），请买受人阅读并签名。</source>
        <translation>Contract {no} drafted; let the buyer read and sign it.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="697"/>
        <source>合同 {no} 已签订并存档：车辆已售出，意向金已抵扣，已安排 5 次回访（首次 {first}）。</source>
        <translation>Contract {no} signed and archived: car sold, deposit applied, 5 follow-ups planned (first {first}).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="715"/>
        <source>作废合同</source>
        <translation>Void contract</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="716"/>
        <source>作废后编号 {no} 仍保留并显示为“已作废”。请填写作废原因：</source>
        <translation>Number {no} stays and shows as void. Reason for voiding:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="756"/>
        <source>合同 {no} 已退车（退车协议 {return_no}）：应退 {refund}，车辆已恢复在售，{n} 次回访已停止。</source>
        <translation>Contract {no} returned (return agreement {return_no}): refund {refund}; the car is back on sale, {n} follow-ups stopped.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="794"/>
        <source>已定稿并有估价的检测报告编号：</source>
        <translation>Report no. of a finished inspection with a valuation:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="810"/>
        <source>收车协议 {no} 已生成（草稿），请卖方阅读并签名。</source>
        <translation>Purchase agreement {no} drafted; let the seller read and sign it.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="830"/>
        <source>收车协议 {no} 已签订并存档，车辆已入库（{stock}，整备中）。</source>
        <translation>Purchase agreement {no} signed and archived; the car is in stock ({stock}, preparing).</translation>
    </message>
</context>
<context>
    <name>DecisionDialog</name>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="173"/>
        <source>保修诊断与结论</source>
        <translation>Warranty diagnosis and decision</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="181"/>
        <source>报修时在保修期内</source>
        <translation>Within the warranty when reported</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="183"/>
        <source>报修时已超出保修期限或里程</source>
        <translation>Outside the warranty (days or km) when reported</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="190"/>
        <source>保修（免费维修）</source>
        <translation>Covered (free repair)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="191"/>
        <source>不予保修</source>
        <translation>Not covered</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="199"/>
        <source>保修或不予保修的理由（打印在索赔单上）</source>
        <translation>Why it is or is not covered (printed on the claim form)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="203"/>
        <source>索赔单</source>
        <translation>Claim</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="205"/>
        <source>检查诊断</source>
        <translation>Diagnosis</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="206"/>
        <source>结论</source>
        <translation>Decision</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="207"/>
        <source>理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="208"/>
        <source>门店承担（元）</source>
        <translation>Store pays (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="209"/>
        <source>客户承担（元）</source>
        <translation>Customer pays (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="210"/>
        <source>保存结论并打印索赔单</source>
        <translation>Save decision and print claim form</translation>
    </message>
</context>
<context>
    <name>DepositDialog</name>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="123"/>
        <source>收取意向金</source>
        <translation>Take deposit</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="127"/>
        <source>库存编号或车牌号，如 BJ01-S2026-00012 或 京A12345</source>
        <translation>Stock no. or plate, e.g. BJ01-S2026-00012 or 京A12345</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="130"/>
        <source>（未选择车辆）</source>
        <translation>(no car chosen)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="149"/>
        <source>（未找到客户）</source>
        <translation>(no customer found)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="140"/>
        <source>交易单号 / 流水号 / 卡号后四位（现金可不填）</source>
        <translation>Transaction no. / statement ref. / last 4 card digits (not for cash)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="144"/>
        <source> 天</source>
        <translation> days</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="145"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="148"/>
        <source>客户手机</source>
        <translation>Customer mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="152"/>
        <source>金额（元）</source>
        <translation>Amount (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="154"/>
        <source>付款方式</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="155"/>
        <source>交易单号</source>
        <translation>Transaction no.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="156"/>
        <source>保留车辆</source>
        <translation>Reserve car for</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="157"/>
        <source>收款并预订车辆</source>
        <translation>Take payment and reserve car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="166"/>
        <source>大写：人民币{text}</source>
        <translation>In capitals: 人民币{text}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="180"/>
        <source>{label} · {stock} · {plate} · 标价 {price} · {status}</source>
        <translation>{label} · {stock} · {plate} · price {price} · {status}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="183"/>
        <source>未上牌</source>
        <translation>no plate</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="190"/>
        <source>注意：这辆车当前状态为“{status}”，可能无法收取意向金。</source>
        <translation>Note: this car is “{status}”; a deposit may be refused.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="150"/>
        <source>没有这个手机号的客户，请先在前台登记。</source>
        <translation>No customer with this mobile number; register them at reception first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="197"/>
        <source>请先输入库存编号或车牌号找到车辆。</source>
        <translation>Enter a stock no. or plate to find the car first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="200"/>
        <source>请先输入手机号找到客户。</source>
        <translation>Enter the mobile number to find the customer first.</translation>
    </message>
</context>
<context>
    <name>DepositModel</name>
    <message>
        <location filename="../../ui/screens/deals.py" line="81"/>
        <source>收据号</source>
        <translation>Receipt no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="82"/>
        <source>收款时间</source>
        <translation>Taken at</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="83"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="84"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="85"/>
        <source>金额</source>
        <translation>Amount</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="86"/>
        <source>方式</source>
        <translation>Method</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="87"/>
        <source>销售顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="88"/>
        <source>保留至</source>
        <translation>Reserved until</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="89"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="107"/>
        <source>，即将到期</source>
        <translation>, expiring soon</translation>
    </message>
</context>
<context>
    <name>DisableDialog</name>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="346"/>
        <source>停用员工账号</source>
        <translation>Disable staff account</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="351"/>
        <source>停用后 {name} 不能再登录，也不能在自助机上用 PIN 解锁，PIN 随之清除。已签的协议、合同和审计记录都保留；名下的客户仍显示其姓名，可在看板上改派。</source>
        <translation>Once disabled, {name} can no longer sign in or unlock the kiosk with a PIN, and the PIN is cleared. Signed agreements, contracts and the audit log are kept; their customers still show their name and can be reassigned on the board.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="357"/>
        <source>如：离职、调往其他门店（可不填，最多 100 字）</source>
        <translation>e.g. left the company, moved to another store (optional, up to 100 characters)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="358"/>
        <source>停用原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="359"/>
        <source>停用</source>
        <translation>Disable</translation>
    </message>
</context>
<context>
    <name>DoneStep</name>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="225"/>
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>DormantModel</name>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="258"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="259"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="260"/>
        <source>意向</source>
        <translation>Grade</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="261"/>
        <source>负责顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="262"/>
        <source>最后联系</source>
        <translation>Last contact</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="263"/>
        <source>未联系天数</source>
        <translation>Days silent</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="288"/>
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="291"/>
        <source>从未联系</source>
        <translation>Never</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="294"/>
        <source>{days} 天</source>
        <translation>{days} days</translation>
    </message>
</context>
<context>
    <name>EditEventDialog</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="225"/>
        <source>修改检测日</source>
        <translation>Change inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="246"/>
        <source>已占名额 {seated} 位，候补 {waiting} 位：名额不能少于已占名额；</source>
        <translation>{seated} seats taken, {waiting} on the wait-list: seats cannot drop below those taken; </translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="249"/>
        <source>增加的名额按顺序给候补客户；改日期或时间后需电话通知所有报名客户。</source>
        <translation>extra seats go to the wait-list in order; after a new date or time every registered customer must be phoned.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="257"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="258"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="259"/>
        <source>开始</source>
        <translation>Starts</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="260"/>
        <source>结束</source>
        <translation>Ends</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="261"/>
        <source>检测工位</source>
        <translation>Inspection bays</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="262"/>
        <source>名额</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="263"/>
        <source>免费内容</source>
        <translation>What&apos;s free</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="267"/>
        <source>保存修改</source>
        <translation>Save changes</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../ui/errors.py" line="60"/>
        <source>请输入用户名和密码。</source>
        <translation>Please enter your username and password.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="107"/>
        <source>用户名或密码不正确。</source>
        <translation>Wrong username or password.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="108"/>
        <source>用户名或密码不正确。再错 {attempts_left} 次账号将被锁定。</source>
        <translation>Wrong username or password. {attempts_left} more wrong attempt(s) will lock the account.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="112"/>
        <source>输错次数过多，账号已锁定，请 {minutes} 分钟后再试，或请店长解锁。</source>
        <translation>Too many wrong attempts: the account is locked. Try again in {minutes} minutes or ask the manager to unlock it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="117"/>
        <source>共享数据库暂时无法连接。只有最近 {days} 天内在本机成功登录过的员工可以离线登录；请稍候，网络恢复后即可正常登录。</source>
        <translation>The shared database cannot be reached. Only staff who signed in on this PC within the last {days} days can sign in offline; please wait, you can sign in as usual once the network is back.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="122"/>
        <source>PIN 为 4 到 8 位数字。</source>
        <translation>A PIN has 4 to 8 digits.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="123"/>
        <source>PIN 不正确。</source>
        <translation>Wrong PIN.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="124"/>
        <source>只有店长可以解锁账号。</source>
        <translation>Only the store manager can unlock accounts.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="126"/>
        <source>只有店长可以查看员工列表。</source>
        <translation>Only the store manager can see the staff list.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="129"/>
        <source>请填写用户名和姓名。</source>
        <translation>Please fill in the username and name.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="130"/>
        <source>密码至少 {minimum} 位。</source>
        <translation>The password needs at least {minimum} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="131"/>
        <source>密码最多 {maximum} 位。</source>
        <translation>A password has at most {maximum} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="132"/>
        <source>密码的开头和结尾不能是空格。</source>
        <translation>A password cannot start or end with a space.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="133"/>
        <source>密码不能是用户名，也不能包含用户名。</source>
        <translation>The password cannot be or contain the username.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="134"/>
        <source>这个密码太常见（演示账号或常用密码），别人很容易猜到，请换一个。</source>
        <translation>This password is too common (a demo or everyday password) and easy to guess. Choose another.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="137"/>
        <source>新密码不能和当前密码（或临时密码）相同。</source>
        <translation>The new password must differ from the current (or temporary) one.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="138"/>
        <source>当前密码不正确。</source>
        <translation>The current password is wrong.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="139"/>
        <source>PIN 不能是重复或连续的数字（如 0000、1234），请换一个。</source>
        <translation>A PIN cannot be repeated or consecutive digits (like 0000 or 1234). Choose another.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="142"/>
        <source>这个 PIN 已有其他员工在用，请换一个（自助机凭 PIN 识别员工）。</source>
        <translation>Someone else already uses this PIN. Choose another (the kiosk tells staff apart by their PIN).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="145"/>
        <source>请填写用户名。</source>
        <translation>Enter a username.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="146"/>
        <source>用户名为 2 到 40 位英文字母、数字或 . _ -，以字母或数字开头，例如 wangfang。</source>
        <translation>A username has 2 to 40 letters, digits or . _ -, starting with a letter or digit, e.g. wangfang.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="150"/>
        <location filename="../../ui/errors.py" line="301"/>
        <source>请填写姓名。</source>
        <translation>Enter the name.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="151"/>
        <source>姓名最多 {maximum} 个字。</source>
        <translation>A name has at most {maximum} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="152"/>
        <source>姓名里有无法显示或打印的字符。</source>
        <translation>The name contains characters that cannot be shown or printed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="153"/>
        <source>请至少选择一个岗位。</source>
        <translation>Choose at least one role.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="154"/>
        <source>没有这个员工。</source>
        <translation>No such staff member.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="155"/>
        <source>该员工的资料刚被其他电脑修改过，请重新打开后再改。</source>
        <translation>Another PC just changed this person&apos;s details. Open them again, then edit.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="158"/>
        <source>这是本店最后一位店长：请先让另一位员工担任店长，再停用或取消其店长岗位。</source>
        <translation>This is the store&apos;s last manager: make someone else a manager first, then disable this account or remove its manager role.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="162"/>
        <source>不能取消自己的店长岗位，请由另一位店长操作。</source>
        <translation>You cannot remove your own manager role; ask another manager.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="165"/>
        <source>不能停用自己的账号，请由另一位店长操作。</source>
        <translation>You cannot disable your own account; ask another manager.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="166"/>
        <source>只有集团管理员可以授予或取消“集团管理”岗位。</source>
        <translation>Only a group manager can grant or remove the group manager role.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="169"/>
        <source>只有集团管理员可以把员工调到其他门店。</source>
        <translation>Only a group manager can move staff to another store.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="173"/>
        <source>该员工已停用。请先启用账号。</source>
        <translation>This person is disabled. Re-enable the account first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="179"/>
        <source>只能管理本店；其他门店请由集团管理员操作。</source>
        <translation>You manage your own store only; other stores are for the group manager.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="181"/>
        <source>只有店长可以修改门店资料。</source>
        <translation>Only a manager can edit the store profile.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="182"/>
        <source>只有集团管理员可以新增门店。</source>
        <translation>Only a group manager can add a store.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="183"/>
        <source>门店资料刚被其他电脑修改过。请重新打开查看后再改。</source>
        <translation>Another PC just changed the store profile. Open it again, then edit.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="186"/>
        <source>{field}最多 {maximum} 个字（现在 {length} 个）。</source>
        <translation>{field}: at most {maximum} characters ({length} now).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="189"/>
        <source>联系电话只能包含数字、空格、-、括号，例如 010-8555 1234 或 400-820-1234。</source>
        <translation>A phone number has digits, spaces, - and brackets only, e.g. 010-8555 1234 or 400-820-1234.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="192"/>
        <source>银行账号应为 8 到 30 位数字，请对照开户许可证核对。</source>
        <translation>An account number has 8 to 30 digits; check it against the bank&apos;s account licence.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="202"/>
        <source>车辆公开网址应以 https:// 开头，例如 https://che.example.cn/bj01 ；也可以写成含 {stock_no} 的模板。</source>
        <translation>The car-page address starts with https://, e.g. https://che.example.cn/bj01, or is a template containing {stock_no}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="208"/>
        <source>这是示例网址，顾客扫码打不开。请填写门店自己的车辆网页地址。</source>
        <translation>That is the example address; a customer&apos;s scan would not open it. Enter the store&apos;s own car-page address.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="211"/>
        <source>门店标志需要是 PNG 图片。</source>
        <translation>The store logo must be a PNG picture.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="212"/>
        <source>门店标志图片太大（最多 512 KB），请换一张小一些的图片。</source>
        <translation>The logo picture is too large (512 KB at most). Choose a smaller one.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="217"/>
        <source>无法读取这张图片，请选择 PNG 或 JPG 文件。</source>
        <translation>This picture cannot be read. Choose a PNG or JPG file.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="219"/>
        <source>门店编号 {store_code} 已被使用。</source>
        <translation>Store code {store_code} is already in use.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="222"/>
        <source>门店资料缺少{fields}，不能打印。请店长在“员工 → 门店资料”中填写后再打印。</source>
        <translation>The store profile lacks {fields}, so this cannot print. The manager fills it in under Staff → Store profile.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="226"/>
        <source>统一社会信用代码应为 18 位，当前为 {length} 位</source>
        <translation>A unified social credit code has 18 characters; this has {length}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="229"/>
        <source>统一社会信用代码由数字和大写字母组成（不含 I、O、S、V、Z），请对照营业执照核对</source>
        <translation>A credit code has digits and capital letters (no I, O, S, V, Z); check it against the business licence</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="233"/>
        <source>统一社会信用代码校验位不符，请对照营业执照检查是否输错</source>
        <translation>The credit code&apos;s check character does not match; check it against the business licence for a typo</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="236"/>
        <source>只有店长可以修改排班。</source>
        <translation>Only a manager can change the roster.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="237"/>
        <source>备注最多 {maximum} 个字。</source>
        <translation>A note has at most {maximum} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="239"/>
        <source>所选人员不是今天在岗的销售顾问，请重新选择。</source>
        <translation>The person chosen is not a consultant on duty today. Choose again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="242"/>
        <source>请选择陪同试驾的销售顾问，协议上会写明陪同人员。</source>
        <translation>Choose the consultant who rides along; the agreement names them.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="245"/>
        <source>只有评估师可以接车检测（可在“员工”中为员工增加评估师岗位）。</source>
        <translation>Only appraisers take cars for inspection (a manager can add the appraiser role under Staff).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="248"/>
        <source>你今天不在排班上，不能接车检测。请先让店长调整今天的排班。</source>
        <translation>You are not on today&apos;s roster, so you cannot take cars. Ask the manager to change today&apos;s roster.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="251"/>
        <source>用户名“{username}”已被使用。</source>
        <translation>The username “{username}” is already taken.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="252"/>
        <source>已经设置过门店和店长账号。</source>
        <translation>The store and manager account have already been set up.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="253"/>
        <source>门店编号为 2 到 8 位字母或数字，例如 BJ01。</source>
        <translation>The store code has 2 to 8 letters or digits, e.g. BJ01.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="257"/>
        <source>请填写门店名称。</source>
        <translation>Please fill in the store name.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="261"/>
        <source>门店不存在。</source>
        <translation>This store does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="265"/>
        <source>你的岗位不能查看客户的完整号码。</source>
        <translation>Your role may not see customers&apos; full numbers.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="266"/>
        <source>客户不存在或已被合并。</source>
        <translation>This customer does not exist or was merged into another.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="267"/>
        <source>数据库地址无效：{url}。请在设置中检查地址。</source>
        <translation>Invalid database address: {url}. Please check it in the settings.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="268"/>
        <source>数据库文件被占用（{url}）。请关闭其他正在使用它的程序后重试。</source>
        <translation>The database file is in use ({url}). Close the other program using it and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="271"/>
        <source>数据库拒绝登录（{url}）：用户名或密码不正确。</source>
        <translation>The database refused the login ({url}): wrong user name or password.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="272"/>
        <source>无法连接数据库 {url}：{detail}</source>
        <translation>Cannot connect to the database {url}: {detail}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="273"/>
        <source>数据库正忙：其他电脑正在同时保存，这次没有保存成功。请再试一次，已填写的内容都还在。</source>
        <translation>The database is busy: other PCs are saving at the same moment, so this was not saved. Please try again; everything you entered is still here.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="284"/>
        <source>需要连接数据库：共享数据库暂时无法连接。定金、合同、试驾时段和活动名额必须立即确认，请在网络恢复后再试；到店登记、新建客户、试驾还车和回访记录可以离线保存，恢复后自动同步。</source>
        <translation>Needs the database connection: the shared database cannot be reached right now. Deposits, contracts, test-drive slots and event seats must be confirmed at once; please try again when the network is back. Check-ins, new customers, test-drive returns and follow-up notes can be saved offline and sync automatically.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="291"/>
        <source>服务器上没有这个数据库（{url}）。请检查数据库名，或请管理员先创建它。</source>
        <translation>The server has no such database ({url}). Check the database name, or ask the administrator to create it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="296"/>
        <source>数据库升级失败。详情已写入日志。</source>
        <translation>Upgrading the database failed. Details are in the log.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="307"/>
        <source>姓名只能由汉字、英文字母和间隔号“·”组成，不能含有“{character}”。</source>
        <translation>A name may hold only Chinese characters, Latin letters and the middle dot &quot;·&quot;, not &quot;{character}&quot;.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="313"/>
        <source>姓名中的间隔号“·”只能写在两个字之间。</source>
        <translation>The middle dot &quot;·&quot; in a name goes only between two letters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="319"/>
        <source>这一项最多 {limit} 个字（现在 {length} 个），请删减后再保存。</source>
        <translation>This field takes at most {limit} characters (it has {length}); shorten it, then save.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="325"/>
        <source>请填写这一项。</source>
        <translation>Fill in this field.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="331"/>
        <source>内容中有不能保存的控制字符（{character}），请删除后再保存。</source>
        <translation>The text holds a control character that cannot be saved ({character}); delete it, then save.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="333"/>
        <source>第二联系电话应为 11 位手机号，或带区号的固定电话（如 010-12345678）。</source>
        <translation>The second phone must be an 11-digit mobile or a landline with its area code (e.g. 010-12345678).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="336"/>
        <source>第二联系电话与手机号相同。</source>
        <translation>The second phone is the same as the mobile number.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="337"/>
        <source>预算下限不能高于上限。</source>
        <translation>The minimum budget cannot be above the maximum.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="338"/>
        <source>你的岗位不能修改客户资料。</source>
        <translation>Your role may not change customer details.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="339"/>
        <source>意向等级不能清空，请选择 A/B/C/D。</source>
        <translation>The intent grade cannot be cleared; choose A, B, C or D.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="340"/>
        <source>只有店长可以设置客户标签。</source>
        <translation>Only the manager may set customer tags.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="341"/>
        <source>标签“{name}”已存在。</source>
        <translation>The tag &quot;{name}&quot; exists already.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="342"/>
        <source>所选标签不存在或已停用，请刷新后重选。</source>
        <translation>A chosen tag no longer exists or was switched off; reload and choose again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="343"/>
        <source>沟通时间不能晚于现在。</source>
        <translation>A contact cannot be later than now.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="344"/>
        <source>下一步的日期不能早于今天。</source>
        <translation>The next step&apos;s date cannot be before today.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="345"/>
        <source>填写了下一步日期，请写明下一步要做什么。</source>
        <translation>A date is given for the next step: say what the next step is.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="352"/>
        <source>该号码已有未处理的线索（{name}），请在原线索上记录这次沟通。</source>
        <translation>This number already has an open lead ({name}); log this enquiry on that lead.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="354"/>
        <source>这条线索已经到店或已关闭，请刷新列表。</source>
        <translation>This lead has visited or was closed; reload the list.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="355"/>
        <source>销售顾问只能认领尚未分配的线索；改派请找店长或前台。</source>
        <translation>Consultants may only take unassigned leads; ask the manager or the desk to reassign one.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="358"/>
        <source>收到线索的时间不能晚于现在。</source>
        <translation>A lead cannot be received later than now.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="359"/>
        <source>文件里没有手机号列（表头应为“手机号”“电话”或“联系电话”之一）。</source>
        <translation>The file has no phone column (the header should be 手机号, 电话 or 联系电话).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1420"/>
        <location filename="../../ui/errors.py" line="1429"/>
        <source>门店名称</source>
        <translation>store name</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1421"/>
        <location filename="../../ui/errors.py" line="1430"/>
        <source>门店地址</source>
        <translation>store address</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1422"/>
        <location filename="../../ui/errors.py" line="1431"/>
        <source>联系电话</source>
        <translation>phone number</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1423"/>
        <location filename="../../ui/errors.py" line="1432"/>
        <source>统一社会信用代码</source>
        <translation>unified social credit code</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1424"/>
        <location filename="../../ui/errors.py" line="1433"/>
        <source>开户银行</source>
        <translation>bank</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1425"/>
        <location filename="../../ui/errors.py" line="1434"/>
        <source>银行账号</source>
        <translation>bank account number</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1435"/>
        <source>车辆公开网址</source>
        <translation>car-page address</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1436"/>
        <source>抬头附加文字</source>
        <translation>letterhead text</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1441"/>
        <source>称谓</source>
        <translation>form of address</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1442"/>
        <source>手机号</source>
        <translation>mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1443"/>
        <source>第二联系电话</source>
        <translation>second phone</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1444"/>
        <source>客户类型</source>
        <translation>customer type</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1446"/>
        <source>客户角色</source>
        <translation>customer role</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1447"/>
        <source>意向等级</source>
        <translation>intent grade</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1448"/>
        <source>预算下限</source>
        <translation>minimum budget</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1449"/>
        <source>预算上限</source>
        <translation>maximum budget</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1454"/>
        <source>付款方式</source>
        <translation>payment preference</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1459"/>
        <source>车身</source>
        <translation>Body</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1460"/>
        <source>发动机舱</source>
        <translation>Engine bay</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1461"/>
        <source>驾驶舱</source>
        <translation>Cabin</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1462"/>
        <source>启动</source>
        <translation>Start-up</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1463"/>
        <source>路试</source>
        <translation>Road test</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1464"/>
        <source>底盘</source>
        <translation>Chassis</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1468"/>
        <source>未兑现的推荐奖励</source>
        <translation>referral rewards not yet given</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1469"/>
        <source>有效的意向金（车辆仍为其保留）</source>
        <translation>active deposits (a car is still held for them)</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1470"/>
        <source>未签订的合同草稿</source>
        <translation>unsigned contract drafts</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1471"/>
        <source>未完成的试驾预约</source>
        <translation>open test-drive bookings</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1472"/>
        <source>未完成的检测日报名</source>
        <translation>open inspection-day registrations</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1473"/>
        <source>尚未离店的到店记录</source>
        <translation>visits not yet checked out</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1475"/>
        <source>未知</source>
        <translation>unknown</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1476"/>
        <source>空</source>
        <translation>none</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1477"/>
        <source>文件</source>
        <translation>document</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1482"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1503"/>
        <source>{section}·{item}</source>
        <translation>{section} · {item}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1510"/>
        <source> 等 {count} 项</source>
        <translation> … ({count} in all)</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1520"/>
        <source>{what} {count} 项</source>
        <translation>{what}: {count}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1532"/>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1533"/>
        <source>{field}：已保存为“{theirs}”，你填写的是“{yours}”</source>
        <translation>{field}: saved as “{theirs}”, you entered “{yours}”</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1552"/>
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1634"/>
        <source>保存前这条记录已被其他电脑修改，你的修改没有保存。请重新打开查看最新内容后再改。</source>
        <translation>Another PC changed this record before you saved; your changes were not saved. Reopen it to see the latest version, then edit again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="369"/>
        <location filename="../../ui/errors.py" line="1639"/>
        <source>当前数据库只读，不能保存：{reason}</source>
        <translation>The database is read-only, nothing can be saved: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1641"/>
        <source>数据库暂时无法访问，请稍后重试。如果一直这样，请检查网络或联系管理员。</source>
        <translation>The database cannot be reached right now. Please try again shortly; if this persists, check the network or contact your administrator.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1644"/>
        <source>操作没有完成：程序出现了意外错误。详情已写入日志。</source>
        <translation>That did not work: an unexpected error occurred. Details are in the log.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1654"/>
        <source>无法连接数据库服务器 {server}。请检查网络和数据库服务器是否开启。</source>
        <translation>Cannot connect to the database server {server}. Please check the network and that the server is running.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="115"/>
        <source>输错次数过多，账号已锁定 {minutes} 分钟。</source>
        <translation>Too many wrong attempts: the account is locked for {minutes} minutes.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="61"/>
        <source>预警线应低于目标（不设预警线请留空）。</source>
        <translation>The warning level must be below the target (leave it empty for none).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="62"/>
        <source>只有店长可以设置经营目标。</source>
        <translation>Only the store manager can set targets.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="63"/>
        <source>战败原因列表至少要有一项。</source>
        <translation>The list needs at least one reason.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="64"/>
        <source>满意度请选 1 到 5 分。</source>
        <translation>Choose a satisfaction score from 1 to 5.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="65"/>
        <source>已选择战败原因的客户不再安排下次回访。</source>
        <translation>A lost deal gets no further follow-up.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="68"/>
        <source>满意度只在成交后的售后回访中记录。</source>
        <translation>Satisfaction is recorded on after-sale calls only.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="71"/>
        <source>只有“无意向”离店的客户才记录战败原因。</source>
        <translation>A reason lost is recorded only when the customer left with no interest.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="74"/>
        <source>只有店长可以设置回访节奏。</source>
        <translation>Only the store manager can set the follow-up cadence.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="78"/>
        <source>不自动回访的等级不能设置回访周期。</source>
        <translation>A grade without automatic follow-ups cannot have a repeat interval.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="81"/>
        <source>只有店长可以设置保养间隔。</source>
        <translation>Only the manager can set the service interval.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="82"/>
        <source>保养间隔月数应在 {low} 到 {high} 个月之间。</source>
        <translation>The service interval must be {low} to {high} months.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="85"/>
        <source>保养间隔里程应在 {low} 到 {high} 公里之间。</source>
        <translation>The service interval must be {low} to {high} km.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="88"/>
        <source>你的岗位不能记录车辆里程。</source>
        <translation>Your role cannot record a car&apos;s mileage.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="89"/>
        <source>请选择里程的来源（电话、到店或其他）。</source>
        <translation>Choose where the mileage comes from (call, visit or other).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="90"/>
        <source>里程应在 0 到 {high} 公里之间。</source>
        <translation>The mileage must be 0 to {high} km.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="91"/>
        <source>里程日期不能晚于今天。</source>
        <translation>The mileage date cannot be after today.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="93"/>
        <source>这辆车没有有效的销售合同，无需记录保养里程。</source>
        <translation>This car has no standing sale contract; no mileage to record for service.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="94"/>
        <source>里程日期不能早于购车日期 {day}。</source>
        <translation>The mileage date cannot be before the sale on {day}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="95"/>
        <source>{km} 公里低于 {day} 已记录的 {earlier} 公里，里程不会倒退，请核对。</source>
        <translation>{km} km is below the {earlier} km recorded on {day}; an odometer does not go back. Please check.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="98"/>
        <source>{km} 公里高于之后 {day} 记录的 {later} 公里，请核对日期。</source>
        <translation>{km} km is above the {later} km recorded later, on {day}. Please check the date.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="101"/>
        <source>距 {day} 的 {earlier} 公里，{days} 天多跑了 {driven} 公里，不太可能，请核对。</source>
        <translation>{driven} km more in {days} days since {earlier} km on {day} is hardly possible. Please check.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="104"/>
        <source>意向等级请在客户档案中调整；这里只为线索选择。</source>
        <translation>Change a customer&apos;s intent grade on their record; it is chosen here for leads only.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="127"/>
        <source>只有店长可以管理员工账号。</source>
        <translation>Only a manager can manage staff accounts.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="171"/>
        <source>该员工已停用。请先启用账号，再重置密码。</source>
        <translation>This staff member is disabled. Enable the account first, then reset the password.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="172"/>
        <source>该员工已停用。请先启用账号，再设置 PIN。</source>
        <translation>This staff member is disabled. Enable the account first, then set the PIN.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="176"/>
        <source>只能为本店添加员工；其他门店请由集团管理员操作。</source>
        <translation>You can only add staff to your own store; for other stores ask a group administrator.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="177"/>
        <source>只能查看本店的员工；其他门店请由集团管理员查看。</source>
        <translation>You can only see your own store&apos;s staff; for other stores ask a group administrator.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="178"/>
        <source>只能修改本店的资料；其他门店请由集团管理员修改。</source>
        <translation>You can only change your own store&apos;s details; for other stores ask a group administrator.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="196"/>
        <source>车辆公开网址最多 {limit} 个字符。</source>
        <translation>The public car address can be at most {limit} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="197"/>
        <source>车辆公开网址应以 https:// 开头，例如 https://che.example.cn/bj01 ；也可以写成含 {{stock_no}} 的模板。</source>
        <translation>The public car address must start with https://, e.g. https://che.example.cn/bj01 ; it may also be a pattern containing {{stock_no}}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="216"/>
        <source>无法读取标志文件 {path}：{reason}</source>
        <translation>Cannot read the logo file {path}: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="221"/>
        <source>门店资料缺少{fields}{what}。{where}</source>
        <translation>The store profile is missing {fields}, so this cannot be printed. Ask the manager to fill it in under “Staff → Store profile”, then print again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="240"/>
        <source>所选人员不是本店在职的销售顾问。</source>
        <translation>The selected person is not an active sales consultant of this store.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="258"/>
        <source>请用 --name 填写门店名称。</source>
        <translation>Use --name to give the store name.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="262"/>
        <source>门店 {store_code} 不存在。</source>
        <translation>Store {store_code} does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="263"/>
        <source>门店不存在，请先完成首次设置。</source>
        <translation>The store does not exist. Please finish the first-time setup first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="278"/>
        <source>需要连接数据库：共享数据库暂时无法连接。定金、合同、试驾时段和活动名额必须立即确认，请在网络恢复后再试；到店登记、新建客户、试驾还车、回访记录和检测记录（项目、照片、估价）可以离线保存，恢复后自动同步。</source>
        <translation>The shared database cannot be reached right now. Deposits, contracts, test-drive slots and event places must be confirmed at once, so please try again when the network is back. Arrivals, new customers, test-drive returns, follow-up notes and inspection records (items, photos, valuations) can be saved offline and are synced automatically later.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="295"/>
        <source>数据库升级失败：{detail}</source>
        <translation>Upgrading the database failed: {detail}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="300"/>
        <location filename="../../ui/errors.py" line="324"/>
        <source>请填写{label}。</source>
        <translation>Please enter the {label}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="304"/>
        <source>{label}只能由汉字、英文字母和间隔号“·”组成，不能含有“{character}”。</source>
        <translation>The {label} may contain only Chinese characters, Latin letters and the middle dot “·”, not “{character}”.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="312"/>
        <source>{label}中的间隔号“·”只能写在两个字之间。</source>
        <translation>In the {label}, the middle dot “·” can only stand between two characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="316"/>
        <source>{label}最多 {limit} 个字（现在 {length} 个），请删减后再保存。</source>
        <translation>The {label} can be at most {limit} characters (it has {length}). Please shorten it and save again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="328"/>
        <source>{label}中有不能保存的控制字符（{character}），请删除后再保存。</source>
        <translation>The {label} contains a control character that cannot be saved ({character}). Please remove it and save again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="349"/>
        <source>该号码已有未处理的线索（{name}{where}），请在原线索上记录这次沟通。</source>
        <translation>This number already has an open lead ({name}{where}). Please record this contact on that lead.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="363"/>
        <source>两次输入的 PIN 不一致。</source>
        <translation>The two PINs do not match.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="364"/>
        <source>有多个门店（{codes}），请用 --store 指定。</source>
        <translation>There are several stores ({codes}); use --store to choose one.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="365"/>
        <source>还没有门店。请先用 showroom store add 编号 --name 名称 新建门店。</source>
        <translation>There is no store yet. Create one first with: showroom store add CODE --name NAME</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="370"/>
        <source>不支持这种数据库：{url}。请使用 PostgreSQL（postgresql+psycopg://…）或本机内置数据库（sqlite:///…）。</source>
        <translation>This kind of database is not supported: {url}. Use PostgreSQL (postgresql+psycopg://…) or the built-in local database (sqlite:///…).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="376"/>
        <source>车辆数不能为负数。</source>
        <translation>The number of cars cannot be negative.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="377"/>
        <source>数据库中已有车辆或客户数据。演示数据只能生成到空数据库中，以免与真实数据混在一起；请换一个新的数据库文件后再试。</source>
        <translation>The database already holds cars or customers. Demo data can only be generated into an empty database, so it never mixes with real data; please use a new database file.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="383"/>
        <source>未知的文件类型“{kind}”。可选：{choices}</source>
        <translation>Unknown document kind “{kind}”. Choose one of: {choices}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="385"/>
        <source>没有找到已存档的{kind_label} {number}。</source>
        <translation>No archived {kind_label} {number} was found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="386"/>
        <source>没有找到这份存档文件。</source>
        <translation>This archived document was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="390"/>
        <source>文件模板 {file} 缺少必要的项目（{detail}）。</source>
        <translation>The document template {file} lacks a required part ({detail}).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="391"/>
        <source>文件模板 {file} 格式有误，无法读取：{detail}</source>
        <translation>The document template {file} is malformed and cannot be read: {detail}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="393"/>
        <source>文件模板中的占位符写法有误：“{text}”。请用 {{名称}} 的形式。</source>
        <translation>A placeholder in the document template is written wrongly: “{text}”. Write it as {{name}}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="397"/>
        <source>这辆车已售出，不再打印车辆信息单。</source>
        <translation>This car is sold; its information sheet is no longer printed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="399"/>
        <source>车辆不存在或已删除。</source>
        <translation>The car does not exist or was deleted.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="400"/>
        <source>没有找到这辆车，可能已被删除。</source>
        <translation>This car was not found; it may have been deleted.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="401"/>
        <source>没有找到这辆车。</source>
        <translation>This car was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="402"/>
        <source>所选车辆不存在。</source>
        <translation>The selected car does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="403"/>
        <source>这辆车已不在库存中</source>
        <translation>This car is no longer in stock.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="405"/>
        <source>没有库存编号为 {stock_no} 的车辆。</source>
        <translation>There is no car with stock number {stock_no}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="407"/>
        <source>身份证号码中的出生日期不正确</source>
        <translation>The date of birth in the ID number is not valid.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="408"/>
        <source>身份证号码前 17 位应为数字，最后一位为数字或 X</source>
        <translation>The first 17 characters of an ID number are digits; the last is a digit or X.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="411"/>
        <source>身份证号码校验位不符，请检查是否输错</source>
        <translation>The ID number&apos;s check character does not match; please check for a typo.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="412"/>
        <source>身份证号码应为 18 位，当前为 {length} 位</source>
        <translation>An ID number has 18 characters; this one has {length}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="413"/>
        <source>身份证号码的地区码不正确</source>
        <translation>The region code of the ID number is not valid.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="414"/>
        <source>无法识别的准驾车型代号（如 C1、C2、A1）</source>
        <translation>Unknown licence class (e.g. C1, C2, A1).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="415"/>
        <source>手机号码格式不正确，应为 11 位中国大陆手机号码</source>
        <translation>The mobile number is not valid: it must be an 11-digit mainland China mobile number.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="416"/>
        <source>车牌号第二位应为发牌机关代号（字母，不含 I、O）</source>
        <translation>The second character of a plate is the issuing office letter (not I or O).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="419"/>
        <source>车牌号应为 7 位（新能源车牌 8 位）</source>
        <translation>A plate number has 7 characters (8 for new-energy plates).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="420"/>
        <source>车牌号第一位应为省、自治区、直辖市简称</source>
        <translation>The first character of a plate is the province abbreviation.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="421"/>
        <source>车牌号序号部分格式不正确</source>
        <translation>The serial part of the plate number is not valid.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="422"/>
        <source>车架号（VIN）只能由数字和英文字母组成</source>
        <translation>A VIN contains only digits and Latin letters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="423"/>
        <source>车架号（VIN）校验位不符，可能有输入错误，请核对</source>
        <translation>The VIN check digit does not match; it may be mistyped, please check.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="426"/>
        <source>车架号（VIN）中不能出现字母 I、O、Q</source>
        <translation>A VIN cannot contain the letters I, O or Q.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="427"/>
        <source>车架号（VIN）应为 17 位，当前为 {length} 位</source>
        <translation>A VIN has 17 characters; this one has {length}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="429"/>
        <source>首付金额有误：{detail}</source>
        <translation>The down payment is wrong: {detail}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="430"/>
        <source>首付金额须小于车价，否则无需贷款</source>
        <translation>The down payment must be less than the price; otherwise no loan is needed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="431"/>
        <source>首付比例格式不正确，请输入百分数，如 30</source>
        <translation>The down payment percentage is not valid; enter a percentage, e.g. 30.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="432"/>
        <source>首付比例须在 0% 到 100% 之间（不含 100%）</source>
        <translation>The down payment percentage must be from 0% up to (not including) 100%.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="433"/>
        <source>车价有误：{detail}</source>
        <translation>The car price is wrong: {detail}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="434"/>
        <source>年利率格式不正确，请输入百分数，如 4.5</source>
        <translation>The annual rate is not valid; enter a percentage, e.g. 4.5.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="435"/>
        <source>年利率不能为负数</source>
        <translation>The annual rate cannot be negative.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="436"/>
        <source>年利率最多保留四位小数</source>
        <translation>The annual rate can have at most four decimal places.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="437"/>
        <source>年利率不能超过 {maximum}%，请检查是否多输了一位</source>
        <translation>The annual rate cannot exceed {maximum}%; please check for an extra digit.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="440"/>
        <source>贷款期限请输入整月数，如 36</source>
        <translation>Enter the loan term as whole months, e.g. 36.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="441"/>
        <source>贷款期限须在 {minimum} 到 {maximum} 个月之间</source>
        <translation>The loan term must be between {minimum} and {maximum} months.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="444"/>
        <source>金额格式不正确，请输入数字，如 168000 或 16.8万</source>
        <translation>The amount is not valid; enter a number, e.g. 168000.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="445"/>
        <source>{label}：金额格式不正确，请输入数字，如 168000 或 16.8万</source>
        <translation>The {label} is not a valid amount; enter a number, e.g. 168000.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="448"/>
        <source>金额不能大于 {maximum}</source>
        <translation>The amount cannot be more than {maximum}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="449"/>
        <source>{label}：金额不能大于 {maximum}</source>
        <translation>The {label} cannot be more than {maximum}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="452"/>
        <source>金额最多保留两位小数（精确到分）</source>
        <translation>An amount can have at most two decimal places (fen).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="453"/>
        <source>{label}：金额最多保留两位小数（精确到分）</source>
        <translation>The {label} can have at most two decimal places (fen).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="456"/>
        <source>金额不能小于 {minimum}</source>
        <translation>The amount cannot be less than {minimum}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="457"/>
        <source>{label}：金额不能小于 {minimum}</source>
        <translation>The {label} cannot be less than {minimum}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="461"/>
        <source>这个文件不是可用的照片（文件损坏或格式不支持），请换一张。</source>
        <translation>This file is not a usable photo (damaged or an unsupported format); please choose another.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="462"/>
        <location filename="../../ui/errors.py" line="467"/>
        <location filename="../../ui/errors.py" line="474"/>
        <source>{name}：不是照片或 PDF 文件，或文件已损坏</source>
        <translation>{name}: not a photo or PDF file, or the file is damaged.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="463"/>
        <source>{name}：不是可识别的图片或文件已损坏</source>
        <translation>{name}: not a recognisable image, or the file is damaged.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="466"/>
        <source>照片文件是空的，请重新选择。</source>
        <translation>The photo file is empty; please choose it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="468"/>
        <source>{name}：照片文件是空的，请重新选择。</source>
        <translation>{name}: the photo file is empty; please choose it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="471"/>
        <source>照片文件超过 40 MB，请用相机的普通画质重新拍摄。</source>
        <translation>The photo file is larger than 40 MB; please take it again at the camera&apos;s normal quality.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="472"/>
        <source>照片像素过大（超过 1.2 亿像素），无法导入。</source>
        <translation>The photo has too many pixels (over 120 megapixels) and cannot be imported.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="473"/>
        <source>{name}：文件超过 30 MB</source>
        <translation>{name}: the file is larger than 30 MB.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="475"/>
        <source>{name}：照片文件超过 40 MB，请用相机的普通画质重新拍摄。</source>
        <translation>{name}: the photo file is larger than 40 MB; please take it again at the camera&apos;s normal quality.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="476"/>
        <source>{name}：照片像素过大（超过 1.2 亿像素），无法导入。</source>
        <translation>{name}: the photo has too many pixels (over 120 megapixels) and cannot be imported.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="479"/>
        <source>这辆车已售出或暂停展示，不能预约试驾，请看看其他在售车辆。</source>
        <translation>This car is sold or no longer shown, so it cannot be booked for a test drive. Please look at our other cars for sale.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="482"/>
        <source>没有找到这辆车，请看看其他在售车辆。</source>
        <translation>This car was not found. Please look at our other cars for sale.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="483"/>
        <source>这辆车已经售出，请看看其他在售车辆。</source>
        <translation>This car has been sold. Please look at our other cars for sale.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="485"/>
        <source>照片暂时无法显示</source>
        <translation>The photo cannot be shown right now.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="486"/>
        <source>报告页面暂时无法显示</source>
        <translation>The report page cannot be shown right now.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="487"/>
        <source>文件已丢失，请联系管理员重新上传</source>
        <translation>The file is missing; please ask the administrator to upload it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="489"/>
        <source>这辆车还没有第三方检测报告</source>
        <translation>This car has no third-party inspection report yet.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="491"/>
        <source>请至少选择 2 辆车进行对比</source>
        <translation>Please choose at least 2 cars to compare.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="492"/>
        <source>最多同时对比 4 辆车</source>
        <translation>At most 4 cars can be compared at once.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="493"/>
        <source>对比中的车辆已不存在，请移除后重试</source>
        <translation>A car in the comparison no longer exists; please remove it and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="495"/>
        <source>合同 {contract_no} 已经签订（可能是另一台电脑刚刚完成），请刷新。</source>
        <translation>Contract {contract_no} is already signed (perhaps just now on another PC); please refresh.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="499"/>
        <source>合同 {contract_no} 已经作废。</source>
        <translation>Contract {contract_no} is already void.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="500"/>
        <source>合同 {contract_no} 已作废，不能签订。</source>
        <translation>Contract {contract_no} is void and cannot be signed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="503"/>
        <source>只有已签订的合同才需要补充协议；草稿可以直接作废重拟。</source>
        <translation>Only a signed contract needs an amendment; a draft can simply be voided and drawn up again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="504"/>
        <source>原合同不是已签订状态，不能签补充协议。</source>
        <translation>The original contract is not signed, so no amendment can be signed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="506"/>
        <source>请填写买受人的身份证号码，合同和过户都需要。</source>
        <translation>Please enter the buyer&apos;s ID number; it is needed for the contract and the transfer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="509"/>
        <source>请写明变更的内容。</source>
        <translation>Please describe what changes.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="511"/>
        <source>没有这个手机号的客户，请先在前台登记。</source>
        <translation>No customer has this mobile number; please register them at reception first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="512"/>
        <location filename="../../ui/errors.py" line="590"/>
        <location filename="../../ui/errors.py" line="1122"/>
        <source>没有找到这位客户，请重新查找。</source>
        <translation>This customer was not found; please search again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="514"/>
        <source>交车日期不能早于今天。</source>
        <translation>The delivery date cannot be before today.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="515"/>
        <source>起草合同后客户又交了意向金，合同上没有抵扣，请作废此稿后重新起草。</source>
        <translation>The customer paid a deposit after this contract was drafted and it is not deducted; please void this draft and draw it up again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="519"/>
        <source>意向金 {receipt_no} 已{status_label}，不能再据此起草合同。</source>
        <translation>Deposit {receipt_no} is already {status_label}; no contract can be drawn up from it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="520"/>
        <source>所选意向金已不再有效（可能已退还或过期），请刷新后重试。</source>
        <translation>The selected deposit is no longer valid (it may have been refunded or expired); please refresh and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="521"/>
        <source>意向金已不再有效。</source>
        <translation>The deposit is no longer valid.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="523"/>
        <source>请选择过户费用由哪一方承担。</source>
        <translation>Please choose which party pays the transfer fees.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="524"/>
        <location filename="../../ui/errors.py" line="1186"/>
        <source>车钥匙数量应在 1 到 9 把之间。</source>
        <translation>The number of car keys must be between 1 and 9.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="525"/>
        <source>没有找到这份合同。</source>
        <translation>This contract was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="526"/>
        <source>签署的文件与这份合同不对应，请关闭后重新打开。</source>
        <translation>The signed papers do not belong to this contract; please close and open it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="529"/>
        <source>请输入买受人的手机号。</source>
        <translation>Please enter the buyer&apos;s mobile number.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="531"/>
        <source>成交价 {price} 低于已收意向金 {deposit}，请核对。</source>
        <translation>The price {price} is lower than the deposit already received {deposit}; please check.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="532"/>
        <source>成交价 {new_price} 低于已收意向金 {paid}，请核对。</source>
        <translation>The price {new_price} is lower than the deposit already received {paid}; please check.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="534"/>
        <source>请填写成交价。</source>
        <translation>Please enter the agreed price.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="535"/>
        <source>付款计划合计 {total}，与应付余款 {balance} 不一致。</source>
        <translation>The payment plan adds up to {total}, which differs from the balance due {balance}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="538"/>
        <source>合同 {contract_no} 已签订并锁定，不能作废；如需变更请签订补充协议。</source>
        <translation>Contract {contract_no} is signed and locked and cannot be voided; for changes, sign an amendment.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="541"/>
        <source>车辆 {stock_no} 正在试驾中，请还车后再签约。</source>
        <translation>Car {stock_no} is out on a test drive; please sign after it is returned.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="544"/>
        <location filename="../../ui/errors.py" line="606"/>
        <source>车辆 {stock_no} 还在整备中，尚未上架销售。</source>
        <translation>Car {stock_no} is still being prepared and is not on sale yet.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="547"/>
        <source>这辆车已由客户 {customer_name} 交付意向金预订（销售顾问：{consultant_name}），不能与其他客户签约。</source>
        <translation>This car is reserved with a deposit by customer {customer_name} (consultant: {consultant_name}); no contract can be signed with another customer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="553"/>
        <source>车辆 {stock_no} 已经售出，不能再签订买卖合同。</source>
        <translation>Car {stock_no} is already sold; no other sales contract can be signed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="554"/>
        <source>车辆 {stock_no} 已经售出（另一台电脑刚刚签约），不能再签订买卖合同。</source>
        <translation>Car {stock_no} is already sold (another PC has just signed a contract); no other sales contract can be signed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="557"/>
        <source>车辆 {stock_no} 刚被另一台电脑签约售出，本合同未签订。</source>
        <translation>Car {stock_no} was just sold on another PC; this contract was not signed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="559"/>
        <source>只有销售顾问或店长可以作废合同。</source>
        <translation>Only a sales consultant or a manager can void a contract.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="560"/>
        <source>请填写作废原因。</source>
        <translation>Please give the reason for voiding.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="561"/>
        <source>没有找到这笔意向金。</source>
        <translation>This deposit was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="563"/>
        <source>还有文件没有签名，请重新签署。</source>
        <translation>Some papers are not signed yet; please sign again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="564"/>
        <source>{who}尚未签名。</source>
        <translation>A signature is still missing.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="569"/>
        <source>{what}不是有效金额。</source>
        <translation>The budget is not a valid amount.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="570"/>
        <source>{what}最多精确到分。</source>
        <translation>The budget can be precise to the fen at most.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="573"/>
        <source>该手机号已登记，不能重复建档。</source>
        <translation>This mobile number is already registered; a second customer file cannot be created.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="574"/>
        <source>该手机号已登记为 {name}（{phone}），不能重复建档。可直接使用已有客户。</source>
        <translation>This mobile number is already registered to {name} ({phone}); a second customer file cannot be created. You can use the existing customer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="578"/>
        <source>只有销售顾问和店长可以调整意向等级。</source>
        <translation>Only sales consultants and managers can change the interest grade.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="579"/>
        <source>只能调整自己负责的客户的意向等级。</source>
        <translation>You can only change the interest grade of your own customers.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="580"/>
        <source>这个标签不存在。</source>
        <translation>This tag does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="582"/>
        <source>请输入意向金金额。</source>
        <translation>Please enter the deposit amount.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="583"/>
        <source>意向金金额必须大于零。</source>
        <translation>The deposit amount must be more than zero.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="584"/>
        <source>意向金 {amount} 不能超过车辆标价 {price}。</source>
        <translation>The deposit {amount} cannot exceed the car&apos;s list price {price}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="587"/>
        <source>意向金金额 {amount} 超过上限 {maximum}，请检查是否多输了零。</source>
        <translation>The deposit amount {amount} is above the limit {maximum}; please check for an extra zero.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="591"/>
        <source>意向金尚未到期，按约定只能由店长决定没收。</source>
        <translation>The deposit has not expired yet; as agreed, only a manager can decide to keep it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="594"/>
        <source>请选择付款方式。</source>
        <translation>Please choose the payment method.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="595"/>
        <source>请填写{what}的原因。</source>
        <translation>Please give the reason.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="596"/>
        <source>收据与这笔意向金不对应，请重新打开。</source>
        <translation>The receipt does not belong to this deposit; please open it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="597"/>
        <location filename="../../ui/errors.py" line="1187"/>
        <source>{method_label}付款请填写交易单号或流水号，便于对账。</source>
        <translation>For a {method_label} payment, please enter the transaction or reference number for reconciliation.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="600"/>
        <source>交易单号最多 60 个字符。</source>
        <translation>The transaction number can be at most 60 characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="601"/>
        <source>只有店长可以退还意向金。</source>
        <translation>Only a manager can refund a deposit.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="602"/>
        <source>意向金有效期应在 1 到 90 天之间。</source>
        <translation>A deposit must be valid for 1 to 90 days.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="603"/>
        <source>车辆 {stock_no} 正在试驾中，请还车后再收取意向金。</source>
        <translation>Car {stock_no} is out on a test drive; please take the deposit after it is returned.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="610"/>
        <source>这辆车已由客户 {customer} 交付意向金预订（销售顾问：{consultant}，收据号 {receipt_no}），不能再收取意向金。</source>
        <translation>This car is already reserved with a deposit by customer {customer} (consultant: {consultant}, receipt {receipt_no}); no further deposit can be taken.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="615"/>
        <source>这辆车已被预订，不能再收取意向金。</source>
        <translation>This car is already reserved; no further deposit can be taken.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="616"/>
        <source>这辆车刚被另一台电脑收取了意向金，请刷新后查看。</source>
        <translation>Another PC has just taken a deposit for this car; please refresh to see it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="618"/>
        <source>车辆 {stock_no} 已售出，不能收取意向金。</source>
        <translation>Car {stock_no} is sold; no deposit can be taken.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="619"/>
        <source>这笔意向金当前状态为“{status_label}”，不能{doing}。</source>
        <translation>This deposit is now “{status_label}”, so this cannot be done.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="623"/>
        <source>这条回访已经处理过了，请刷新列表。</source>
        <translation>This follow-up has already been handled; please refresh the list.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="624"/>
        <source>只有销售顾问和店长可以处理回访。</source>
        <translation>Only sales consultants and managers can handle follow-ups.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="625"/>
        <source>回访日期不能早于今天。</source>
        <translation>The follow-up date cannot be before today.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="626"/>
        <source>下次回访日期必须晚于今天。</source>
        <translation>The next follow-up date must be after today.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="627"/>
        <source>这条回访不存在。</source>
        <translation>This follow-up does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="628"/>
        <source>这条回访不是你负责的客户。</source>
        <translation>This follow-up is not for one of your customers.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="629"/>
        <source>请填写回访结果。</source>
        <translation>Please enter the result of the follow-up.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="630"/>
        <source>回访结果最多 {limit} 个字。</source>
        <translation>The follow-up result can be at most {limit} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="631"/>
        <source>客户当前为 {old} 级，无需降为 {new} 级。</source>
        <translation>The customer is grade {old} already; no need to lower it to {new}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="632"/>
        <source>到店记录不存在。</source>
        <translation>This visit record does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="635"/>
        <source>报名码 {booking} 不存在，请核对后重试。</source>
        <translation>Registration code {booking} does not exist; please check it and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="636"/>
        <source>预约码 {booking} 不存在，请核对后重试。</source>
        <translation>Booking code {booking} does not exist; please check it and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="639"/>
        <source>没有识别出报名码（应为 8 位字母或数字），请重新扫描或手动输入。</source>
        <translation>The registration code was not recognised (it has 8 letters or digits); please scan again or type it in.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="642"/>
        <source>没有识别出预约码（应为 8 位字母或数字），请重新扫描或手动输入。</source>
        <translation>The booking code was not recognised (it has 8 letters or digits); please scan again or type it in.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="645"/>
        <source>没有识别出二维码，请再扫一次。</source>
        <translation>The QR code was not recognised; please scan again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="647"/>
        <source>检测工位应在 1 到 20 之间。</source>
        <translation>The number of inspection bays must be between 1 and 20.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="648"/>
        <source>这场检测日已取消，不能再修改。</source>
        <translation>This inspection day is cancelled and can no longer be changed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="649"/>
        <source>这场检测日刚被其他人修改过，请刷新后再改。</source>
        <translation>This inspection day was just changed by someone else; please refresh and change it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="652"/>
        <source>结束时间应晚于开始时间。</source>
        <translation>The end time must be after the start time.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="653"/>
        <source>这场检测日已有客户签到或正在检测，不能取消；请改为结束后不再接待。</source>
        <translation>Customers have already checked in or are being inspected on this day, so it cannot be cancelled; instead stop taking new arrivals after it ends.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="656"/>
        <source>只有店长可以修改或取消检测日。</source>
        <translation>Only a manager can change or cancel an inspection day.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="657"/>
        <source>没有找到这场检测日。</source>
        <translation>This inspection day was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="658"/>
        <source>这场检测日已经结束，不能再修改。</source>
        <translation>This inspection day is over and can no longer be changed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="660"/>
        <source>检测日不能设在已经过去的时间。</source>
        <translation>An inspection day cannot be set in the past.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="661"/>
        <source>检测日不能改到已经过去的时间。</source>
        <translation>An inspection day cannot be moved into the past.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="663"/>
        <source>按月重复最多 {months} 个月。</source>
        <translation>A monthly repeat can cover at most {months} months.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="664"/>
        <source>已有 {given} 位客户占用名额，名额不能少于 {given}。如需减少，请先取消部分报名。</source>
        <translation>{given} customers already hold places, so there cannot be fewer than {given} places. To reduce them, cancel some registrations first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="667"/>
        <source>名额应在 1 到 500 之间。</source>
        <translation>The number of places must be between 1 and 500.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="668"/>
        <source>请填写检测日名称。</source>
        <translation>Please enter a name for the inspection day.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="669"/>
        <source>检测日名称最多 100 个字。</source>
        <translation>The inspection day name can be at most 100 characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="670"/>
        <source>请先勾选同意门店使用手机号办理本次检测日报名（用于签到和名额通知）。</source>
        <translation>Please first tick that the store may use the mobile number for this inspection-day registration (for check-in and place notices).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="673"/>
        <source>车牌 {plate} 已报名本场检测日（报名码 {booking}），同一辆车每场只能报名一次。</source>
        <translation>Plate {plate} is already registered for this inspection day (code {booking}); each car can register once per day.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="676"/>
        <source>这场检测日已停止报名。</source>
        <translation>Registration for this inspection day is closed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="677"/>
        <source>这场检测日已经结束，不能再报名，请选择以后的检测日。</source>
        <translation>This inspection day is over and takes no more registrations; please choose a later one.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="680"/>
        <source>里程不对，请填写表显公里数。</source>
        <translation>The mileage looks wrong; please enter the odometer reading in km.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="681"/>
        <source>报名 {booking_code} 当前状态为“{status_label}”，不能取消。</source>
        <translation>Registration {booking_code} is “{status_label}” and cannot be cancelled.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="684"/>
        <source>没有找到这条报名。</source>
        <translation>This registration was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="686"/>
        <source>报名 {booking} 仍在候补第 {waitlist_position} 位，尚未获得检测名额；如现场有空余，请先取消他人报名或等候通知。</source>
        <translation>Registration {booking} is still number {waitlist_position} on the waiting list and has no inspection place yet; if places are free on site, cancel another registration first or wait for a notice.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="691"/>
        <source>报名 {booking} 仍在候补，尚未获得检测名额，请等候门店通知。</source>
        <translation>Registration {booking} is still on the waiting list and has no inspection place yet; please wait for the store&apos;s notice.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="693"/>
        <source>年份不对，请填写车辆的出厂年份。</source>
        <translation>The year looks wrong; please enter the car&apos;s year of manufacture.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="695"/>
        <source>请填写更正原因。</source>
        <translation>Please give the reason for the correction.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="696"/>
        <source>判定为事故、泡水或火烧车时，必须填写判定依据（部位和痕迹），并建议附照片。</source>
        <translation>When a car is judged to have accident, flood or fire damage, the evidence (location and traces) must be given; photos are recommended.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="700"/>
        <source>检测报告 {report_no} 已定稿锁定，如需更正请点“更正（新版本）”。</source>
        <translation>Inspection report {report_no} is final and locked; to correct it, click “Correct (new version)”.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="703"/>
        <source>检测记录 {no} 已定稿，离线修改未应用。如需更改请在最新版本上“更正（新版本）”。</source>
        <translation>Inspection record {no} was finalised, so the offline changes were not applied. To change it, use “Correct (new version)” on the latest version.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="708"/>
        <source>没有找到这个检测项目。</source>
        <translation>This inspection item was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="710"/>
        <source>检测项目编号不能重复，名称不能为空。</source>
        <translation>Inspection item numbers must be unique and names cannot be empty.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="711"/>
        <source>每个检测部分至少要有一个检测项目。</source>
        <translation>Each inspection section needs at least one item.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="714"/>
        <source>草稿可以直接修改，不需要更正。</source>
        <translation>A draft can be edited directly; no correction is needed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="715"/>
        <source>检测记录定稿后才能出具检测报告。</source>
        <translation>An inspection report can only be issued after the record is finalised.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="717"/>
        <location filename="../../ui/errors.py" line="1167"/>
        <source>没有找到这份检测记录。</source>
        <translation>This inspection record was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="718"/>
        <source>这份报告已有更新的版本，请在最新版本上更正。</source>
        <translation>This report has a newer version; please correct the latest version.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="721"/>
        <source>还有必检项目没有检查：{names}{more}。请逐项选择“正常”或“缺陷”后再定稿。</source>
        <translation>Some required items are not checked yet: {names}{more}. Mark each one “OK” or “Defect” before finalising.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="724"/>
        <source>缺陷程度应为轻微、一般或严重。</source>
        <translation>The defect severity must be minor, moderate or severe.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="725"/>
        <source>没有找到库存编号为 {stock_no} 的车辆。</source>
        <translation>No car with stock number {stock_no} was found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="728"/>
        <source>估价不能为负数。</source>
        <translation>A valuation cannot be negative.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="729"/>
        <source>估价区间的下限不能高于上限。</source>
        <translation>The lower end of the valuation range cannot be above the upper end.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="730"/>
        <source>各部分分值不能为负，且合计必须为 100 分。</source>
        <translation>Section weights cannot be negative and must add up to 100.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="734"/>
        <source>没有找到这张照片。</source>
        <translation>This photo was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="735"/>
        <source>这张照片已被删除</source>
        <translation>This photo has been deleted.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="736"/>
        <source>有照片已被删除，请刷新后再选</source>
        <translation>Some photos have been deleted; please refresh and select again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="739"/>
        <source>每份检测最多 {limit} 张照片。</source>
        <translation>An inspection can have at most {limit} photos.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="740"/>
        <source>每辆车最多 {limit} 张照片，现有 {count} 张</source>
        <translation>A car can have at most {limit} photos; it has {count}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="743"/>
        <source>你的岗位不能记录客户沟通。</source>
        <translation>Your role cannot record customer contacts.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="744"/>
        <source>请选择一位客户或一条线索。</source>
        <translation>Please choose a customer or a lead.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="745"/>
        <source>这条线索不存在。</source>
        <translation>This lead does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="747"/>
        <source>这辆车已售出或暂停展示，请看看其他车辆</source>
        <translation>This car is sold or no longer shown; please look at the other cars.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="749"/>
        <source>你的岗位不能处理线索。</source>
        <translation>Your role cannot handle leads.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="750"/>
        <source>响应时限应在 1 到 336 小时之间。</source>
        <translation>The response time limit must be between 1 and 336 hours.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="752"/>
        <source>这次合并已经撤销过了。</source>
        <translation>This merge has already been undone.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="753"/>
        <source>被合并的客户记录已被改动，不能自动撤销。</source>
        <translation>The merged customer record has changed since, so it cannot be undone automatically.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="754"/>
        <source>审计记录 {audit_seq} 不是一次客户合并。</source>
        <translation>Audit entry {audit_seq} is not a customer merge.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="755"/>
        <source>只有店长可以合并或撤销合并客户。</source>
        <translation>Only a manager can merge customers or undo a merge.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="756"/>
        <source>被合并客户的手机号已被其他客户使用，不能自动撤销。</source>
        <translation>The merged customer&apos;s mobile number is now used by another customer, so the merge cannot be undone automatically.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="759"/>
        <source>请选择两位不同的客户。</source>
        <translation>Please choose two different customers.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="761"/>
        <source>个人信息的撤回、导出和删除请求只能由店长办理。</source>
        <translation>Requests to withdraw, export or erase personal data can only be handled by a manager.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="764"/>
        <source>该客户没有同意接收营销信息，无需撤回；本店本就不得向其推销。</source>
        <translation>This customer never agreed to marketing messages, so there is nothing to withdraw; the store may not market to them anyway.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="767"/>
        <source>该客户还有未办结的业务：{items}。请先办结或取消，再删除个人信息。</source>
        <translation>This customer still has unfinished business: {items}. Finish or cancel it before erasing the personal data.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="770"/>
        <source>删除依据最多 {limit} 个字。</source>
        <translation>The legal basis for erasure can be at most {limit} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="771"/>
        <source>请填写删除依据（例如客户申请的日期或编号），不要填写个人信息。</source>
        <translation>Please enter the basis for erasure (e.g. the date or number of the customer&apos;s request); do not enter personal data.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="774"/>
        <source>保留年数应在 1 到 100 之间。</source>
        <translation>Retention must be between 1 and 100 years.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="777"/>
        <source>预约 {booking} 已取消，请重新预约。</source>
        <translation>Booking {booking} was cancelled; please book again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="778"/>
        <source>报名 {booking} 已取消，请重新报名。</source>
        <translation>Registration {booking} was cancelled; please register again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="781"/>
        <source>预约 {booking} 已过期（预约时间已过），请重新预约。</source>
        <translation>Booking {booking} has expired (its time has passed); please book again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="782"/>
        <source>报名 {booking} 对应的检测日已结束。</source>
        <translation>The inspection day of registration {booking} is over.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="785"/>
        <source>预约 {booking} 的试驾时间是 {day}，请在当天到店后签到。</source>
        <translation>Booking {booking} is for a test drive at {day}; please check in on that day.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="786"/>
        <source>报名 {booking} 的检测日是 {event_date}，请在当天到店后签到。</source>
        <translation>Registration {booking} is for the inspection day on {event_date}; please check in on that day.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="788"/>
        <source>请先向客户说明个人信息的使用目的，并勾选“客户已同意”。未同意不能建档。</source>
        <translation>Please explain to the customer what their personal data is used for and tick “Customer agreed”. Without consent no customer file can be created.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="791"/>
        <source>请填写客户的姓氏或姓名。</source>
        <translation>Please enter the customer&apos;s surname or full name.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="792"/>
        <source>该客户没有登记身份证号。</source>
        <translation>This customer has no ID number on file.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="793"/>
        <source>请先输入手机号找到客户，或新建客户。</source>
        <translation>Please first find the customer by mobile number, or create a new customer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="795"/>
        <source>不能这样改变接待状态。</source>
        <translation>The reception status cannot be changed this way.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="796"/>
        <source>该客户的状态已被其他电脑更新，请刷新后再试。</source>
        <translation>This customer&apos;s status was just updated on another PC; please refresh and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="799"/>
        <source>客户已离店，不能再改派顾问。</source>
        <translation>The customer has left; the consultant can no longer be changed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="800"/>
        <source>该客户已经登记离店。</source>
        <translation>This customer has already been checked out.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="802"/>
        <source>请先为该客户指定接待顾问。</source>
        <translation>Please assign a consultant to this customer first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="803"/>
        <source>到店人数应在 1 到 20 之间。</source>
        <translation>The party size must be between 1 and 20.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="805"/>
        <source>结束日期不能早于开始日期。</source>
        <translation>The end date cannot be before the start date.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="806"/>
        <source>时间范围最长两年，请缩短后再试。</source>
        <translation>The period can be at most two years; please shorten it and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="808"/>
        <source>只能修改 {first} 到 {last} 之间的排班。</source>
        <translation>Rosters can only be changed from {first} to {last}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="811"/>
        <source>每周排班为 7 位，周一到周日，1 表示上班、0 表示休息，例如 1111100。</source>
        <translation>A weekly pattern has 7 digits, Monday to Sunday: 1 for working, 0 for off, e.g. 1111100.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="815"/>
        <source>这个预约码现在无法签到。请核对后重试，或到前台由工作人员为您办理。</source>
        <translation>This booking code cannot be used to check in right now. Please check it and try again, or ask our staff at the front desk.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="818"/>
        <source>自助机尚未设置门店，请联系工作人员。</source>
        <translation>This kiosk has no store set up yet; please ask a member of staff.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="819"/>
        <source>请稍候 {seconds} 秒后再签到。</source>
        <translation>Please wait {seconds} seconds before checking in again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="820"/>
        <source>这位客户已由其他同事接待或处理。</source>
        <translation>This customer is already being looked after by a colleague.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="821"/>
        <source>这条自助签到已不存在。</source>
        <translation>This kiosk check-in no longer exists.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="823"/>
        <source>没有用户名为“{username_text}”的员工。</source>
        <translation>There is no staff member with the user name “{username_text}”.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="824"/>
        <source>停用原因最多 100 个字。</source>
        <translation>The reason for disabling can be at most 100 characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="825"/>
        <source>请指定门店。</source>
        <translation>Please choose a store.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="827"/>
        <source>没有这个设置步骤。</source>
        <translation>There is no such setup step.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="830"/>
        <source>准驾车型 {classes} 不能驾驶这辆手动挡小型汽车。</source>
        <translation>Licence class {classes} does not allow driving this manual small passenger car.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="831"/>
        <source>准驾车型 {classes} 不能驾驶这辆自动挡小型汽车。</source>
        <translation>Licence class {classes} does not allow driving this automatic small passenger car.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="832"/>
        <source>准驾车型 {classes} 不能驾驶这辆手动挡小型汽车（C2 只准驾驶自动挡，这辆车是手动挡）。</source>
        <translation>Licence class {classes} does not allow driving this manual small passenger car (C2 is for automatics only; this car is manual).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="837"/>
        <source>驾驶证已于 {valid_until} 过期，不能试驾。</source>
        <translation>The driving licence expired on {valid_until}; no test drive is possible.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="838"/>
        <source>驾驶证号有误：身份证号码中的出生日期不正确</source>
        <translation>The licence number is wrong: the date of birth in it is not valid.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="841"/>
        <source>驾驶证号有误：身份证号码前 17 位应为数字，最后一位为数字或 X</source>
        <translation>The licence number is wrong: the first 17 characters are digits and the last is a digit or X.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="844"/>
        <source>驾驶证号有误：身份证号码校验位不符，请检查是否输错</source>
        <translation>The licence number is wrong: its check character does not match; please check for a typo.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="847"/>
        <source>驾驶证号有误：身份证号码应为 18 位，当前为 {length} 位</source>
        <translation>The licence number is wrong: it must have 18 characters; this one has {length}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="850"/>
        <source>驾驶证号有误：身份证号码的地区码不正确</source>
        <translation>The licence number is wrong: the region code is not valid.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="853"/>
        <source>驾驶证上的姓名“{name}”与客户档案中的姓名“{record_name}”不一致。请核对证件，必要时先更正客户姓名。</source>
        <translation>The name on the driving licence “{name}” differs from the name on the customer file “{record_name}”. Please check the licence and correct the customer&apos;s name first if needed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="858"/>
        <source>请填写驾驶证有效期截止日期。</source>
        <translation>Please enter the date the driving licence is valid until.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="859"/>
        <source>{who}的签名过于简单，请用正楷或常用签名重新书写。</source>
        <translation>The signature is too simple; please sign again clearly or with your usual signature.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="862"/>
        <source>协议与这个试驾预约不对应，请重新打开协议。</source>
        <translation>The agreement does not belong to this test-drive booking; please open the agreement again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="865"/>
        <source>试驾协议尚未签署，不能出车。</source>
        <translation>The test-drive agreement is not signed yet; the car cannot go out.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="866"/>
        <source>这份试驾协议已经签署过了；如需再打印请用“重印”。</source>
        <translation>This test-drive agreement is already signed; to print it again use “Reprint”.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="869"/>
        <source>请先勾选同意门店使用您的手机号办理本次预约。</source>
        <translation>Please first tick that the store may use your mobile number for this booking.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="872"/>
        <source>油量（电量）应在 0% 到 100% 之间。</source>
        <translation>The fuel (charge) level must be between 0% and 100%.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="874"/>
        <source>请先核验驾驶证，再签署试驾协议。</source>
        <translation>Please check the driving licence before signing the test-drive agreement.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="875"/>
        <source>驾驶证尚未核验，不能出车。</source>
        <translation>The driving licence has not been checked; the car cannot go out.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="877"/>
        <source>预约时间还没到，不能标记为未到店。</source>
        <translation>The booked time has not come yet; it cannot be marked as a no-show.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="879"/>
        <source>没有找到这个试驾预约。</source>
        <translation>This test-drive booking was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="880"/>
        <source>没有找到预约码为 {booking} 的试驾。</source>
        <translation>No test drive with booking code {booking} was found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="882"/>
        <source>还车里程 {odometer_km} km 小于出车里程 {out_km} km，请核对里程表。</source>
        <translation>The return odometer {odometer_km} km is below the departure odometer {out_km} km; please check the odometer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="885"/>
        <source>里程表读数不能为负数。</source>
        <translation>The odometer reading cannot be negative.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="886"/>
        <source>所选时段不在营业时间内（{opens}–{closes}）。</source>
        <translation>The selected slot is outside opening hours ({opens}–{closes}).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="889"/>
        <source>所选时段已经过去，请选择以后的时段。</source>
        <translation>The selected slot is in the past; please choose a later one.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="890"/>
        <source>这辆车在 {start} 的时段已被预约，请换一个时段或换一辆车。</source>
        <translation>This car is already booked at {start}; please choose another time or another car.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="894"/>
        <source>没有找到这个库存编号的在售车辆，请核对车窗上的编号。</source>
        <translation>No car for sale has this stock number; please check the number on the car window.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="895"/>
        <source>没有找到这个编号的在售车辆，请核对车窗展示单上的库存编号。</source>
        <translation>No car for sale has this number; please check the stock number on the window sheet.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="897"/>
        <source>请填写您的姓氏。</source>
        <translation>Please enter your surname.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="899"/>
        <source>这辆车正在别的试驾中，还没有还车。</source>
        <translation>This car is out on another test drive and has not been returned yet.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="900"/>
        <source>这辆车刚被另一台电脑登记出车，请刷新后再试。</source>
        <translation>Another PC has just checked this car out; please refresh and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="903"/>
        <source>{brand} {model} 目前不可试驾（{why}）。</source>
        <translation>{brand} {model} is not available for test drives right now.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="904"/>
        <source>这辆车{state}，不能出车。</source>
        <translation>This car is not available and cannot go out.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="906"/>
        <source>这个试驾当前状态为“{status_label}”，不能进行此操作。</source>
        <translation>This test drive is now “{status_label}”; this cannot be done.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="910"/>
        <location filename="../../ui/errors.py" line="933"/>
        <source>{name}：文件不存在</source>
        <translation>{name}: the file does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="911"/>
        <source>{name}：文件超过 {megabytes} MB</source>
        <translation>{name}: the file is larger than {megabytes} MB.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="912"/>
        <location filename="../../ui/errors.py" line="937"/>
        <source>{name}：文件无法读取</source>
        <translation>{name}: the file cannot be read.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="913"/>
        <location filename="../../ui/errors.py" line="916"/>
        <location filename="../../ui/errors.py" line="919"/>
        <location filename="../../ui/errors.py" line="922"/>
        <source>请填写{label}</source>
        <translation>Please enter the {label}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="914"/>
        <location filename="../../ui/errors.py" line="917"/>
        <location filename="../../ui/errors.py" line="918"/>
        <location filename="../../ui/errors.py" line="920"/>
        <location filename="../../ui/errors.py" line="921"/>
        <location filename="../../ui/errors.py" line="923"/>
        <location filename="../../ui/errors.py" line="931"/>
        <location filename="../../ui/errors.py" line="959"/>
        <location filename="../../ui/errors.py" line="961"/>
        <location filename="../../ui/errors.py" line="968"/>
        <source>{label}最多 {limit} 个字</source>
        <translation>The {label} can be at most {limit} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="915"/>
        <location filename="../../ui/errors.py" line="930"/>
        <source>这条记录已被删除，请刷新</source>
        <translation>This record has been deleted; please refresh.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="924"/>
        <source>这条记录的里程 {mileage_text} 公里高于当前表显里程 {odometer_text} 公里，请核对（如属实，可能是调表车）。</source>
        <translation>The mileage of this record, {mileage_text} km, is above the current odometer {odometer_text} km; please check (if true, the odometer may have been wound back).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="929"/>
        <source>里程应在 0 到 {limit} 公里之间</source>
        <translation>The mileage must be between 0 and {limit} km.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="932"/>
        <source>照片刚被其他人修改过，请刷新后再排序</source>
        <translation>The photos were just changed by someone else; please refresh and sort again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="934"/>
        <source>证件照片不对客户展示，不能作为封面，请选一张车辆照片。</source>
        <translation>ID photos are never shown to customers and cannot be the cover; please choose a photo of the car.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="939"/>
        <location filename="../../ui/errors.py" line="963"/>
        <location filename="../../ui/errors.py" line="986"/>
        <location filename="../../ui/errors.py" line="994"/>
        <source>{label}必须大于零</source>
        <translation>The {label} must be more than zero.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="940"/>
        <location filename="../../ui/errors.py" line="964"/>
        <location filename="../../ui/errors.py" line="987"/>
        <location filename="../../ui/errors.py" line="995"/>
        <source>{label}超出范围，请检查是否多输了位数</source>
        <translation>The {label} is out of range; please check for extra digits.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="942"/>
        <source>第 {row} 行没有填写项目名称</source>
        <translation>Line {row} has no item name.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="943"/>
        <source>第 {row} 行的项目名称最多 60 个字</source>
        <translation>The item name on line {row} can be at most 60 characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="944"/>
        <source>公开的价格构成合计 ¥{public_total}，与售价 ¥{list_price} 相差 ¥{difference}，请调整后再保存。</source>
        <translation>The public price lines add up to ¥{public_total}, which is ¥{difference} off the price ¥{list_price}; please adjust and save again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="949"/>
        <source>价格构成最多 {limit} 行</source>
        <translation>At most {limit} price lines.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="950"/>
        <source>{name}：不是可用的 PDF 文件（文件损坏或格式不对）</source>
        <translation>{name}: not a usable PDF file (damaged or the wrong format).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="953"/>
        <source>{name}：PDF 没有页面</source>
        <translation>{name}: the PDF has no pages.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="954"/>
        <source>{name}：PDF 有密码保护，请导出不加密的版本</source>
        <translation>{name}: the PDF is password-protected; please export a version without encryption.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="955"/>
        <source>{name}：第三方检测报告需要 PDF 文件</source>
        <translation>{name}: a third-party inspection report must be a PDF file.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="956"/>
        <source>{name}：共 {pages} 页，超过 {limit} 页，请只附检测报告本身</source>
        <translation>{name}: {pages} pages, more than {limit}; please attach only the inspection report itself.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="960"/>
        <source>这辆车的资料刚被其他人修改过，请刷新后再改</source>
        <translation>This car&apos;s details were just changed by someone else; please refresh and change them again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="966"/>
        <source>{label}不能晚于今天</source>
        <translation>The {label} cannot be later than today.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="967"/>
        <source>{label}不对，请检查年份</source>
        <translation>The {label} looks wrong; please check the year.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="970"/>
        <source>这辆车{status_label}，{held}不能修改（意向金收据或合同上已写明）。</source>
        <translation>This car is {status_label}; these details cannot be changed (they are on the deposit receipt or contract).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="973"/>
        <source>这辆车{status_label}，售价和公开的价格构成不能修改（意向金收据或合同上已写明）；内部成本仍可修改。</source>
        <translation>This car is {status_label}; the price and the public price lines cannot be changed (they are on the deposit receipt or contract); internal costs can still be changed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="979"/>
        <source>这辆车{status_label}，事故/泡水/火烧记录已写入车况确认，不能修改。</source>
        <translation>This car is {status_label}; its accident/flood/fire record is part of the condition statement and cannot be changed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="982"/>
        <source>表显里程应在 0 到 {limit} 公里之间，请检查是否多输了位数</source>
        <translation>The odometer reading must be between 0 and {limit} km; please check for extra digits.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="990"/>
        <source>价格必须大于零</source>
        <translation>The price must be more than zero.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="991"/>
        <source>价格最多精确到分</source>
        <translation>A price can be precise to the fen at most.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="992"/>
        <source>价格超出范围，请检查是否多输了位数</source>
        <translation>The price is out of range; please check for extra digits.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="993"/>
        <source>请输入有效的价格（元），例如 128000</source>
        <translation>Please enter a valid price in yuan, e.g. 128000.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="997"/>
        <source>公开的价格构成合计 ¥{total_text}，与新售价 ¥{list_price} 不一致，请在“价格构成”中一起修改。</source>
        <translation>The public price lines add up to ¥{total_text}, which differs from the new price ¥{list_price}; please change them together under “Price lines”.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1002"/>
        <source>这辆车还没有定价，请店长先在“价格构成”中填写售价再上架。</source>
        <translation>This car has no price yet; a manager must first enter the price under “Price lines” before it goes on sale.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1005"/>
        <source>座位数应在 1 到 60 之间</source>
        <translation>The number of seats must be between 1 and 60.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1006"/>
        <source>“已预订”“试驾中”“已售”随意向金、试驾出车还车和签约合同改变，请在“定金与合同”或“试驾”页面办理。</source>
        <translation>“Reserved”, “On test drive” and “Sold” follow deposits, test drives and contracts; please use the “Deposits &amp; contracts” or “Test drives” page.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1011"/>
        <source>车辆状态不能从“{old_label}”直接改为“{new_label}”</source>
        <translation>The car status cannot change directly from “{old_label}” to “{new_label}”.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1014"/>
        <source>过户次数应在 0 到 50 之间</source>
        <translation>The number of previous owners must be between 0 and 50.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1016"/>
        <source>不是有效的 CSV 文件：{detail}</source>
        <translation>Not a valid CSV file: {detail}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1017"/>
        <source>文件是空的，没有表头</source>
        <translation>The file is empty and has no header row.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1018"/>
        <source>文件编码无法识别，请另存为 UTF-8 编码的 CSV</source>
        <translation>The file encoding was not recognised; please save it as a UTF-8 CSV.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1019"/>
        <source>文件缺少“{name}”模板需要的列：{missing_text}</source>
        <translation>The file lacks the columns the “{name}” template needs: {missing_text}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1022"/>
        <source>找不到文件：{path}</source>
        <translation>File not found: {path}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1023"/>
        <source>门店“{code}”不存在，请先完成首次设置</source>
        <translation>Store “{code}” does not exist; please finish the first-time setup first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1024"/>
        <source>无法识别文件的列，请选择导入模板（{presets}）</source>
        <translation>The file&apos;s columns were not recognised; please choose an import template ({presets}).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1027"/>
        <source>没有名为“{preset}”的导入模板，可选：{presets}</source>
        <translation>There is no import template named “{preset}”; choose one of: {presets}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1030"/>
        <source>无法读取文件：{path}（{reason}）</source>
        <translation>Cannot read the file: {path} ({reason})</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1032"/>
        <source>{label}“{text}”不是有效日期，请写成 2023-05-01</source>
        <translation>The {label} “{text}” is not a valid date; write it like 2023-05-01.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1035"/>
        <source>排量不合理，请以升为单位填写，如 2.0</source>
        <translation>The engine size looks wrong; enter it in litres, e.g. 2.0.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1036"/>
        <source>请选择能源类型</source>
        <translation>Please choose the energy type.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1037"/>
        <source>纯电续航应在 1 到 3000 公里之间</source>
        <translation>The electric range must be between 1 and 3000 km.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1038"/>
        <source>{label}“{text}”不是公里数，请写成 28000 或 2.8万</source>
        <translation>The {label} “{text}” is not a distance in km; write it like 28000.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1041"/>
        <source>请填写表显里程</source>
        <translation>Please enter the odometer reading.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1042"/>
        <source>初次登记日期早于 {year} 款车型上市，请核对年款或日期</source>
        <translation>The first registration date is before the {year} model came out; please check the model year or the date.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1045"/>
        <source>初次登记日期不能晚于今天</source>
        <translation>The first registration date cannot be later than today.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1046"/>
        <source>请选择变速箱</source>
        <translation>Please choose the transmission.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1047"/>
        <source>请填写车架号（VIN），在前挡风玻璃左下角或行驶证上</source>
        <translation>Please enter the VIN; it is at the lower left of the windscreen or on the vehicle licence.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1050"/>
        <source>车架号 {vin} 已属于库存车 {stock_no}{gone}，同一辆车不能重复入库。</source>
        <translation>VIN {vin} already belongs to stock car {stock_no}; the same car cannot be taken into stock twice.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1053"/>
        <source>车架号校验位不符。欧洲、日本等进口车可能不用校验位：请对照车辆核对后勾选“已核对车架号”。</source>
        <translation>The VIN check digit does not match. Imported cars (e.g. European or Japanese) may not use one: check the car and tick “VIN checked”.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1057"/>
        <source>请填写年款（车架号未能读出年款）</source>
        <translation>Please enter the model year (it could not be read from the VIN).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1058"/>
        <source>年款应在 {earliest} 到 {latest} 之间</source>
        <translation>The model year must be between {earliest} and {latest}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1060"/>
        <source>只有店长可以设置岗位权限。</source>
        <translation>Only a manager can set role permissions.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1061"/>
        <source>没有这项权限。</source>
        <translation>There is no such permission.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1062"/>
        <source>只有整备/评估人员和店长（或门店授权的岗位）可以修改车辆资料和照片。</source>
        <translation>Only preparation/appraisal staff and managers (or roles the store allows) can change car details and photos.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1065"/>
        <source>自助机不能修改车辆资料</source>
        <translation>The kiosk cannot change car details.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1066"/>
        <source>请输入库存编号或车牌号。</source>
        <translation>Please enter a stock number or plate number.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1067"/>
        <source>没有找到库存编号或车牌为 {typed} 的车辆。</source>
        <translation>No car with stock number or plate {typed} was found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1070"/>
        <source>只有店长（或门店授权的岗位）可以修改售价、收车成本和价格构成。</source>
        <translation>Only a manager (or roles the store allows) can change the price, the purchase cost and the price lines.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1075"/>
        <source>保存前这条记录已被其他电脑修改，你的修改没有保存。请核对后重新保存。</source>
        <translation>Another PC changed this record before you saved; your changes were not saved. Please check and save again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1078"/>
        <source>保存前这条记录已被其他电脑修改，你的修改没有保存。两个版本不同之处：{differences}。请核对后重新保存。</source>
        <translation>Another PC changed this record before you saved; your changes were not saved. Differences: {differences}. Please check and save again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1084"/>
        <source>这条记录已不存在（可能已被合并或删除）。</source>
        <translation>This record no longer exists (it may have been merged or deleted).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1086"/>
        <source>车辆网址模板必须包含 {{stock_no}}（在设置中修改）</source>
        <translation>The car address pattern must contain {{stock_no}} (change it in Settings).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1089"/>
        <source>车辆没有库存编号，无法生成二维码地址</source>
        <translation>The car has no stock number, so no QR code address can be made.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1091"/>
        <source>请店长先在“员工 → 门店资料”填写车辆公开网址（网站根地址，例如 https://www.example.cn/，车辆在其下的 cars/库存编号）：二维码和 sitemap 都用它。</source>
        <translation>Please ask a manager to enter the public car address under “Staff → Store profile” first (the site root, e.g. https://www.example.cn/, with cars under cars/STOCK-NO): the QR codes and the sitemap use it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1097"/>
        <source>车辆公开网址“{template}”不是以 cars/{{stock_no}} 结尾，静态网站无法对应；请改成例如 https://www.example.cn/cars/{{stock_no}}。</source>
        <translation>The public car address “{template}” does not end in cars/{{stock_no}}, so the static site cannot match it; change it to e.g. https://www.example.cn/cars/{{stock_no}}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1103"/>
        <source>无法在端口 {port} 上启动网页服务：{detail}。请换一个端口（--port）。</source>
        <translation>The web service cannot start on port {port}: {detail}. Please choose another port (--port).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1106"/>
        <source>数据库结构版本（{current}）与本程序（{head}）不一致，网页服务不会启动。请先运行 “showroom db upgrade” 或升级本程序。</source>
        <translation>The database version ({current}) does not match this program ({head}); the web service will not start. Run “showroom db upgrade” first or upgrade this program.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1286"/>
        <source>只能为本店的销售顾问设置个人目标。</source>
        <translation>Personal targets can only be set for your own store&apos;s consultants.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1334"/>
        <location filename="../../ui/errors.py" line="1440"/>
        <source>姓名</source>
        <translation>name</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1335"/>
        <location filename="../../ui/errors.py" line="1445"/>
        <source>单位名称</source>
        <translation>company name</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1336"/>
        <location filename="../../ui/errors.py" line="1450"/>
        <source>用途</source>
        <translation>intended use</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1337"/>
        <location filename="../../ui/errors.py" line="1451"/>
        <source>意向品牌</source>
        <translation>preferred brands</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1338"/>
        <location filename="../../ui/errors.py" line="1452"/>
        <source>意向车型</source>
        <translation>preferred models</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1339"/>
        <location filename="../../ui/errors.py" line="1453"/>
        <source>购车周期</source>
        <translation>buying timeframe</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1340"/>
        <location filename="../../ui/errors.py" line="1455"/>
        <source>备注</source>
        <translation>notes</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1341"/>
        <source>调整原因</source>
        <translation>reason for the change</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1342"/>
        <source>回访结果</source>
        <translation>follow-up result</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1343"/>
        <source>标签名称</source>
        <translation>tag name</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1344"/>
        <source>沟通内容</source>
        <translation>contact summary</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1345"/>
        <source>客户答复</source>
        <translation>customer&apos;s reply</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1346"/>
        <source>下一步</source>
        <translation>next step</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1347"/>
        <source>称呼</source>
        <translation>form of address</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1348"/>
        <source>平台</source>
        <translation>platform</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1349"/>
        <source>平台线索编号</source>
        <translation>platform lead number</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1350"/>
        <source>咨询车辆</source>
        <translation>car asked about</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1351"/>
        <source>留言</source>
        <translation>message</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1352"/>
        <source>关闭原因</source>
        <translation>reason for closing</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1353"/>
        <source>交易单号或流水号</source>
        <translation>transaction or serial number</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1354"/>
        <source>颜色</source>
        <translation>colour</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1355"/>
        <source>卖方补充说明</source>
        <translation>seller&apos;s additional statement</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1356"/>
        <source>退车原因</source>
        <translation>reason for the return</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1357"/>
        <source>退车车况</source>
        <translation>condition at return</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1358"/>
        <source>扣除费用名目</source>
        <translation>deduction item</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1359"/>
        <source>故障现象</source>
        <translation>fault as described</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1360"/>
        <source>检查诊断</source>
        <translation>diagnosis</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1361"/>
        <source>保修理由</source>
        <translation>warranty reasoning</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1362"/>
        <source>品牌</source>
        <translation>brand</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1363"/>
        <source>车系</source>
        <translation>model</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1364"/>
        <source>车型版本</source>
        <translation>trim</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1365"/>
        <source>车身颜色</source>
        <translation>body colour</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1366"/>
        <source>排放标准</source>
        <translation>emission standard</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1367"/>
        <source>车身类型</source>
        <translation>body type</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1368"/>
        <source>车况说明</source>
        <translation>condition notes</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1369"/>
        <source>情况说明</source>
        <translation>description</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1370"/>
        <source>保养地点</source>
        <translation>service location</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1371"/>
        <source>保养内容</source>
        <translation>service work</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1372"/>
        <source>价格</source>
        <translation>price</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1373"/>
        <source>售价</source>
        <translation>sale price</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1374"/>
        <source>新车指导价</source>
        <translation>new-car list price</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1375"/>
        <source>收车成本</source>
        <translation>purchase cost</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1376"/>
        <source>表显里程</source>
        <translation>odometer reading</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1377"/>
        <source>纯电续航</source>
        <translation>electric range</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1378"/>
        <source>里程</source>
        <translation>mileage</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1379"/>
        <source>发生日期</source>
        <translation>date of the event</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1380"/>
        <source>保养日期</source>
        <translation>service date</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1381"/>
        <source>有效（车辆已预订）</source>
        <translation>active (car reserved)</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1382"/>
        <source>已抵车款</source>
        <translation>applied to the price</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1383"/>
        <source>已退还</source>
        <translation>refunded</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1384"/>
        <source>已没收</source>
        <translation>forfeited</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1385"/>
        <source>已过期</source>
        <translation>expired</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1386"/>
        <source>现金</source>
        <translation>cash</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1387"/>
        <source>微信支付</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1388"/>
        <source>支付宝</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1389"/>
        <source>银行卡</source>
        <translation>bank card</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1390"/>
        <source>转账</source>
        <translation>bank transfer</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1391"/>
        <source>已预约</source>
        <translation>booked</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1392"/>
        <source>试驾中</source>
        <translation>on a test drive</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1393"/>
        <source>已还车</source>
        <translation>returned</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1394"/>
        <source>已取消</source>
        <translation>cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1395"/>
        <source>未到店</source>
        <translation>no-show</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1396"/>
        <source>已报名</source>
        <translation>registered</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1397"/>
        <source>候补</source>
        <translation>on the waiting list</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1398"/>
        <source>已签到</source>
        <translation>checked in</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1399"/>
        <source>检测中/已检</source>
        <translation>being inspected or inspected</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1400"/>
        <source>未到场</source>
        <translation>no-show</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1401"/>
        <source>整备中</source>
        <translation>being prepared</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1402"/>
        <source>在售</source>
        <translation>on sale</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1403"/>
        <source>已预订</source>
        <translation>reserved</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1404"/>
        <source>已售</source>
        <translation>sold</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1405"/>
        <source>试驾协议</source>
        <translation>test-drive agreement</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1406"/>
        <source>意向金收据</source>
        <translation>deposit receipt</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1407"/>
        <source>合同</source>
        <translation>contract</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1408"/>
        <source>检测报告</source>
        <translation>inspection report</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1409"/>
        <source>车辆信息单</source>
        <translation>car information sheet</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1410"/>
        <source>车型对比</source>
        <translation>model comparison</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1411"/>
        <source>检测日报名单</source>
        <translation>inspection-day registration slip</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="75"/>
        <source>{what_label}应在 1 到 {limit} 天之间（不回访请选“不自动回访”）。</source>
        <translation>The {what_label} must be between 1 and {limit} days (for no automatic follow-ups, untick &quot;Automatic&quot;).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1112"/>
        <source>只有销售顾问和店长可以处理购车客户提醒。</source>
        <translation>Only sales consultants and managers can handle buyer reminders.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1113"/>
        <source>未知的提醒类型。</source>
        <translation>Unknown reminder type.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1114"/>
        <source>请选择已发送或跳过。</source>
        <translation>Please choose Sent or Skipped.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1115"/>
        <source>请选择发送方式。</source>
        <translation>Please choose how it was sent.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1116"/>
        <source>短信内容最多 {limit} 个字。</source>
        <translation>The text message can have at most {limit} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1117"/>
        <source>所选负责人不在本店或已停用，请重新选择。</source>
        <translation>The selected owner is not on this store&apos;s staff or is disabled; please choose again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1120"/>
        <source>请选择投诉的类别。</source>
        <translation>Please choose the complaint category.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1121"/>
        <source>投诉响应时限应在 1 到 336 小时之间。</source>
        <translation>The complaint response deadline must be between 1 and 336 hours.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1123"/>
        <source>没有找到这条投诉。</source>
        <translation>This complaint was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1124"/>
        <source>投诉 {complaint_no} 已经处理完毕（可能是另一台电脑刚刚完成），请刷新。</source>
        <translation>Complaint {complaint_no} has already been resolved (perhaps just now on another computer); please refresh.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1127"/>
        <source>只有店长或这条投诉的负责人可以转交投诉。</source>
        <translation>Only a manager or the owner of this complaint can hand it over.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1130"/>
        <source>满意度请选择 1 到 5 分，或留空。</source>
        <translation>Choose a satisfaction score from 1 to 5, or leave it empty.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1131"/>
        <source>只有店长或这条投诉的负责人可以登记处理结果。</source>
        <translation>Only a manager or the owner of this complaint can record its resolution.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1134"/>
        <source>请写明投诉的内容。</source>
        <translation>Please describe the complaint.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1135"/>
        <source>请写明处理结果。</source>
        <translation>Please describe how it was resolved.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1136"/>
        <source>意向金 {deposit} 与置换车辆作价 {credit} 合计超过成交价 {price}，请核对。</source>
        <translation>The deposit {deposit} plus the trade-in value {credit} exceed the sale price {price}; please check.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1139"/>
        <source>置换车辆须先签订收车协议、收购入库后才能抵作车款。</source>
        <translation>A trade-in car can only be credited against the price after its purchase agreement is signed and the car is taken into stock.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1142"/>
        <source>收车协议 {purchase_no} 的卖方不是本合同的买受人，不能置换抵扣。</source>
        <translation>The seller in purchase agreement {purchase_no} is not the buyer in this contract, so it cannot be credited as a trade-in.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1145"/>
        <source>收车协议 {purchase_no} 的车款已抵扣在合同 {contract_no} 中。</source>
        <translation>The amount of purchase agreement {purchase_no} has already been credited in contract {contract_no}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1148"/>
        <source>置换车辆作价已变化，请作废此稿后重新起草。</source>
        <translation>The trade-in value has changed; please void this draft and draft the contract again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1151"/>
        <source>满意度评价最多 {limit} 个字。</source>
        <translation>The satisfaction comment can have at most {limit} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1152"/>
        <source>请先选择满意度评分。</source>
        <translation>Please choose a satisfaction score first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1153"/>
        <source>已成交客户的售后回访不记录战败原因。</source>
        <translation>An after-sales follow-up of a customer who bought does not record a lost-deal reason.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1156"/>
        <source>“{label}”不在本店的战败原因列表中，请从列表中选择。</source>
        <translation>&quot;{label}&quot; is not in this store&apos;s list of lost-deal reasons; please choose from the list.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1159"/>
        <source>只有店长可以修改战败原因列表。</source>
        <translation>Only a manager can change the list of lost-deal reasons.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1160"/>
        <source>战败原因最多 {limit} 项。</source>
        <translation>There can be at most {limit} lost-deal reasons.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1161"/>
        <source>“{label}”太长：每项最多 {limit} 个字。</source>
        <translation>&quot;{label}&quot; is too long: each reason can have at most {limit} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1162"/>
        <source>“{label}”重复了。</source>
        <translation>&quot;{label}&quot; is listed twice.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1163"/>
        <source>这两位客户之间有推荐记录（一人推荐了另一人），不是同一个人，不能合并。</source>
        <translation>One of these customers referred the other, so they are not the same person and cannot be merged.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1168"/>
        <source>没有检测报告 {report_no}。</source>
        <translation>There is no inspection report {report_no}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1170"/>
        <source>检测记录 {report_no} 尚未定稿，不能据此收车。</source>
        <translation>Inspection record {report_no} is not finalised yet; the car cannot be bought on it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1173"/>
        <source>检测记录 {report_no} 已有更正后的新版本，请按最新版本收车。</source>
        <translation>Inspection record {report_no} has a corrected newer version; please buy the car on the latest version.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1176"/>
        <source>检测记录 {report_no} 还没有估价，请评估师先填写估价区间。</source>
        <translation>Inspection record {report_no} has no valuation yet; the appraiser must first enter the valuation range.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1179"/>
        <source>检测记录 {report_no} 没有车架号，收车入库需要车架号。</source>
        <translation>Inspection record {report_no} has no VIN; a VIN is needed to take the car into stock.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1182"/>
        <source>请填写收购价。</source>
        <translation>Please enter the purchase price.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1183"/>
        <source>请填写卖方的身份证号码，收车和过户都需要。</source>
        <translation>Please enter the seller&apos;s ID card number; it is needed for the purchase and the title transfer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1190"/>
        <source>收车须交接机动车行驶证和机动车登记证书（绿本）。</source>
        <translation>Buying a car requires handing over its vehicle licence and its registration certificate (green book).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1193"/>
        <source>没有找到这位卖方客户，请重新查找。</source>
        <translation>This seller was not found among the customers; please search again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1194"/>
        <source>所填身份证号码与客户档案中的不一致，请核对卖方本人证件。</source>
        <translation>The ID card number entered does not match the customer record; please check the seller&apos;s own ID card.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1198"/>
        <source>检测报告 {report_no} 的车辆已按收车协议 {purchase_no} 收购入库。</source>
        <translation>The car of inspection report {report_no} has already been bought and taken into stock under purchase agreement {purchase_no}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1201"/>
        <source>检测报告 {report_no} 的车辆刚按收车协议 {purchase_no} 收购入库（另一台电脑），本协议未签订。</source>
        <translation>The car of inspection report {report_no} was just bought under purchase agreement {purchase_no} (on another computer); this agreement was not signed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1206"/>
        <source>检测报告 {report_no} 的车辆刚被另一台电脑收购入库，本协议未签订。</source>
        <translation>The car of inspection report {report_no} was just bought on another computer; this agreement was not signed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1211"/>
        <source>没有找到这份收车协议。</source>
        <translation>This purchase agreement was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1212"/>
        <source>没有收车协议 {purchase_no}。</source>
        <translation>There is no purchase agreement {purchase_no}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1215"/>
        <source>收车协议 {purchase_no} 已签订，请刷新。</source>
        <translation>Purchase agreement {purchase_no} has already been signed; please refresh.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1216"/>
        <source>收车协议 {purchase_no} 已作废，请刷新。</source>
        <translation>Purchase agreement {purchase_no} has been voided; please refresh.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1217"/>
        <source>收车协议 {purchase_no} 不是草稿。</source>
        <translation>Purchase agreement {purchase_no} is not a draft.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1219"/>
        <source>签署的协议与记录不对应，请重新打开。</source>
        <translation>The signed agreement does not match the record; please open it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1220"/>
        <source>请输入检测报告编号。</source>
        <translation>Please enter the inspection report number.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1221"/>
        <source>请输入奖励金额，例如 500 或 500.00。</source>
        <translation>Please enter the reward amount, e.g. 500 or 500.00.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1222"/>
        <source>奖励金额应大于 0、不超过 {limit} 元。</source>
        <translation>The reward must be more than 0 and at most {limit} yuan.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1223"/>
        <source>奖励金额最多两位小数（精确到分）。</source>
        <translation>The reward can have at most two decimal places (to the fen).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1224"/>
        <source>只有销售顾问和店长可以登记推荐。</source>
        <translation>Only sales consultants and managers can record referrals.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1225"/>
        <source>客户不能推荐自己。</source>
        <translation>A customer cannot refer themselves.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1226"/>
        <source>请选择奖励方式。</source>
        <translation>Please choose the kind of reward.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1227"/>
        <source>请写明赠送的礼品。</source>
        <translation>Please describe the gift.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1228"/>
        <source>礼品最多 {limit} 个字。</source>
        <translation>The gift can have at most {limit} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="92"/>
        <location filename="../../ui/errors.py" line="1229"/>
        <source>备注最多 {limit} 个字。</source>
        <translation>The note can have at most {limit} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1230"/>
        <source>这位客户已经登记过推荐人。</source>
        <translation>This customer already has a referrer recorded.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1231"/>
        <source>只有店长可以登记推荐奖励已兑现。</source>
        <translation>Only a manager can record that a referral reward was paid.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1232"/>
        <source>这条推荐记录不存在。</source>
        <translation>This referral does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1233"/>
        <source>这条推荐没有约定奖励。</source>
        <translation>No reward was agreed for this referral.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1234"/>
        <source>这笔推荐奖励已经兑现过了。</source>
        <translation>This referral reward has already been paid.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1235"/>
        <source>退车须由店长办理。</source>
        <translation>Only a manager can process a return.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1236"/>
        <source>{contract_no} 不是买卖合同，不能据此退车。</source>
        <translation>{contract_no} is not a sales contract; a car cannot be returned under it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1238"/>
        <source>合同 {contract_no} 的车辆已经退回（可能是另一台电脑刚刚办理），请刷新。</source>
        <translation>The car of contract {contract_no} has already been returned (perhaps just now on another computer); please refresh.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1241"/>
        <source>合同 {contract_no} 的车辆刚被另一台电脑办理了退车，本次未保存。</source>
        <translation>The car of contract {contract_no} was just returned on another computer; this return was not saved.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1245"/>
        <source>合同 {contract_no} 尚未签订，不需要退车；草稿可以作废。</source>
        <translation>Contract {contract_no} is not signed, so there is nothing to return; a draft can be voided.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1248"/>
        <source>请填写退车时的表显里程。</source>
        <translation>Please enter the odometer reading at return.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1250"/>
        <source>退车里程 {km} 公里不合理。</source>
        <translation>A return mileage of {km} km is not plausible.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1251"/>
        <source>退车里程“{text}”不是整数公里数。</source>
        <translation>Return mileage &quot;{text}&quot; is not a whole number of kilometres.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1253"/>
        <source>第 {line} 项扣除费用没有写明名目。</source>
        <translation>Deduction {line} has no description.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1254"/>
        <source>扣除费用“{item}”没有填写金额。</source>
        <translation>Deduction &quot;{item}&quot; has no amount.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1255"/>
        <source>扣除费用最多 {limit} 项，请合并同类费用。</source>
        <translation>There can be at most {limit} deductions; please combine similar ones.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1258"/>
        <source>扣除费用合计 {total} 超过了成交价 {price}。</source>
        <translation>The deductions total {total}, more than the sale price {price}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1261"/>
        <source>请填写退车原因。</source>
        <translation>Please enter the reason for the return.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1262"/>
        <source>请记录退车时的车况（外观、内饰、证件、钥匙、物品）。</source>
        <translation>Please record the car&apos;s condition at return (exterior, interior, papers, keys, belongings).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1265"/>
        <source>{method_label}退款请填写交易单号或流水号，便于对账。</source>
        <translation>For a {method_label} refund, please enter the transaction or reference number for reconciliation.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1268"/>
        <source>合同 {contract_no} 于 {delivered} 交车，已过 {days} 天，超过 {limit} 天的退车期限，不能按七日退车办理。</source>
        <translation>The car of contract {contract_no} was delivered on {delivered}, {days} days ago, beyond the {limit}-day return period; it cannot be returned under the seven-day return.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1273"/>
        <source>车辆 {stock_no} 不是已售状态。</source>
        <translation>Car {stock_no} is not marked as sold.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1274"/>
        <source>退车里程 {mileage} 公里低于合同交车里程 {sale} 公里，请核对表显里程。</source>
        <translation>The return mileage of {mileage} km is below the {sale} km at delivery in the contract; please check the odometer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1277"/>
        <source>交车后已行驶 {driven} 公里，超过退车条件的 {limit} 公里，不能按七日退车办理。</source>
        <translation>The car has been driven {driven} km since delivery, more than the {limit} km allowed for a return; it cannot be returned under the seven-day return.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1280"/>
        <source>没有找到这条退车记录。</source>
        <translation>This return record was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1281"/>
        <source>协议与这条退车记录不对应，请重新打开。</source>
        <translation>The agreement does not match this return record; please open it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1282"/>
        <source>未知的指标。</source>
        <translation>Unknown metric.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1283"/>
        <source>目标和预警线请填整数。</source>
        <translation>Targets and warning lines must be whole numbers.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1284"/>
        <source>请先设目标，再设预警线。</source>
        <translation>Set the target first, then the warning line.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1285"/>
        <source>目标应在 1 到 {limit} 之间。</source>
        <translation>The target must be between 1 and {limit}.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1287"/>
        <source>请记录客户描述的故障现象。</source>
        <translation>Please record the fault as the customer describes it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1288"/>
        <source>请填写检查诊断的结果。</source>
        <translation>Please enter the result of the diagnosis.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1289"/>
        <source>请写明保修或不予保修的理由。</source>
        <translation>Please give the reason for covering or not covering the repair.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1290"/>
        <source>请填写报修时的表显里程。</source>
        <translation>Please enter the odometer reading at the time of the claim.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1292"/>
        <source>里程 {km} 公里不合理。</source>
        <translation>A mileage of {km} km is not plausible.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1293"/>
        <source>里程“{text}”不是整数公里数。</source>
        <translation>Mileage &quot;{text}&quot; is not a whole number of kilometres.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1295"/>
        <source>{contract_no} 不是已签订的买卖合同，不能据此索赔。</source>
        <translation>{contract_no} is not a signed sales contract; no warranty claim can be made under it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1298"/>
        <source>合同 {contract_no} 的车辆已退回，保修随之终止。</source>
        <translation>The car of contract {contract_no} was returned, so its warranty has ended.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1301"/>
        <source>请输入合同编号、库存编号或车牌号。</source>
        <translation>Please enter a contract number, stock number or plate number.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1302"/>
        <source>没有找到“{text}”对应的已售车辆或买卖合同。</source>
        <translation>No sold car or sales contract matches &quot;{text}&quot;.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1305"/>
        <source>保修只包括发动机和变速箱，请选择报修部件。</source>
        <translation>The warranty covers only the engine and the gearbox; please choose the part.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1306"/>
        <source>照片最多 {limit} 张。</source>
        <translation>At most {limit} photos.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1307"/>
        <source>报修里程 {mileage} 公里低于交车里程 {sale} 公里，请核对表显里程。</source>
        <translation>The claim mileage of {mileage} km is below the {sale} km at delivery; please check the odometer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1310"/>
        <source>保修结论须由评估师或店长作出。</source>
        <translation>Only an appraiser or a manager can decide a warranty claim.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1311"/>
        <source>没有找到这张索赔单。</source>
        <translation>This warranty claim was not found.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1312"/>
        <source>索赔单 {claim_no} 已有结论（可能是另一台电脑刚刚填写）。</source>
        <translation>Warranty claim {claim_no} has already been decided (perhaps just now on another computer).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1315"/>
        <source>索赔单 {claim_no} 报修时已超出保修期限或里程，不能按保修处理。</source>
        <translation>Warranty claim {claim_no} was made outside the warranty period or mileage; it cannot be handled under warranty.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1318"/>
        <source>保修范围内的维修客户不承担费用，请把客户承担费用改为 0。</source>
        <translation>The customer pays nothing for a repair covered by the warranty; please set the customer&apos;s share to 0.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1321"/>
        <source>索赔单与记录不对应，请重新打开。</source>
        <translation>The claim form does not match the record; please open it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1322"/>
        <source>索赔单 {claim_no} 还没有结论，出结论后再打印存档。</source>
        <translation>Warranty claim {claim_no} has not been decided yet; print and archive it after the decision.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1325"/>
        <source>没有这个手机号的客户。</source>
        <translation>No customer has this mobile number.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="565"/>
        <source>协议还没有签名，请重新签署。</source>
        <translation>The agreement has not been signed yet; please sign it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1412"/>
        <source>首次回访间隔</source>
        <translation>first follow-up interval</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="1413"/>
        <source>回访周期</source>
        <translation>repeat interval</translation>
    </message>
</context>
<context>
    <name>EventDialog</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="143"/>
        <source>新建检测日</source>
        <translation>New inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="147"/>
        <source>透明检测日</source>
        <translation>Inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="159"/>
        <source>免费全车检测一次，出具检测报告</source>
        <translation>One free full inspection with a written report</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="163"/>
        <source> 个月</source>
        <translation> months</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="164"/>
        <source>不重复</source>
        <translation>Once only</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="166"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="167"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="168"/>
        <source>开始</source>
        <translation>Starts</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="169"/>
        <source>结束</source>
        <translation>Ends</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="170"/>
        <source>检测工位</source>
        <translation>Inspection bays</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="171"/>
        <source>名额</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="172"/>
        <source>免费内容</source>
        <translation>What&apos;s free</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="173"/>
        <source>按月重复（同月第几个星期几）</source>
        <translation>Repeat monthly (same weekday of the month)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="177"/>
        <source>创建</source>
        <translation>Create</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="110"/>
        <source>首次使用</source>
        <translation>First start</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="124"/>
        <source>欢迎使用二手车展厅管理系统</source>
        <translation>Welcome to Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="127"/>
        <source>这台电脑上的数据库还是空的，还没有门店和员工账号。</source>
        <translation>The database on this PC is empty: there is no store and no staff account yet.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="150"/>
        <source>请选择如何开始：</source>
        <translation>How would you like to start?</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="151"/>
        <source>载入演示数据</source>
        <translation>Load demo data</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="159"/>
        <source>生成约 {cars} 辆在库车辆、客户、到店和试驾记录以及各岗位的演示账号，适合先熟悉系统。以后可以重新建库再正式使用。</source>
        <translation>Creates about {cars} cars in stock, customers, visits, test drives and a demo account for each role, to get to know the app. Start a fresh database later for real use.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="167"/>
        <location filename="../../ui/dialogs/first_run.py" line="200"/>
        <source>创建门店和店长账号</source>
        <translation>Create the store and manager account</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="187"/>
        <source>以后再说</source>
        <translation>Later</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="208"/>
        <source>2 到 8 位字母或数字，如 BJ01</source>
        <translation>2 to 8 letters or digits, e.g. BJ01</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="212"/>
        <source>如：王建国</source>
        <translation>e.g. Wang Jianguo</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="214"/>
        <source>登录时使用，如 wangjg</source>
        <translation>Used to sign in, e.g. wangjg</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="174"/>
        <source>正式使用：填写门店编号、名称和店长账号。创建后直接进入“员工”页面，按清单添加员工、排班、核对门店资料并打印测试页。</source>
        <translation>For real use: enter the store code, name and the manager&apos;s account. You then go straight to Staff, where a checklist takes you through adding staff, the roster, the store profile and a test page.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="218"/>
        <source>至少 10 位，不能包含用户名，不能用常见密码</source>
        <translation>At least 10 characters, not containing the username, not a common password</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="225"/>
        <source>可不填；4 到 8 位数字，用于自助机</source>
        <translation>Optional; 4 to 8 digits, for the kiosk</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="227"/>
        <source>门店编号</source>
        <translation>Store code</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="228"/>
        <source>门店名称</source>
        <translation>Store name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="229"/>
        <source>店长姓名</source>
        <translation>Manager&apos;s name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="230"/>
        <source>店长用户名</source>
        <translation>Manager&apos;s username</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="231"/>
        <location filename="../../ui/dialogs/first_run.py" line="376"/>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="232"/>
        <source>再输一次密码</source>
        <translation>Repeat password</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="233"/>
        <source>员工 PIN</source>
        <translation>Staff PIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="243"/>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="247"/>
        <source>创建</source>
        <translation>Create</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="265"/>
        <source>两次输入的密码不一致。</source>
        <translation>The two passwords do not match.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="308"/>
        <source>正在生成演示数据…</source>
        <translation>Generating demo data…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="309"/>
        <source>准备中</source>
        <translation>Preparing</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="314"/>
        <source>大约需要一分钟，请不要关闭程序。</source>
        <translation>This takes about a minute; please do not close the app.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="350"/>
        <source>这个版本没有附带演示数据，请创建门店和店长账号。</source>
        <translation>This build has no demo data; please create the store and manager account.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="362"/>
        <source>演示数据已生成</source>
        <translation>Demo data is ready</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="367"/>
        <source>可以用下面的演示账号登录，体验各岗位看到的界面。演示账号仅供演示，正式使用前请重新建库或修改密码。</source>
        <translation>Sign in with one of these demo accounts to see what each role sees. They are for demonstration only: start a fresh database or change the passwords before real use.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="376"/>
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="376"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="376"/>
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="376"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="387"/>
        <source>开始使用</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="416"/>
        <source>演示数据已生成：{cars} 辆车、{customers} 位客户</source>
        <translation>Demo data is ready: {cars} cars, {customers} customers</translation>
    </message>
</context>
<context>
    <name>FollowUpDialog</name>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="45"/>
        <source>登记回访结果</source>
        <translation>Record follow-up result</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="53"/>
        <source>例如：客户反馈车辆使用正常，对服务满意</source>
        <translation>e.g. Customer says the car runs fine and is happy with the service</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="58"/>
        <source>回访结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="59"/>
        <source>未接通 / 客户未回复</source>
        <translation>No answer / no reply</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="61"/>
        <source>不算作一次联系；连续两次未回应会出现流失预警。结果可不填。</source>
        <translation>Does not count as contact; two in a row raise a churn signal. The result may be left empty.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="66"/>
        <source>（不评分）</source>
        <translation>(no score)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="69"/>
        <source>{n} 分 {stars}</source>
        <translation>{n} {stars}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="72"/>
        <source>客户的评价（可不填）</source>
        <translation>Customer&apos;s comment (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="74"/>
        <source>未战败，继续跟进</source>
        <translation>Not lost, keep following up</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="78"/>
        <source>满意度</source>
        <translation>Satisfaction</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="79"/>
        <source>客户评价</source>
        <translation>Comment</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="82"/>
        <source>战败原因</source>
        <translation>Reason lost</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="86"/>
        <source>安排下次回访</source>
        <translation>Schedule next follow-up</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="97"/>
        <source>下次回访日期</source>
        <translation>Next follow-up date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="107"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/follow_up.py" line="108"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>FollowUpModel</name>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="176"/>
        <source>应回访日期</source>
        <translation>Due date</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="177"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="178"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="179"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="180"/>
        <source>意向</source>
        <translation>Intent</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="181"/>
        <source>负责顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="182"/>
        <source>回访类型</source>
        <translation>Follow-up type</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="183"/>
        <source>流失预警</source>
        <translation>Churn signals</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="196"/>
        <source>今天到期</source>
        <translation>Due today</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/screens/follow_ups.py" line="197"/>
        <source>逾期 %n 天</source>
        <translation>
            <numerusform>%n day overdue</numerusform>
            <numerusform>%n days overdue</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="205"/>
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
</context>
<context>
    <name>FollowUps</name>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="79"/>
        <source>购车 3 天</source>
        <translation>3 days after purchase</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="80"/>
        <source>购车 1 个月</source>
        <translation>1 month after purchase</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="81"/>
        <source>购车 3 个月</source>
        <translation>3 months after purchase</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="82"/>
        <source>购车 6 个月</source>
        <translation>6 months after purchase</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="83"/>
        <source>购车 12 个月</source>
        <translation>12 months after purchase</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="84"/>
        <source>保养提醒</source>
        <translation>Maintenance due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="85"/>
        <source>年检到期</source>
        <translation>Annual inspection due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="86"/>
        <source>保险到期</source>
        <translation>Insurance due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="87"/>
        <source>生日祝福</source>
        <translation>Birthday greeting</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="93"/>
        <source>成交后 3 天</source>
        <translation>3 days after sale</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="94"/>
        <source>成交后 1 个月</source>
        <translation>1 month after sale</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="95"/>
        <source>成交后 3 个月</source>
        <translation>3 months after sale</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="96"/>
        <source>成交后 6 个月</source>
        <translation>6 months after sale</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="97"/>
        <source>成交后 12 个月</source>
        <translation>12 months after sale</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="98"/>
        <source>到店后回访</source>
        <translation>After visit</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="99"/>
        <source>再次回访</source>
        <translation>Follow up again</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="100"/>
        <source>意向金明天到期</source>
        <translation>Deposit expires tomorrow</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="101"/>
        <source>沟通时约定的下一步</source>
        <translation>Next step agreed in a contact</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="102"/>
        <source>试驾后回访</source>
        <translation>After the test drive</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="103"/>
        <source>新线索跟进</source>
        <translation>New enquiry</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="104"/>
        <source>意向等级调整后回访</source>
        <translation>After a grade change</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="105"/>
        <source>按等级定期回访</source>
        <translation>Regular, by grade</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="106"/>
        <source>预约未到，联系改约</source>
        <translation>Missed appointment: call to rebook</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="109"/>
        <source>线索首次联系后回访</source>
        <translation>Lead: first call-back</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="110"/>
        <source>线索按等级定期回访</source>
        <translation>Lead: regular call</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="111"/>
        <source>线索意向等级调整后回访</source>
        <translation>Lead: call after a grade change</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="112"/>
        <source>线索沟通时约定的下一步</source>
        <translation>Lead: next step agreed on the call</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="123"/>
        <location filename="../../ui/screens/follow_ups.py" line="165"/>
        <source>{reason}（{grade} 级节奏）</source>
        <translation>{reason} (grade {grade})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="134"/>
        <source>（未留姓名）</source>
        <translation>(no name given)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="141"/>
        <source>{name}（线索）</source>
        <translation>{name} (lead)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="149"/>
        <source>{kind} · 按里程约 {km} 公里</source>
        <translation>{kind} · by mileage, about {km} km</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="153"/>
        <source>{kind} · 满 {months} 个月</source>
        <translation>{kind} · {months} months</translation>
    </message>
</context>
<context>
    <name>FollowUpsScreen</name>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="326"/>
        <source>全部顾问</source>
        <translation>All consultants</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="330"/>
        <source>回访节奏</source>
        <translation>Follow-up cadence</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="334"/>
        <source>战败原因</source>
        <translation>Lost-deal reasons</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="338"/>
        <source>保养间隔</source>
        <translation>Service interval</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="342"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="345"/>
        <source>登记结果</source>
        <translation>Record result</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="395"/>
        <source>今天没有待回访的客户。</source>
        <translation>No customers to follow up today.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="399"/>
        <source>待回访</source>
        <translation>Due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="404"/>
        <source>超过 6 个月没有联系（未接通的来电不算联系）的客户，最久的在前。</source>
        <translation>Customers not contacted for over 6 months (unanswered calls do not count), longest first.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="421"/>
        <source>沉睡客户</source>
        <translation>Dormant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="422"/>
        <source>购车客户提醒</source>
        <translation>Buyer reminders</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="482"/>
        <source>复制短信</source>
        <translation>Copy message</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="484"/>
        <source>已发送</source>
        <translation>Sent</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="486"/>
        <source>跳过</source>
        <translation>Skip</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="488"/>
        <source>导出今日短信…</source>
        <translation>Export today&apos;s messages…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="516"/>
        <source>购车客户提醒（{n}）</source>
        <translation>Buyer reminders ({n})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="518"/>
        <source>今天要发的 {n} 条消息。生日祝福只发给同意接收营销信息的客户。</source>
        <translation>{n} messages to send today. Birthday greetings go only to customers who agreed to marketing.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="537"/>
        <source>短信内容已复制，发送后请点“已发送”。</source>
        <translation>Message copied; click &quot;Sent&quot; once it is sent.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="564"/>
        <source>已处理这条提醒。</source>
        <translation>Reminder done.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="568"/>
        <source>待同步：网络断开，已在本机记下，恢复连接后自动登记。</source>
        <translation>Pending sync: offline, kept on this PC and recorded when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="573"/>
        <source>导出今日短信</source>
        <translation>Export today&apos;s messages</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="597"/>
        <source>已导出到 {path}</source>
        <translation>Exported to {path}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="603"/>
        <source>沉睡客户（{n}）</source>
        <translation>Dormant ({n})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="609"/>
        <source>今天到期 {today} 条 · 逾期 {overdue} 条</source>
        <translation>Due today {today} · Overdue {overdue}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="628"/>
        <source>⚠ {count} 位 A 级客户已超过 {days} 天没有回应，建议降为 B 级</source>
        <translation>⚠ {count} A-grade customers have not responded for over {days} days; consider lowering them to B</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="636"/>
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="638"/>
        <source>{name}  {phone}  · 顾问 {owner} · {days} 天未联系</source>
        <translation>{name}  {phone}  · Consultant {owner} · No contact for {days} days</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="647"/>
        <source>降为B</source>
        <translation>Lower to B</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="655"/>
        <source>另有 {n} 位未列出</source>
        <translation>{n} more not listed</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="690"/>
        <source>{name}（{phone}）· {reason}</source>
        <translation>{name} ({phone}) · {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="742"/>
        <source>待同步：网络断开，回访结果已保存在本机，恢复连接后自动登记。</source>
        <translation>Pending sync: the network is down. The follow-up result is saved on this PC and will be recorded once the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="748"/>
        <source>已登记回访结果，下次回访：{day}</source>
        <translation>Follow-up result recorded. Next follow-up: {day}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="752"/>
        <source>已登记回访结果。</source>
        <translation>Follow-up result recorded.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="759"/>
        <source>线索：{name} {phone} · {reason}</source>
        <translation>Lead: {name} {phone} · {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="786"/>
        <source>已记录线索沟通，下次回访：{day}</source>
        <translation>Lead contact logged; next call: {day}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="790"/>
        <source>已记录线索沟通，不再自动安排回访。</source>
        <translation>Lead contact logged; no further call is planned.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="808"/>
        <source>已将 {name} 降为 B 级。</source>
        <translation>{name} lowered to grade B.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="849"/>
        <source>回访节奏已保存，从下一次到店、试驾、线索或调整等级起生效。</source>
        <translation>Cadence saved; it applies from the next visit, test drive, enquiry or grade change.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="887"/>
        <source>战败原因列表已保存（{n} 项）。</source>
        <translation>Lost-deal reasons saved ({n}).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="925"/>
        <source>保养间隔已保存：{months} 个月或 {km} 公里，先到为准。</source>
        <translation>Service interval saved: {months} months or {km} km, whichever comes first.</translation>
    </message>
</context>
<context>
    <name>Fonts</name>
    <message>
        <location filename="../../ui/documents/fonts.py" line="141"/>
        <source>本机没有安装中文字体：打印的文件和 PDF 中的中文会显示为方框。请安装中文字体（如 Noto Sans CJK SC 或微软雅黑）后重新启动。</source>
        <translation>No Chinese font is installed on this computer: Chinese text in printouts and PDFs will show as boxes. Please install a Chinese font (such as Noto Sans CJK SC or Microsoft YaHei) and restart.</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="155"/>
        <source>修改记录</source>
        <translation>Edit entry</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="155"/>
        <source>添加事故/泡水/火烧记录</source>
        <translation>Add accident / flood / fire entry</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="164"/>
        <source>如 2024-03-01 或 2024-03；不详留空</source>
        <translation>e.g. 2024-03-01 or 2024-03; blank if unknown</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="165"/>
        <source>涉及结构件（纵梁、A/B/C 柱、防火墙等）</source>
        <translation>Structural parts involved (rails, A/B/C pillars, firewall…)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="167"/>
        <source>如：右后门刮擦，钣金喷漆；出险金额 2,300 元</source>
        <translation>e.g. rear right door scraped, panel beaten and painted; claim ¥2,300</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="169"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="170"/>
        <location filename="../../ui/dialogs/vehicle_records.py" line="183"/>
        <source>发生日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="172"/>
        <source>情况说明</source>
        <translation>What happened</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="173"/>
        <source>凭证</source>
        <translation>Evidence</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../ui/kiosk/home.py" line="105"/>
        <source>欢迎光临</source>
        <translation>Welcome</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/home.py" line="110"/>
        <source>透明车况，放心选车</source>
        <translation>Transparent car records, buy with confidence</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/home.py" line="112"/>
        <source>请轻触下方选项开始</source>
        <translation>Tap an option below to start</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../../ui/screens/home.py" line="91"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="142"/>
        <source>早上好，{name}</source>
        <translation>Good morning, {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="144"/>
        <source>中午好，{name}</source>
        <translation>Good day, {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="146"/>
        <source>下午好，{name}</source>
        <translation>Good afternoon, {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="148"/>
        <source>晚上好，{name}</source>
        <translation>Good evening, {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="156"/>
        <source>今日到店</source>
        <translation>Visits today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="157"/>
        <source>正在等待接待</source>
        <translation>Waiting now</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="158"/>
        <source>今日试驾</source>
        <translation>Test drives today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="159"/>
        <source>有效意向金</source>
        <translation>Active deposits</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="160"/>
        <source>在售车辆</source>
        <translation>Cars on sale</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="161"/>
        <source>今日待回访</source>
        <translation>Follow-ups due today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="162"/>
        <source>下次透明检测日</source>
        <translation>Next inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="204"/>
        <source>{no}（{topic}，负责人 {owner}，超时 {hours} 小时）</source>
        <translation>{no} ({topic}, owner {owner}, {hours} h overdue)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="212"/>
        <source>等</source>
        <translation>and more</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="214"/>
        <source>{n} 条投诉已超过答复期限：{list}{more}。请到“投诉”处理。</source>
        <translation>{n} complaints are past their answer deadline: {list}{more}. Please handle them under &quot;Complaints&quot;.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="229"/>
        <source>更新于 {time}</source>
        <translation>Updated {time}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="235"/>
        <source>等待 {waiting} · 接待中 {serving} · 已离店 {left}</source>
        <translation>Waiting {waiting} · Being served {serving} · Left {left}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="247"/>
        <source>请尽快安排顾问接待</source>
        <translation>Please assign a consultant soon</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="247"/>
        <source>没有客户在等待</source>
        <translation>Nobody is waiting</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="252"/>
        <source>正在试驾 {count} 辆</source>
        <translation>{count} out on a drive</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="257"/>
        <source>合计 {amount}</source>
        <translation>Total {amount}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="261"/>
        <source>已预订 {count} 辆</source>
        <translation>{count} reserved</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="269"/>
        <source>其中逾期 {count} 条</source>
        <translation>{count} of them overdue</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="271"/>
        <source>没有逾期的回访</source>
        <translation>None overdue</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="279"/>
        <source>暂无安排</source>
        <translation>None planned</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="282"/>
        <source>{taken} / {total} 位</source>
        <translation>{taken} / {total} seats</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="292"/>
        <source>{day} · 剩余 {left} 位 · 候补 {waiting} 人</source>
        <translation>{day} · {left} left · {waiting} waiting</translation>
    </message>
</context>
<context>
    <name>InspectionDay</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="439"/>
        <source>时间变更</source>
        <translation>Time changed</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="440"/>
        <source>检测日取消</source>
        <translation>Day cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="441"/>
        <source>候补转正</source>
        <translation>Promoted from wait-list</translation>
    </message>
</context>
<context>
    <name>InspectionDayForms</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1279"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>InspectionDayScreen</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="712"/>
        <source>报名</source>
        <translation>Register</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="713"/>
        <source>签到与排队</source>
        <translation>Check-in and queue</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="714"/>
        <source>检测记录</source>
        <translation>Inspection record</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="725"/>
        <source>近期检测日</source>
        <translation>Upcoming inspection days</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="735"/>
        <source>新建检测日…</source>
        <translation>New inspection day…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="741"/>
        <source>修改…</source>
        <translation>Change…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="743"/>
        <source>取消检测日…</source>
        <translation>Cancel day…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="766"/>
        <source>报名…</source>
        <translation>Register…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="768"/>
        <location filename="../../ui/screens/inspection_day.py" line="993"/>
        <source>取消报名</source>
        <translation>Cancel registration</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="769"/>
        <source>已电话通知</source>
        <translation>Called</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="770"/>
        <source>打印报名单</source>
        <translation>Print slip</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="771"/>
        <source>待通知名单</source>
        <translation>To phone</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="810"/>
        <source>{day} {weekday} {hours}
{title}
剩余名额 {left}/{seats} · 候补 {waiting}</source>
        <translation>{day} {weekday} {hours}
{title}
{left}/{seats} seats left · {waiting} on the wait-list</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="821"/>
        <source>{day} {weekday}
{title}
已取消</source>
        <translation>{day} {weekday}
{title}
Cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="833"/>
        <source>还没有安排检测日。店长可以点“新建检测日”。</source>
        <translation>No inspection day is planned. A manager can click &quot;New inspection day&quot;.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="845"/>
        <source>名额 {seated}/{seats}，候补 {waiting}，已签到 {checked}</source>
        <translation>Seated {seated}/{seats}, wait-list {waiting}, checked in {checked}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="852"/>
        <source>免费内容：{offer}</source>
        <translation>Free: {offer}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="912"/>
        <source>检测日已修改。</source>
        <translation>Inspection day changed. </translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="914"/>
        <source>{n} 位候补客户获得名额。</source>
        <translation>{n} wait-listed customer(s) got a seat. </translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="916"/>
        <source>{n} 位客户的名额号已调整。</source>
        <translation>{n} seat number(s) moved. </translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="928"/>
        <source>取消检测日</source>
        <translation>Cancel inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="930"/>
        <source>取消 {day} {title}？已报名的 {n} 位客户（含候补）将列出，需逐一电话通知。
取消原因（选填）：</source>
        <translation>Cancel {day} {title}? The {n} registered customers (wait-list included) will be listed to phone one by one.
Reason (optional):</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="946"/>
        <source>检测日已取消，{n} 位客户需要电话通知。</source>
        <translation>Inspection day cancelled; {n} customer(s) to phone.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="978"/>
        <source>报名成功：{plate}，名额第 {seat} 位，报名码 {code}。可打印报名单。</source>
        <translation>Registered: {plate}, seat {seat}, booking code {code}. You can print the slip.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="982"/>
        <source>名额已满：{plate} 已登记为候补第 {n} 位，报名码 {code}。有人取消时会提示电话通知。</source>
        <translation>All seats are taken: {plate} is number {n} on the wait-list, booking code {code}. If someone cancels you will be asked to call them.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="994"/>
        <source>确定取消 {plate}（{code}）的报名吗？名额会顺延给候补第一位。</source>
        <translation>Cancel the registration of {plate} ({code})? The seat goes to the first on the wait-list.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1005"/>
        <source>已取消报名。</source>
        <translation>Registration cancelled.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1009"/>
        <source>已取消报名。候补 {plate}（{name}）转为第 {seat} 位，请电话通知客户。</source>
        <translation>Registration cancelled. {plate} ({name}) moves up from the wait-list to seat {seat}; please call the customer.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1045"/>
        <source>报名单已存档，正在打开打印预览。</source>
        <translation>The slip is archived; opening the print preview.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1066"/>
        <source>扫描报名二维码，或输入报名码后按回车</source>
        <translation>Scan the registration QR code, or type the code and press Enter</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1069"/>
        <source>签到</source>
        <translation>Check in</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1102"/>
        <source>今日在岗评估师：{names}</source>
        <translation>Appraisers on duty today: {names}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1104"/>
        <source>今天没有在岗的评估师，检测工位无人接车（请店长在“员工 → 排班”中安排）。</source>
        <translation>No appraiser is on duty today, so nobody takes cars at the bays (the manager sets this under Staff → Roster).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1115"/>
        <source>{n} 号工位</source>
        <translation>Bay {n}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1115"/>
        <source>待分配工位</source>
        <translation>No bay yet</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1135"/>
        <source>已签到：{plate} {car}（{name}），请到 {bay} 号工位排队。</source>
        <translation>Checked in: {plate} {car} ({name}); please queue at bay {bay}.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1158"/>
        <source>这个工位没有等候的车辆。</source>
        <translation>No car is waiting at this bay.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1174"/>
        <source>打开检测记录：</source>
        <translation>Open inspection:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1176"/>
        <source>收车/库存评估…</source>
        <translation>Stock / buy-in inspection…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1180"/>
        <source>检测项目设置…</source>
        <translation>Checklist settings…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1201"/>
        <source>已定稿</source>
        <translation>Final</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1201"/>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1222"/>
        <source>收车/库存评估</source>
        <translation>Stock / buy-in inspection</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1222"/>
        <source>库存编号（如 BJ01-S2026-00012）：</source>
        <translation>Stock no. (e.g. BJ01-S2026-00012):</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="1245"/>
        <source>检测项目已保存，以后新开的检测按新项目进行。</source>
        <translation>Checklist saved; new inspections use it from now on.</translation>
    </message>
</context>
<context>
    <name>InspectionEditor</name>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="288"/>
        <source>待同步</source>
        <translation>Pending sync</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="291"/>
        <source>网络断开：这些修改保存在本机，恢复连接后自动同步。定稿和打印报告需要连接数据库。</source>
        <translation>Offline: these changes are kept on this PC and sync when the connection is back. Finalising and printing the report need the database connection.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="352"/>
        <source>结构性检查（有一项即判定为五级）</source>
        <translation>Structural checks (any one means grade 5)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="356"/>
        <source>事故车</source>
        <translation>Accident car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="357"/>
        <source>泡水车</source>
        <translation>Flood car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="358"/>
        <source>火烧车</source>
        <translation>Fire car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="370"/>
        <source>判定依据：部位和痕迹（如 左 A 柱切割焊接、座椅滑轨锈蚀），并在相关项目附照片</source>
        <translation>Evidence: where and what (e.g. left A-pillar cut and welded, rusty seat rails); add photos to the items</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="375"/>
        <source>估价</source>
        <translation>Valuation</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="381"/>
        <source>最低（元）</source>
        <translation>Low (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="381"/>
        <source>最高（元）</source>
        <translation>High (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="389"/>
        <source>估价方法（如 参照同款成交价，按车况调整）</source>
        <translation>Method (e.g. recent sales of the same model, adjusted for condition)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="400"/>
        <source>定稿并锁定</source>
        <translation>Finalise and lock</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="402"/>
        <source>出具检测报告</source>
        <translation>Issue the report</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="403"/>
        <source>更正（新版本）</source>
        <translation>Correct (new revision)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="495"/>
        <source>已定稿</source>
        <translation>Final</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="495"/>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="496"/>
        <source>第 {n} 版</source>
        <translation>revision {n}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="505"/>
        <source>未完成：还有 {n} 个必检项目</source>
        <translation>Unfinished: {n} required items left</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="508"/>
        <source>{score} 分 · {grade}</source>
        <translation>{score} points · {grade}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="523"/>
        <source>还有 {n} 个必检项目未检查（带 * 的项目）。</source>
        <translation>{n} required items (marked *) are not checked yet.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="534"/>
        <source>结论 · 估价</source>
        <translation>Conclusion · valuation</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="545"/>
        <source>缺陷 {n}</source>
        <translation>{n} defects</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="562"/>
        <source>本店没有同款车型的成交或在售记录可供参考。</source>
        <translation>This store has no sale or listing of the same model to compare.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="568"/>
        <source>参考车辆：</source>
        <translation>Comparable cars:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="574"/>
        <location filename="../../ui/screens/inspection_record.py" line="604"/>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="579"/>
        <location filename="../../ui/screens/inspection_record.py" line="609"/>
        <source>已自动保存</source>
        <translation>Saved</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="588"/>
        <location filename="../../ui/screens/inspection_record.py" line="633"/>
        <source>未保存</source>
        <translation>Not saved</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="620"/>
        <source>已保存在本机</source>
        <translation>Saved on this PC</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="624"/>
        <source>待同步：网络断开，检测记录的修改已保存在本机，恢复连接后自动同步。定稿和打印报告需要连接数据库。</source>
        <translation>Pending sync: the network is down; the changes to this inspection are kept on this PC and sync when the connection is back. Finalising and printing the report need the database connection.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="666"/>
        <location filename="../../ui/screens/inspection_record.py" line="691"/>
        <source>输入中…</source>
        <translation>Typing…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="717"/>
        <source>估价请填写数字（元），例如 68000。</source>
        <translation>Enter the valuation as a number of yuan, e.g. 68000.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="741"/>
        <source>选择照片</source>
        <translation>Choose photos</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="743"/>
        <source>照片 (*.jpg *.jpeg *.png *.heic *.webp *.bmp *.tif *.tiff)</source>
        <translation>Photos (*.jpg *.jpeg *.png *.heic *.webp *.bmp *.tif *.tiff)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="760"/>
        <source>已添加照片 {name}</source>
        <translation>Photo {name} added</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="769"/>
        <source>无法读取文件 {name}。</source>
        <translation>Cannot read the file {name}.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="794"/>
        <source>还有修改待同步，恢复连接并同步完成后再定稿（需要连接数据库）。</source>
        <translation>Some changes are still waiting to sync. Finalise once the connection is back and they have synced (needs the database connection).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="802"/>
        <source>已定稿：{score} 分，{grade}。记录已锁定。</source>
        <translation>Finalised: {score} points, {grade}. The record is locked.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="827"/>
        <source>存档原件</source>
        <translation>archived original</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="827"/>
        <source>客户副本</source>
        <translation>customer&apos;s copy</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="829"/>
        <source>检测报告 {number} 已生成（{which}，验证码 {code}）。</source>
        <translation>Inspection report {number} issued ({which}, verification code {code}).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="848"/>
        <source>更正检测报告</source>
        <translation>Correct the inspection report</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="848"/>
        <source>更正原因（将记入审计日志）：</source>
        <translation>Reason for the correction (goes into the audit log):</translation>
    </message>
</context>
<context>
    <name>InspectionRecord</name>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="75"/>
        <source>车身</source>
        <translation>Body</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="76"/>
        <source>发动机舱</source>
        <translation>Engine bay</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="77"/>
        <source>驾驶舱</source>
        <translation>Cabin</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="78"/>
        <source>启动</source>
        <translation>Start-up</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="79"/>
        <source>路试</source>
        <translation>Road test</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="80"/>
        <source>底盘</source>
        <translation>Chassis</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="84"/>
        <source>一级</source>
        <translation>Grade 1</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="85"/>
        <source>二级</source>
        <translation>Grade 2</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="86"/>
        <source>三级</source>
        <translation>Grade 3</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="87"/>
        <source>四级</source>
        <translation>Grade 4</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="88"/>
        <source>五级（事故车）</source>
        <translation>Grade 5 (accident car)</translation>
    </message>
</context>
<context>
    <name>InteractionDialog</name>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="89"/>
        <source>记录沟通</source>
        <translation>Log contact</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="114"/>
        <source>聊了什么：例如 介绍了凯美瑞的车况和价格</source>
        <translation>What was discussed, e.g. the Camry&apos;s condition and price</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="118"/>
        <source>客户怎么说：例如 想周末带家人来看</source>
        <translation>What the customer said, e.g. will come with the family at the weekend</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="122"/>
        <source>下一步做什么：例如 周六上午到店看车</source>
        <translation>What happens next, e.g. visit on Saturday morning</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="123"/>
        <source>定日期</source>
        <translation>Set a date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="149"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="152"/>
        <source>方式</source>
        <translation>Channel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="153"/>
        <source>沟通内容</source>
        <translation>What was discussed</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="154"/>
        <source>客户答复</source>
        <translation>Customer&apos;s answer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="155"/>
        <source>下一步</source>
        <translation>Next step</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="158"/>
        <source>A 级（热）：48 小时内再联系</source>
        <translation>Grade A (hot): call again within 48 hours</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="159"/>
        <source>B 级（温）</source>
        <translation>Grade B (warm)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="160"/>
        <source>C 级（冷）</source>
        <translation>Grade C (cold)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="161"/>
        <source>D 级（无意向）：不再自动回访</source>
        <translation>Grade D (no intent): no more planned calls</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="168"/>
        <source>按本店的回访节奏安排下次回电；填了下一步日期则以该日期为准。</source>
        <translation>The next call follows the store&apos;s cadence; a next-step date, if given, wins.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="171"/>
        <source>意向等级</source>
        <translation>Intent grade</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="176"/>
        <source>显示号码回拨</source>
        <translation>Show number to call back</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="177"/>
        <source>查看会记入审计日志</source>
        <translation>Viewing is recorded in the audit log</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="191"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="194"/>
        <source>保存（Ctrl+回车）</source>
        <translation>Save (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="247"/>
        <source>有内容超出字数上限（红色计数），请删减后再保存。</source>
        <translation>Some text is longer than its limit (red count); shorten it, then save.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/interaction.py" line="288"/>
        <source>号码：{p}（此次查看已记入审计日志）</source>
        <translation>Number: {p} (this view is recorded in the audit log)</translation>
    </message>
</context>
<context>
    <name>IntervalDialog</name>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="186"/>
        <source>保养间隔</source>
        <translation>Service interval</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="191"/>
        <source>购车客户距上次保养（或购车）满下面的月数或里程，先到者为准，就会出现在“购车客户提醒”里。里程按客户车辆的里程记录估算。</source>
        <translation>A buyer appears under Buyer reminders when the months or the kilometres below have passed since the last service (or the sale), whichever comes first. Kilometres are estimated from the car&apos;s mileage records.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="203"/>
        <source> 个月</source>
        <translation> months</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="204"/>
        <source>{low} 到 {high} 个月</source>
        <translation>{low} to {high} months</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="205"/>
        <source>按时间</source>
        <translation>By time</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="212"/>
        <source> 公里</source>
        <translation> km</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="214"/>
        <source>{low} 到 {high} 公里</source>
        <translation>{low} to {high} km</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="216"/>
        <source>按里程</source>
        <translation>By mileage</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="226"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="227"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>InventoryModel</name>
    <message>
        <location filename="../../ui/screens/inventory.py" line="87"/>
        <source>待定价</source>
        <translation>Price pending</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="104"/>
        <source>库存号</source>
        <translation>Stock no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="105"/>
        <source>品牌</source>
        <translation>Brand</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="106"/>
        <source>车型</source>
        <translation>Model</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="107"/>
        <source>年份</source>
        <translation>Year</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="108"/>
        <source>里程（公里）</source>
        <translation>Mileage (km)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="109"/>
        <source>售价（元）</source>
        <translation>Price (¥)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="110"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="111"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
</context>
<context>
    <name>InventoryScreen</name>
    <message>
        <location filename="../../ui/screens/inventory.py" line="195"/>
        <source>搜索品牌、车型、车牌、车架号或库存号</source>
        <translation>Search brand, model, plate, VIN or stock no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="205"/>
        <source>查看档案</source>
        <translation>Open archive</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="207"/>
        <source>加入对比</source>
        <translation>Add to comparison</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="211"/>
        <source>金融计算器</source>
        <translation>Loan calculator</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="217"/>
        <source>导入…</source>
        <translation>Import…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="218"/>
        <source>从 CSV 文件导入车辆</source>
        <translation>Import cars from a CSV file</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="239"/>
        <source>全部品牌</source>
        <translation>All brands</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="241"/>
        <source>全部车型</source>
        <translation>All models</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="242"/>
        <source>全部能源</source>
        <translation>All fuels</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="245"/>
        <source>全部变速箱</source>
        <translation>All gearboxes</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="248"/>
        <source>全部车身</source>
        <translation>All body types</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="249"/>
        <source>全部颜色</source>
        <translation>All colours</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="250"/>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="201"/>
        <location filename="../../ui/screens/inventory.py" line="422"/>
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="213"/>
        <source>收车入库…</source>
        <translation>Take car into stock…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="215"/>
        <source>手工登记一辆新收的车</source>
        <translation>Register a newly bought car by hand</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="220"/>
        <source>岗位权限…</source>
        <translation>Permissions…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="221"/>
        <source>设置哪些岗位可以改价格、改车辆资料</source>
        <translation>Choose which roles may change prices and car details</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="254"/>
        <location filename="../../ui/screens/inventory.py" line="255"/>
        <source> 万</source>
        <translation> ×10k</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="257"/>
        <source> 万公里</source>
        <translation> ×10k km</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="260"/>
        <source>最新入库在前</source>
        <translation>Newest intake first</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="261"/>
        <source>库存号顺序</source>
        <translation>Stock no. order</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="262"/>
        <source>价格从低到高</source>
        <translation>Price: low to high</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="263"/>
        <source>价格从高到低</source>
        <translation>Price: high to low</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="264"/>
        <source>里程最少</source>
        <translation>Lowest mileage</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="265"/>
        <source>年份最新</source>
        <translation>Newest year</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="266"/>
        <source>最新上架</source>
        <translation>Newly listed</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="270"/>
        <source>清除条件</source>
        <translation>Clear filters</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="275"/>
        <source>价格</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="279"/>
        <source>年份不早于</source>
        <translation>Year from</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="281"/>
        <source>里程不超过</source>
        <translation>Mileage up to</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="368"/>
        <source>不限</source>
        <translation>Any</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="418"/>
        <source>最低价高于最高价，请调整价格范围</source>
        <translation>The minimum price is above the maximum; please adjust the price range</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="525"/>
        <source>只有整备/评估人员和店长可以收车入库</source>
        <translation>Only stock staff (appraisers) and the manager can take cars into stock</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="528"/>
        <source>共 {count} 辆</source>
        <translation>{count} cars</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="554"/>
        <location filename="../../ui/screens/inventory.py" line="571"/>
        <source>请先在列表中选择一辆车</source>
        <translation>Please select a car in the list first</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/screens/inventory.py" line="584"/>
        <source>对比（%n）</source>
        <translation>
            <numerusform>Compare (%n)</numerusform>
            <numerusform>Compare (%n)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="586"/>
        <source>至少加入两辆车才能对比</source>
        <translation>Add at least two cars to compare</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="592"/>
        <source>车型对比</source>
        <translation>Compare cars</translation>
    </message>
</context>
<context>
    <name>ItemRowWidget</name>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="122"/>
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="123"/>
        <source>缺陷</source>
        <translation>Defect</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="124"/>
        <source>未检</source>
        <translation>Not checked</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="136"/>
        <source>轻微</source>
        <translation>Minor</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="136"/>
        <source>一般</source>
        <translation>Moderate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="136"/>
        <source>严重</source>
        <translation>Severe</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="147"/>
        <source>导入照片，也可以把照片文件拖到这一行</source>
        <translation>Import photos, or drag photo files onto this row</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="157"/>
        <source>说明（部位、大小、痕迹）</source>
        <translation>Note (where, how large, what marks)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_record.py" line="173"/>
        <location filename="../../ui/screens/inspection_record.py" line="214"/>
        <source>照片 ({n})</source>
        <translation>Photos ({n})</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="48"/>
        <source>清空</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="48"/>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
</context>
<context>
    <name>KioskArchivePage</name>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="115"/>
        <location filename="../../ui/kiosk/archive.py" line="504"/>
        <source>全屏看图</source>
        <translation>Full screen</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="120"/>
        <source>左右滑动查看更多照片</source>
        <translation>Swipe left or right for more photos</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="373"/>
        <source>手机扫码
带走这辆车的档案</source>
        <translation>Scan with your phone
to take this car&apos;s archive with you</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="190"/>
        <source>返回车辆列表</source>
        <translation>Back to the list</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="192"/>
        <location filename="../../ui/kiosk/archive.py" line="517"/>
        <source>加入对比</source>
        <translation>Add to comparison</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="196"/>
        <source>算算月供</source>
        <translation>Monthly payments</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="198"/>
        <source>预约试驾</source>
        <translation>Book a test drive</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="334"/>
        <source>这辆车刚刚已售出或暂停展示，不能再预约试驾或加入对比。请看看其他车辆。</source>
        <translation>This car has just been sold or withdrawn; it can no longer be booked or compared. Please have a look at our other cars.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="341"/>
        <source>暂时无法加载车辆信息，请稍后再试或咨询工作人员</source>
        <translation>Car information cannot be loaded right now. Please try again later or ask our staff.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="364"/>
        <source>手机看车暂未开通
请咨询工作人员</source>
        <translation>Car pages for phones
are not available yet,
please ask our staff</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="371"/>
        <source>连上门店 Wi-Fi
手机扫码带走这辆车的档案</source>
        <translation>Join the store Wi-Fi,
then scan to take
this car&apos;s file with you</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="415"/>
        <source>车况与检测</source>
        <translation>Condition and inspection</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="418"/>
        <source>本店检测评级：{grade}</source>
        <translation>Our inspection grade: {grade}</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="423"/>
        <source>（涉及结构件）</source>
        <translation> (structural parts)</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="424"/>
        <source>（凭证已存档）</source>
        <translation> (evidence on file)</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="430"/>
        <source>无事故、泡水、火烧记录</source>
        <translation>No accident, flood or fire history</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="433"/>
        <source>查看第三方检测报告（{n} 页）</source>
        <translation>Third-party inspection report ({n} pages)</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="442"/>
        <source>第三方检测报告已存档，可请工作人员为您打印</source>
        <translation>A third-party inspection report is on file; our staff can print it for you</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="444"/>
        <source>价格构成</source>
        <translation>Price breakdown</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="447"/>
        <source>一口价：{price}</source>
        <translation>Price: {price}</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="450"/>
        <source>主要配置</source>
        <translation>Main features</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="453"/>
        <source>保养记录</source>
        <translation>Service history</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="504"/>
        <source>退出全屏</source>
        <translation>Exit full screen</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="510"/>
        <source>已加入对比</source>
        <translation>Added to the comparison</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/archive.py" line="517"/>
        <source>已在对比中</source>
        <translation>In the comparison</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/kiosk/archive.py" line="518"/>
        <source>去对比（%n）</source>
        <translation>
            <numerusform>Compare (%n)</numerusform>
            <numerusform>Compare (%n)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>KioskArrivals</name>
    <message>
        <location filename="../../ui/widgets/kiosk_arrivals.py" line="317"/>
        <source>自助签到待迎接：{n} 位</source>
        <translation>Kiosk check-ins to greet: {n}</translation>
    </message>
</context>
<context>
    <name>KioskCheckInPage</name>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="125"/>
        <source>到店签到</source>
        <translation>Check in</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="128"/>
        <source>输入手机号签到</source>
        <translation>Check in with your mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="146"/>
        <source>清空</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="146"/>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="154"/>
        <source>确认签到</source>
        <translation>Check in</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="170"/>
        <source>已预约试驾或检测日？</source>
        <translation>Booked a test drive or inspection day?</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="174"/>
        <source>把短信或小程序里的预约二维码
对准屏幕下方的扫码口，
听到“嘀”一声即可签到。</source>
        <translation>Hold the booking QR code from your text message or mini program
up to the scanner below the screen;
you are checked in when you hear the beep.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="201"/>
        <source>签到后工作人员会来接待您；第一次来店也可以直接签到。</source>
        <translation>After you check in, a member of staff will come to you. First visit? You can check in too.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="313"/>
        <source>您已签到，无需重复签到</source>
        <translation>You are already checked in</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="315"/>
        <location filename="../../ui/kiosk/checkin.py" line="324"/>
        <source>签到成功</source>
        <translation>You are checked in</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="343"/>
        <source>这个预约码现在无法签到。请核对后重试，或到前台由工作人员为您办理。</source>
        <translation>This booking code cannot be used to check in now. Please check it and try again, or ask at the front desk.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/kiosk/checkin.py" line="369"/>
        <source>签到的人较多，请 %n 秒后再试。</source>
        <translation>
            <numerusform>Many check-ins just now: please try again in %n second.</numerusform>
            <numerusform>Many check-ins just now: please try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="218"/>
        <source>完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="273"/>
        <source>请输入完整的 11 位手机号。</source>
        <translation>Please enter all 11 digits of your mobile number.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="318"/>
        <source>销售顾问 {name} 马上来接待您，
请在休息区稍坐，茶水自取。</source>
        <translation>Consultant {name} will be with you shortly.
Please take a seat in the lounge and help yourself to tea.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="321"/>
        <location filename="../../ui/kiosk/checkin.py" line="325"/>
        <source>工作人员马上来接待您，
请在休息区稍坐，茶水自取。</source>
        <translation>A member of staff will be with you shortly.
Please take a seat in the lounge and help yourself to tea.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="340"/>
        <source>手机号格式不正确，请检查后重新输入。</source>
        <translation>That mobile number is not valid. Please check it and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="341"/>
        <source>没有识别出二维码，请再扫一次。</source>
        <translation>The QR code was not recognised. Please scan it again.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/checkin.py" line="345"/>
        <location filename="../../ui/kiosk/checkin.py" line="348"/>
        <source>暂时无法签到，请到前台，工作人员将为您办理。</source>
        <translation>Check-in is not available right now. Please come to the front desk and our staff will help you.</translation>
    </message>
</context>
<context>
    <name>KioskComparePage</name>
    <message>
        <location filename="../../ui/kiosk/tools.py" line="58"/>
        <source>正在连接，请稍候…</source>
        <translation>Connecting, one moment please…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/tools.py" line="61"/>
        <source>继续挑选车辆</source>
        <translation>Choose more cars</translation>
    </message>
</context>
<context>
    <name>KioskInspectionDayPage</name>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="76"/>
        <source>透明检测日报名</source>
        <translation>Inspection day sign-up</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="79"/>
        <source>资深评估师现场免费检测，出具检测报告。名额有限，满额后可登记候补。</source>
        <translation>Senior appraisers inspect your car for free and give you a written report. Seats are limited; when full you can join the wait-list.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="88"/>
        <source>近期暂无检测日安排，请留意门店通知或咨询前台。</source>
        <translation>No inspection day is planned yet. Please watch for our notices or ask at the front desk.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="114"/>
        <source>剩余名额 {left} / {seats}</source>
        <translation>{left} / {seats} seats left</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="118"/>
        <source>名额已满，可登记候补</source>
        <translation>Full — join the wait-list</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="135"/>
        <source>{day} {title}：请输入您的车牌号</source>
        <translation>{day} {title}: enter your plate number</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="168"/>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="174"/>
        <source>下一步</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="190"/>
        <source>请先点选车牌的省份简称，例如“京”。</source>
        <translation>First tap the province character of the plate, e.g. &quot;京&quot;.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="197"/>
        <source>车牌号不完整，请检查后再继续。</source>
        <translation>The plate number is incomplete; please check it.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="205"/>
        <source>我同意门店使用我的手机号办理检测日报名、签到和名额通知</source>
        <translation>I agree that the store uses my mobile number for this sign-up, check-in and seat notices</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="206"/>
        <source>确认报名</source>
        <translation>Sign up</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="255"/>
        <source>{plate} 已获得 {when} 的检测名额（第 {seat} 位）。
当天到店请出示报名码或扫描二维码签到。请拍照保存本页。</source>
        <translation>{plate} has a place on {when} (no. {seat}).
On the day, show the code or scan the QR code to check in. Please take a photo of this page.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="261"/>
        <source>{when} 的名额已满，{plate} 已登记为候补第 {n} 位。
有人取消时我们会按顺序电话通知您（{phone}）。请拍照保存本页。</source>
        <translation>{when} is full; {plate} is no. {n} on the wait-list.
If a place frees up we will call you in turn ({phone}). Please take a photo of this page.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="253"/>
        <source>报名成功</source>
        <translation>You are signed up</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/inspection_day.py" line="259"/>
        <source>已登记候补</source>
        <translation>You are on the wait-list</translation>
    </message>
</context>
<context>
    <name>KioskLoanPage</name>
    <message>
        <location filename="../../ui/kiosk/tools.py" line="102"/>
        <source>金融计算器</source>
        <translation>Loan calculator</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/tools.py" line="104"/>
        <source>结果仅供参考，实际以金融机构审批为准</source>
        <translation>For reference only; the lender&apos;s approval decides</translation>
    </message>
</context>
<context>
    <name>KioskReportView</name>
    <message>
        <location filename="../../ui/kiosk/report.py" line="49"/>
        <source>第三方检测报告</source>
        <translation>Third-party inspection report</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/report.py" line="54"/>
        <source>返回车辆档案</source>
        <translation>Back to the car</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/report.py" line="96"/>
        <source>共 {n} 页 · 文件指纹（SHA-256）{sha}</source>
        <translation>{n} pages · file fingerprint (SHA-256) {sha}</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/report.py" line="103"/>
        <source>第 {n} 页加载中…</source>
        <translation>Loading page {n}…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/report.py" line="132"/>
        <source>第 {n} 页暂时无法显示，请咨询工作人员</source>
        <translation>Page {n} cannot be shown right now; please ask our staff</translation>
    </message>
</context>
<context>
    <name>KioskTestDrivePage</name>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="86"/>
        <source>请输入车窗展示单上的库存编号</source>
        <translation>Enter the stock no. on the window sticker</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="88"/>
        <source>输入编号最后几位数字即可，例如 00042 输入 42</source>
        <translation>Just enter the last few digits, e.g. 42 for 00042</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="93"/>
        <source>下一步</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="117"/>
        <source>请先输入库存编号。</source>
        <translation>Please enter the stock no. first.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="137"/>
        <source>今天</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="137"/>
        <source>明天</source>
        <translation>Tomorrow</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="137"/>
        <source>后天</source>
        <translation>Day after tomorrow</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="172"/>
        <source>这一天已经约满或已过营业时间，请换一天。</source>
        <translation>This day is fully booked or past opening hours. Please choose another day.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="191"/>
        <source>我同意门店使用我的手机号办理本次试驾预约并与我联系</source>
        <translation>I agree that the store may use my mobile number for this test-drive booking and to contact me</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="192"/>
        <source>确认预约</source>
        <translation>Confirm booking</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="239"/>
        <source>已为您预约 {car}
{when}
到店时请出示预约码或扫描二维码。</source>
        <translation>Your test drive of the {car} is booked:
{when}
Show the booking code or scan the QR code when you arrive.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/test_drive.py" line="229"/>
        <source>预约成功</source>
        <translation>Booked</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../../ui/kiosk/window.py" line="114"/>
        <source>返回首页</source>
        <translation>Home</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="127"/>
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="156"/>
        <source>浏览在售车辆</source>
        <translation>Browse cars for sale</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="156"/>
        <source>车况透明，价格公开</source>
        <translation>Open records, open prices</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="157"/>
        <source>预约试驾</source>
        <translation>Book a test drive</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="157"/>
        <source>选好车型，约个时间</source>
        <translation>Pick a car and a time</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="160"/>
        <source>透明检测日报名</source>
        <translation>Inspection day sign-up</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="161"/>
        <source>每月免费检测，名额有限</source>
        <translation>Free monthly inspection, limited places</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="164"/>
        <source>扫码签到</source>
        <translation>Scan to check in</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="164"/>
        <source>已预约的客户在此签到</source>
        <translation>Check in here if you have a booking</translation>
    </message>
</context>
<context>
    <name>KioskWording</name>
    <message>
        <location filename="../../ui/kiosk/wording.py" line="24"/>
        <location filename="../../ui/widgets/names.py" line="21"/>
        <source>zh</source>
        <translation>en</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/wording.py" line="65"/>
        <source>{who}，您好！</source>
        <translation>Hello, {who}! </translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/wording.py" line="66"/>
        <source>您好！</source>
        <translation>Hello! </translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/wording.py" line="73"/>
        <source>{who}，欢迎光临！</source>
        <translation>Welcome, {who}! </translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/wording.py" line="74"/>
        <source>欢迎光临！</source>
        <translation>Welcome! </translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../ui/widgets/labels.py" line="37"/>
        <source>店长</source>
        <translation>Manager</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="38"/>
        <source>前台</source>
        <translation>Reception</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="39"/>
        <source>销售顾问</source>
        <translation>Sales</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="40"/>
        <source>评估师</source>
        <translation>Appraiser</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="44"/>
        <source>加班</source>
        <translation>Extra shift</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="45"/>
        <source>调休</source>
        <translation>Day off (swapped)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="46"/>
        <source>休假</source>
        <translation>Leave</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="47"/>
        <source>病假</source>
        <translation>Sick</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="48"/>
        <source>外出</source>
        <translation>Off-site</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="52"/>
        <source>整备中</source>
        <translation>Preparing</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="53"/>
        <source>在售</source>
        <translation>On sale</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="54"/>
        <source>已预订</source>
        <translation>Reserved</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="55"/>
        <location filename="../../ui/widgets/labels.py" line="61"/>
        <location filename="../../ui/widgets/labels.py" line="70"/>
        <source>试驾中</source>
        <translation>On test drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="56"/>
        <source>已售</source>
        <translation>Sold</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="68"/>
        <source>等待接待</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="69"/>
        <source>顾问接待中</source>
        <translation>With consultant</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="71"/>
        <source>已离店</source>
        <translation>Left</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="75"/>
        <source>自然到店</source>
        <translation>Walk-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="76"/>
        <source>线上预约</source>
        <translation>Online booking</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="77"/>
        <source>老客户介绍</source>
        <translation>Referral</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="78"/>
        <source>短视频</source>
        <translation>Short video</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="79"/>
        <source>二手车平台</source>
        <translation>Listing platform</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="80"/>
        <source>电话咨询</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="81"/>
        <location filename="../../ui/widgets/labels.py" line="102"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="85"/>
        <source>先生</source>
        <translation>Mr</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="86"/>
        <source>女士</source>
        <translation>Ms</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="90"/>
        <source>A 级（7 天内）</source>
        <translation>A (within 7 days)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="91"/>
        <source>B 级（15 天内）</source>
        <translation>B (within 15 days)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="92"/>
        <source>C 级（30 天内）</source>
        <translation>C (within 30 days)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="93"/>
        <source>D 级（暂无计划）</source>
        <translation>D (no plans yet)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="97"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="98"/>
        <source>微信</source>
        <translation>WeChat</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="99"/>
        <source>短信</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="100"/>
        <source>到店面谈</source>
        <translation>In store</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="101"/>
        <source>在线咨询</source>
        <translation>Online chat</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="106"/>
        <source>个人</source>
        <translation>Individual</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="107"/>
        <source>单位</source>
        <translation>Company</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="111"/>
        <source>买车</source>
        <translation>Buyer</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="112"/>
        <source>卖车</source>
        <translation>Seller</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="113"/>
        <source>置换</source>
        <translation>Trade-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="117"/>
        <source>全款</source>
        <translation>Full payment</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="118"/>
        <source>贷款</source>
        <translation>Loan</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="122"/>
        <source>待响应</source>
        <translation>Awaiting reply</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="123"/>
        <source>已联系</source>
        <translation>Contacted</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="124"/>
        <source>已到店</source>
        <translation>Visited</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="125"/>
        <source>已关闭</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="129"/>
        <source>导入车辆</source>
        <translation>Import cars</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="130"/>
        <source>登录</source>
        <translation>Signed in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="131"/>
        <source>登录失败</source>
        <translation>Sign-in failed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="132"/>
        <source>离线登录</source>
        <translation>Signed in offline</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="133"/>
        <source>锁定期间尝试登录</source>
        <translation>Sign-in while locked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="134"/>
        <source>账号被锁定</source>
        <translation>Account locked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="135"/>
        <source>解锁账号</source>
        <translation>Account unlocked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="136"/>
        <source>新建员工账号</source>
        <translation>Staff account created</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="137"/>
        <source>新建门店</source>
        <translation>Store created</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="138"/>
        <source>自助机员工解锁</source>
        <translation>Kiosk staff unlock</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="139"/>
        <source>自助机 PIN 错误</source>
        <translation>Kiosk wrong PIN</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="140"/>
        <source>自助机签到</source>
        <translation>Kiosk check-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="141"/>
        <source>接待自助签到客户</source>
        <translation>Greeted a kiosk check-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="142"/>
        <source>自助签到未见到此人</source>
        <translation>Kiosk check-in: nobody there</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="143"/>
        <source>查看完整个人信息</source>
        <translation>Personal data revealed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="144"/>
        <source>生成演示数据</source>
        <translation>Demo data generated</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="145"/>
        <source>设置回访节奏</source>
        <translation>Follow-up cadence set</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="146"/>
        <source>修改战败原因列表</source>
        <translation>Lost-deal reasons changed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="147"/>
        <source>登记推荐</source>
        <translation>Referral recorded</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="148"/>
        <source>推荐奖励兑现</source>
        <translation>Referral reward paid</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="149"/>
        <source>设置经营目标</source>
        <translation>Targets set</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="150"/>
        <source>记录车辆里程</source>
        <translation>Record car mileage</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="151"/>
        <source>设置保养间隔</source>
        <translation>Set service interval</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="152"/>
        <source>设置顾问个人目标</source>
        <translation>Set consultant targets</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="153"/>
        <source>新建客户</source>
        <translation>Customer created</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="154"/>
        <source>到店登记</source>
        <translation>Visit checked in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="155"/>
        <source>预约试驾</source>
        <translation>Test drive booked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="156"/>
        <source>试驾出车</source>
        <translation>Test drive out</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="157"/>
        <source>试驾还车</source>
        <translation>Test drive returned</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="158"/>
        <source>核验驾驶证</source>
        <translation>Driving licence checked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="159"/>
        <source>签署试驾协议</source>
        <translation>Test-drive agreement signed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="160"/>
        <source>试驾未到店</source>
        <translation>Test-drive no-show</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="161"/>
        <source>取消试驾</source>
        <translation>Test drive cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="162"/>
        <source>打印/存档文件</source>
        <translation>Document printed / archived</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="163"/>
        <source>重印文件（副本）</source>
        <translation>Document reprinted (copy)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="165"/>
        <source>检测报告定稿</source>
        <translation>Inspection report finalised</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="166"/>
        <source>新建检测日</source>
        <translation>New inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="167"/>
        <source>检测日报名（名额/候补）</source>
        <translation>Inspection day registration (seat / wait-list)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="168"/>
        <source>取消检测日报名</source>
        <translation>Inspection day registration cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="169"/>
        <source>候补转为正式名额</source>
        <translation>Wait-list moved up to a seat</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="170"/>
        <source>已电话通知候补转正</source>
        <translation>Called about the seat from the wait-list</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="171"/>
        <source>检测日签到</source>
        <translation>Inspection day check-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="172"/>
        <source>评估师接车检测</source>
        <translation>Appraiser took a car</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="173"/>
        <source>开始检测</source>
        <translation>Inspection started</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="174"/>
        <source>更正检测报告（新版本）</source>
        <translation>Inspection report corrected (new revision)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="175"/>
        <source>修改门店检测项目</source>
        <translation>Store checklist changed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="176"/>
        <source>收取意向金</source>
        <translation>Deposit taken</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="177"/>
        <source>意向金抵扣车款</source>
        <translation>Deposit credited to the price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="178"/>
        <source>退还意向金</source>
        <translation>Deposit refunded</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="179"/>
        <source>没收意向金</source>
        <translation>Forfeit deposit</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="180"/>
        <source>意向金到期，解除预订</source>
        <translation>Deposit expired, reservation released</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="181"/>
        <source>起草合同</source>
        <translation>Contract drafted</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="182"/>
        <source>签订合同</source>
        <translation>Contract signed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="183"/>
        <source>作废合同</source>
        <translation>Contract voided</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="184"/>
        <source>七日退车</source>
        <translation>7-day return</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="185"/>
        <source>保修报修</source>
        <translation>Warranty claim opened</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="186"/>
        <source>保修结论</source>
        <translation>Warranty claim decided</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="187"/>
        <source>起草收车协议</source>
        <translation>Purchase agreement drafted</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="188"/>
        <source>签订收车协议</source>
        <translation>Purchase agreement signed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="189"/>
        <source>作废收车协议</source>
        <translation>Purchase agreement voided</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="190"/>
        <source>置换车款抵扣</source>
        <translation>Trade-in credited</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="191"/>
        <source>登记投诉</source>
        <translation>Complaint recorded</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="192"/>
        <source>转交投诉</source>
        <translation>Complaint handed over</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="193"/>
        <source>投诉处理完毕</source>
        <translation>Complaint resolved</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="194"/>
        <source>合并重复客户</source>
        <translation>Duplicate customers merged</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="195"/>
        <source>撤销客户合并</source>
        <translation>Customer merge undone</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="196"/>
        <source>改派接待顾问</source>
        <translation>Consultant reassigned</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="197"/>
        <source>离店登记</source>
        <translation>Visit checked out</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="198"/>
        <source>修改车辆状态</source>
        <translation>Changed vehicle status</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="199"/>
        <source>修改车辆资料</source>
        <translation>Edited vehicle details</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="200"/>
        <source>导入车辆照片</source>
        <translation>Imported vehicle photos</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="201"/>
        <source>调整照片顺序</source>
        <translation>Reordered photos</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="202"/>
        <source>设置封面照片</source>
        <translation>Set the cover photo</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="203"/>
        <source>删除车辆照片</source>
        <translation>Deleted a vehicle photo</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="204"/>
        <source>撤回营销同意</source>
        <translation>Withdraw marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="205"/>
        <source>导出个人信息</source>
        <translation>Export personal data</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="206"/>
        <source>删除个人信息（匿名化）</source>
        <translation>Personal data erased (anonymised)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="207"/>
        <source>按保留期限清除</source>
        <translation>Purged by the retention period</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="208"/>
        <source>修改员工资料</source>
        <translation>Edit staff details</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="209"/>
        <source>停用员工账号</source>
        <translation>Disable staff account</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="210"/>
        <source>启用员工账号</source>
        <translation>Re-enable staff account</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="211"/>
        <source>重置密码（临时密码）</source>
        <translation>Reset password (temporary)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="212"/>
        <source>修改密码</source>
        <translation>Change password</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="213"/>
        <source>修改密码失败（当前密码错误）</source>
        <translation>Password change refused (wrong current password)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="214"/>
        <source>设置 PIN</source>
        <translation>Set PIN</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="215"/>
        <source>重置 PIN</source>
        <translation>Reset PIN</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="216"/>
        <source>清除 PIN</source>
        <translation>Clear PIN</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="217"/>
        <source>修改每周排班</source>
        <translation>Change weekly roster</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="218"/>
        <source>修改当天排班</source>
        <translation>Change roster day</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="219"/>
        <source>修改门店资料</source>
        <translation>Edit store profile</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="220"/>
        <source>设置门店标志</source>
        <translation>Set store logo</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="221"/>
        <source>移除门店标志</source>
        <translation>Remove store logo</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="222"/>
        <source>排队客户分配给空闲顾问</source>
        <translation>Queued visitor given to a free consultant</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="223"/>
        <source>修改客户资料</source>
        <translation>Customer details changed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="224"/>
        <source>设置客户标签</source>
        <translation>Customer tag set</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="225"/>
        <source>登记线索</source>
        <translation>Lead recorded</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="226"/>
        <source>分配线索</source>
        <translation>Lead assigned</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="227"/>
        <source>关闭线索</source>
        <translation>Lead closed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="228"/>
        <source>导入线索</source>
        <translation>Leads imported</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="229"/>
        <source>收车入库</source>
        <translation>Car taken into stock</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="230"/>
        <source>修改价格构成</source>
        <translation>Prices changed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="231"/>
        <source>修改照片分类</source>
        <translation>Photos re-filed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="232"/>
        <source>附加第三方检测报告</source>
        <translation>Third-party report attached</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="233"/>
        <source>移除第三方检测报告</source>
        <translation>Third-party report removed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="234"/>
        <source>添加事故/泡水/火烧记录</source>
        <translation>Accident/flood/fire entry added</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="235"/>
        <source>修改事故/泡水/火烧记录</source>
        <translation>Accident/flood/fire entry changed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="236"/>
        <source>删除事故/泡水/火烧记录</source>
        <translation>Accident/flood/fire entry removed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="237"/>
        <source>添加保养记录</source>
        <translation>Maintenance entry added</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="238"/>
        <source>修改保养记录</source>
        <translation>Maintenance entry changed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="239"/>
        <source>删除保养记录</source>
        <translation>Maintenance entry removed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="240"/>
        <source>修改岗位权限</source>
        <translation>Role permissions changed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="241"/>
        <source>修改检测日</source>
        <translation>Inspection day changed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="242"/>
        <source>取消检测日</source>
        <translation>Inspection day cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="247"/>
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="248"/>
        <location filename="../../ui/widgets/labels.py" line="249"/>
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="250"/>
        <source>修改项</source>
        <translation>Fields</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="251"/>
        <location filename="../../ui/widgets/labels.py" line="311"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="252"/>
        <source>原为</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="253"/>
        <source>改为</source>
        <translation>To</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="254"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="256"/>
        <source>剩余次数</source>
        <translation>Attempts left</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="257"/>
        <source>分钟</source>
        <translation>Minutes</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="258"/>
        <location filename="../../ui/widgets/labels.py" line="325"/>
        <source>编号</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="259"/>
        <source>字段</source>
        <translation>Field</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="260"/>
        <source>预约码</source>
        <translation>Booking code</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="262"/>
        <source>收据号</source>
        <translation>Receipt no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="263"/>
        <source>合同号</source>
        <translation>Contract no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="264"/>
        <source>原合同号</source>
        <translation>Original contract no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="265"/>
        <source>付款方式</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="266"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="267"/>
        <source>签署文本摘要</source>
        <translation>Signed text digest</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="268"/>
        <source>报告号</source>
        <translation>Report no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="269"/>
        <source>价格</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="270"/>
        <source>金额</source>
        <translation>Amount</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="271"/>
        <source>座位号</source>
        <translation>Seat</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="276"/>
        <source>报名</source>
        <translation>Registrations</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="280"/>
        <source>回访</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="281"/>
        <source>停止的营销回访</source>
        <translation>Sales calls stopped</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="282"/>
        <source>渠道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="283"/>
        <source>导出内容</source>
        <translation>Exported</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="284"/>
        <source>依法保留</source>
        <translation>Kept by law</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="285"/>
        <source>已匿名化</source>
        <translation>Anonymised</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="286"/>
        <source>保留年数</source>
        <translation>Years kept</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="287"/>
        <source>意向等级</source>
        <translation>Intent</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="289"/>
        <source>里程日期</source>
        <translation>Mileage date</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="290"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="291"/>
        <source>战败原因</source>
        <translation>Lost-deal reason</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="292"/>
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="294"/>
        <source>新增</source>
        <translation>Created</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="295"/>
        <source>合并</source>
        <translation>Merged</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="296"/>
        <source>无变化</source>
        <translation>Unchanged</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="297"/>
        <source>拒绝</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="298"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="299"/>
        <source>启用</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="300"/>
        <source>收购方式</source>
        <translation>Acquisition</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="301"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="302"/>
        <source>工位</source>
        <translation>Bay</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="303"/>
        <source>工位数</source>
        <translation>Bays</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="305"/>
        <source>照片类别</source>
        <translation>Photo categories</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="306"/>
        <source>类别</source>
        <translation>Classes</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="307"/>
        <source>副本号</source>
        <translation>Copy no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="308"/>
        <source>成本价</source>
        <translation>Cost price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="309"/>
        <source>数量</source>
        <translation>Count</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="310"/>
        <source>损伤</source>
        <translation>Damage</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="312"/>
        <source>条目</source>
        <translation>Entry</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="313"/>
        <source>检测日</source>
        <translation>Inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="314"/>
        <source>已补位</source>
        <translation>Seats filled</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="315"/>
        <source>已标记</source>
        <translation>Flagged</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="316"/>
        <source>空出的座位</source>
        <translation>Seat freed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="317"/>
        <source>原版本</source>
        <translation>From revision</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="319"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="320"/>
        <source>自助机</source>
        <translation>Kiosk</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="322"/>
        <source>标价</source>
        <translation>List price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="323"/>
        <source>营销同意</source>
        <translation>Marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="324"/>
        <source>已改期</source>
        <translation>Moved</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="326"/>
        <source>表显里程（公里）</source>
        <translation>Odometer (km)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="327"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="328"/>
        <source>页数</source>
        <translation>Pages</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="329"/>
        <source>权限</source>
        <translation>Permission</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="330"/>
        <source>导入模板</source>
        <translation>Import template</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="331"/>
        <source>候补转正</source>
        <translation>Promoted from wait list</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="332"/>
        <source>重新编号</source>
        <translation>Renumbered</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="333"/>
        <source>已恢复</source>
        <translation>Restored</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="334"/>
        <source>版本</source>
        <translation>Revision</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="335"/>
        <source>评分</source>
        <translation>Score</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="336"/>
        <source>座位</source>
        <translation>Seat</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="337"/>
        <source>座位数</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="338"/>
        <source>待回电</source>
        <translation>To call back</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="339"/>
        <source>已更新</source>
        <translation>Updated</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="340"/>
        <source>途径</source>
        <translation>Via</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="341"/>
        <source>车架号</source>
        <translation>VIN</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="342"/>
        <source>车架号已核对</source>
        <translation>VIN confirmed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="343"/>
        <source>到店序号</source>
        <translation>Visit no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="344"/>
        <source>候补</source>
        <translation>Wait list</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="345"/>
        <source>跳过回访节奏</source>
        <translation>Cadence skipped</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="346"/>
        <source>索赔单号</source>
        <translation>Claim no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="347"/>
        <source>投诉编号</source>
        <translation>Complaint no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="348"/>
        <source>费用</source>
        <translation>Cost</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="349"/>
        <source>客户承担</source>
        <translation>Paid by customer</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="350"/>
        <source>结论</source>
        <translation>Decision</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="351"/>
        <source>扣款</source>
        <translation>Deductions</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="352"/>
        <source>礼品</source>
        <translation>Gift</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="353"/>
        <source>逾期</source>
        <translation>Late</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="288"/>
        <location filename="../../ui/widgets/labels.py" line="354"/>
        <source>里程（公里）</source>
        <translation>Mileage (km)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="355"/>
        <source>负责人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="356"/>
        <source>部件</source>
        <translation>Part</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="357"/>
        <source>收车协议号</source>
        <translation>Purchase no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="358"/>
        <source>被推荐人</source>
        <translation>Referred</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="359"/>
        <source>推荐人</source>
        <translation>Referrer</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="360"/>
        <source>退款</source>
        <translation>Refund</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="361"/>
        <source>退车协议号</source>
        <translation>Return no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="362"/>
        <source>奖励</source>
        <translation>Reward</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="363"/>
        <source>满意度</source>
        <translation>Satisfaction</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="364"/>
        <source>库存编号</source>
        <translation>Stock no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="365"/>
        <source>投诉类别</source>
        <translation>Topic</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="366"/>
        <source>在保修范围内</source>
        <translation>Within terms</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="370"/>
        <source>手机号</source>
        <translation>Mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="371"/>
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="375"/>
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="389"/>
        <source>回访节奏</source>
        <translation>Follow-up cadence</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="390"/>
        <source>保养间隔</source>
        <translation>Service interval</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="391"/>
        <source>推荐</source>
        <translation>Referral</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="392"/>
        <source>购车客户提醒名单</source>
        <translation>Buyer reminder list</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="398"/>
        <source>预约未到</source>
        <translation>Missed appointment</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="399"/>
        <source>连续两次未回应</source>
        <translation>Two calls unanswered</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="400"/>
        <source>A 级 15 天未联系</source>
        <translation>Grade A, silent 15 days</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="401"/>
        <source>意向金即将到期</source>
        <translation>Deposit about to lapse</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="451"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="255"/>
        <location filename="../../ui/widgets/labels.py" line="376"/>
        <source>门店</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="381"/>
        <source>试驾提醒名单</source>
        <translation>Test-drive reminder list</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="293"/>
        <location filename="../../ui/widgets/labels.py" line="382"/>
        <source>文件</source>
        <translation>Document</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="321"/>
        <location filename="../../ui/widgets/labels.py" line="387"/>
        <source>线索</source>
        <translation>Lead</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="388"/>
        <source>客户标签</source>
        <translation>Customer tags</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="435"/>
        <source>{key}：{value}</source>
        <translation>{key}: {value}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="439"/>
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="273"/>
        <location filename="../../ui/widgets/labels.py" line="377"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="36"/>
        <source>集团管理</source>
        <translation>Group manager</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="261"/>
        <location filename="../../ui/widgets/labels.py" line="272"/>
        <location filename="../../ui/widgets/labels.py" line="304"/>
        <location filename="../../ui/widgets/labels.py" line="378"/>
        <source>车辆</source>
        <translation>Vehicle</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="274"/>
        <location filename="../../ui/widgets/labels.py" line="379"/>
        <source>到店</source>
        <translation>Visit</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="275"/>
        <location filename="../../ui/widgets/labels.py" line="380"/>
        <source>试驾</source>
        <translation>Test drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="278"/>
        <location filename="../../ui/widgets/labels.py" line="383"/>
        <source>意向金</source>
        <translation>Deposit</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="279"/>
        <location filename="../../ui/widgets/labels.py" line="384"/>
        <source>合同</source>
        <translation>Contract</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="164"/>
        <location filename="../../ui/widgets/labels.py" line="385"/>
        <source>检测日报名</source>
        <translation>Inspection day registration</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="277"/>
        <location filename="../../ui/widgets/labels.py" line="318"/>
        <location filename="../../ui/widgets/labels.py" line="386"/>
        <source>检测</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="60"/>
        <source>已预约</source>
        <translation>Booked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="62"/>
        <source>已还车</source>
        <translation>Returned</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="63"/>
        <source>已取消</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="64"/>
        <source>未到店</source>
        <translation>No-show</translation>
    </message>
</context>
<context>
    <name>LeadCloseDialog</name>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="30"/>
        <location filename="../../ui/dialogs/lead_close.py" line="63"/>
        <source>关闭线索</source>
        <translation>Close lead</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="41"/>
        <source>请选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="43"/>
        <source>战败：{reason}</source>
        <translation>Lost: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="44"/>
        <source>无效线索（空号、重复等，请写明）</source>
        <translation>Not a real lead (dead number, duplicate…; say which)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="45"/>
        <source>关闭原因</source>
        <translation>Reason for closing</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="47"/>
        <source>补充说明（无效线索必填）</source>
        <translation>Details (required for a lead that is not real)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="50"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="52"/>
        <source>关闭后线索不再出现在回访列表中。</source>
        <translation>A closed lead leaves the follow-up list.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="64"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_close.py" line="71"/>
        <source>请选择关闭原因：战败原因，或无效线索。</source>
        <translation>Choose why the lead is closed: a lost-deal reason, or not a real lead.</translation>
    </message>
</context>
<context>
    <name>LeadDialog</name>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="77"/>
        <source>新建线索</source>
        <translation>New lead</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="87"/>
        <source>11 位手机号</source>
        <translation>11-digit mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="89"/>
        <source>不知道可不填；“薛女士”也可以</source>
        <translation>Optional; &quot;Ms Xue&quot; is fine</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="91"/>
        <source>（不填）</source>
        <translation>(not given)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="104"/>
        <source>平台名称（电话来的可不填）</source>
        <translation>Platform (leave empty for a phone call)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="112"/>
        <source>例如：2021款 丰田 凯美瑞 2.0G</source>
        <translation>e.g. 2021 Toyota Camry 2.0G</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="114"/>
        <source>客户问了什么、留言内容</source>
        <translation>What they asked, their message</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="120"/>
        <source>（暂不分配）</source>
        <translation>(not assigned yet)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="129"/>
        <source>须在收到后 {h} 小时内联系（门店设置）。</source>
        <translation>Must be contacted within {h} hours of receipt (store setting).</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="135"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="136"/>
        <source>称呼</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="137"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="138"/>
        <source>咨询车辆</source>
        <translation>Car asked about</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="139"/>
        <source>留言</source>
        <translation>Message</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="140"/>
        <source>跟进顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="141"/>
        <source>收到时间</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="148"/>
        <source>在原线索上记录这次沟通</source>
        <translation>Log this enquiry on the existing lead</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="152"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="155"/>
        <source>登记线索</source>
        <translation>Record lead</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="219"/>
        <source>有内容超出字数上限（红色计数），请删减后再保存。</source>
        <translation>Some text is longer than its limit (red count); shorten it, then save.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead.py" line="249"/>
        <source>再次咨询：{text}</source>
        <translation>Asked again: {text}</translation>
    </message>
</context>
<context>
    <name>LeadImportDialog</name>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="83"/>
        <source>导入平台线索</source>
        <translation>Import platform leads</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="89"/>
        <source>平台后台导出的线索 CSV 文件</source>
        <translation>The leads CSV exported from the platform</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="90"/>
        <source>选择文件…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="96"/>
        <source>文件</source>
        <translation>File</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="99"/>
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="104"/>
        <source>按表头识别：手机号/电话、姓名、提交时间、线索编号、意向车源、留言、负责顾问。同一号码已有未处理线索的，本次咨询记在原线索上；导入过的线索编号不会重复导入。</source>
        <translation>Columns are recognised by their headers: mobile/phone, name, time submitted, lead id, car, message, consultant. A number with an open lead gets this enquiry logged on that lead; a lead id imported before is not imported again.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="118"/>
        <source>检查（不写入）</source>
        <translation>Check (writes nothing)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="120"/>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="123"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="141"/>
        <source>选择线索文件</source>
        <translation>Choose the leads file</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="141"/>
        <source>CSV 文件 (*.csv)</source>
        <translation>CSV file (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="149"/>
        <source>请先选择要导入的文件。</source>
        <translation>Choose the file to import first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="185"/>
        <source>正在检查…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="185"/>
        <source>正在导入…</source>
        <translation>Importing…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="201"/>
        <source>检查结果：共 {total} 行，将新增 {created}，将合并 {merged}，无变化 {unchanged}，拒绝 {rejected}（尚未写入）</source>
        <translation>Check: {total} rows; would create {created}, merge {merged}, unchanged {unchanged}, rejected {rejected} (nothing written yet)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="206"/>
        <source>已导入：共 {total} 行，新增 {created}，合并 {merged}，无变化 {unchanged}，拒绝 {rejected}</source>
        <translation>Imported: {total} rows; created {created}, merged {merged}, unchanged {unchanged}, rejected {rejected}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="210"/>
        <source>。报告已保存：{path}</source>
        <translation>. Report saved: {path}</translation>
    </message>
</context>
<context>
    <name>LeadsModel</name>
    <message>
        <location filename="../../ui/screens/leads.py" line="94"/>
        <source>收到时间</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="95"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="96"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="97"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="98"/>
        <source>咨询车辆</source>
        <translation>Car asked about</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="99"/>
        <source>跟进顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="100"/>
        <source>响应期限</source>
        <translation>Reply by</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="101"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="102"/>
        <source>最近沟通</source>
        <translation>Last contact</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="118"/>
        <source>下次回访 {day}（{grade} 级）</source>
        <translation>Next call {day} (grade {grade})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="122"/>
        <source>战败：{reason}</source>
        <translation>Lost: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="126"/>
        <source>已于 {when} 联系</source>
        <translation>Contacted {when}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="133"/>
        <source>已超时 {d} 天</source>
        <translation>Overdue {d} d</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="134"/>
        <source>已超时 {h} 小时 {m} 分</source>
        <translation>Overdue {h} h {m} min</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="135"/>
        <source>剩 {h} 小时 {m} 分</source>
        <translation>{h} h {m} min left</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="141"/>
        <source>（未留姓名）</source>
        <translation>(no name given)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="149"/>
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
</context>
<context>
    <name>LeadsScreen</name>
    <message>
        <location filename="../../ui/screens/leads.py" line="174"/>
        <source>待处理</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="175"/>
        <source>已超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="176"/>
        <source>已到店</source>
        <translation>Visited</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="177"/>
        <source>已关闭</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="178"/>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="193"/>
        <source>线索</source>
        <translation>Leads</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="209"/>
        <source>全部顾问</source>
        <translation>All consultants</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="210"/>
        <source>我跟进的</source>
        <translation>Mine</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="211"/>
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="215"/>
        <source>手机号 / 尾号 / 姓名 / 车型 / 平台</source>
        <translation>Mobile / last digits / name / car / platform</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="229"/>
        <source>新建线索…（Ctrl+N）</source>
        <translation>New lead… (Ctrl+N)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="231"/>
        <source>回电 / 记录沟通（回车）</source>
        <translation>Call back / log contact (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="234"/>
        <location filename="../../ui/screens/leads.py" line="382"/>
        <source>分配顾问…</source>
        <translation>Assign consultant…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="236"/>
        <source>关闭线索…</source>
        <translation>Close lead…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="238"/>
        <source>客户档案</source>
        <translation>Customer record</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="240"/>
        <source>导入平台线索…</source>
        <translation>Import platform leads…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="349"/>
        <source>待处理 {open} 条，其中超时 {overdue} 条（须在 {h} 小时内联系）</source>
        <translation>{open} open, {overdue} of them overdue (to be contacted within {h} hours)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="353"/>
        <source>；我跟进的 {open} 条，超时 {overdue} 条</source>
        <translation>; mine: {open}, {overdue} overdue</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="361"/>
        <source>共 {n} 条</source>
        <translation>{n} in all</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="382"/>
        <source>我来跟进</source>
        <translation>I&apos;ll take it</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="402"/>
        <source>已登记线索，请在 {due} 前联系。</source>
        <translation>Lead recorded; contact them before {due}.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="404"/>
        <source>该号码是老客户 {name}，已关联到其档案。</source>
        <translation>The number is returning customer {name}&apos;s; linked to their record.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="409"/>
        <source>待同步：网络断开，线索已保存在本机，恢复连接后自动登记。</source>
        <translation>Pending sync: the network is down. The lead is saved on this PC and recorded automatically when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="414"/>
        <source>已有线索</source>
        <translation>Existing lead</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="420"/>
        <location filename="../../ui/screens/leads.py" line="525"/>
        <source>（未留姓名）</source>
        <translation>(no name given)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="438"/>
        <location filename="../../ui/screens/leads.py" line="527"/>
        <source>线索：{name} {phone}</source>
        <translation>Lead: {name} {phone}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="461"/>
        <source>待同步：网络断开，沟通记录已保存在本机，恢复连接后自动登记。</source>
        <translation>Pending sync: the network is down. The contact is saved on this PC and recorded automatically when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="464"/>
        <source>沟通记录已保存，线索已响应。</source>
        <translation>Contact saved; the lead has been answered.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="484"/>
        <source>（取消分配）</source>
        <translation>(unassign)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="487"/>
        <source>分配顾问</source>
        <translation>Assign consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="487"/>
        <source>由谁跟进这条线索：</source>
        <translation>Who follows up this lead:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="503"/>
        <source>已分配给 {name}。</source>
        <translation>Assigned to {name}.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="505"/>
        <source>已取消分配。</source>
        <translation>Unassigned.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/leads.py" line="551"/>
        <source>线索已关闭。</source>
        <translation>Lead closed.</translation>
    </message>
</context>
<context>
    <name>LicenceDialog</name>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="205"/>
        <source>核验驾驶证</source>
        <translation>Check driving licence</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="209"/>
        <source>18 位证号（与身份证号相同）</source>
        <translation>18 digits (same as the ID number)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="215"/>
        <source>选择驾驶证照片…</source>
        <translation>Choose a licence photo…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="217"/>
        <source>试驾车辆</source>
        <translation>Test-drive car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="218"/>
        <source>驾驶证号</source>
        <translation>Licence no.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="219"/>
        <source>准驾车型</source>
        <translation>Licence class</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="220"/>
        <source>有效期至</source>
        <translation>Valid until</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="221"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="222"/>
        <source>照片（可选）</source>
        <translation>Photo (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="227"/>
        <source>驾驶证照片</source>
        <translation>Driving licence photo</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="227"/>
        <source>图片 (*.png *.jpg *.jpeg)</source>
        <translation>Images (*.png *.jpg *.jpeg)</translation>
    </message>
</context>
<context>
    <name>LimitCounter</name>
    <message>
        <location filename="../../ui/widgets/limits.py" line="42"/>
        <location filename="../../ui/widgets/limits.py" line="63"/>
        <source>最多 {n} 个字</source>
        <translation>At most {n} characters</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/limits.py" line="57"/>
        <source>超出 {extra} 字，最多 {n} 个字</source>
        <translation>{extra} characters over; at most {n}</translation>
    </message>
</context>
<context>
    <name>LoanCalculator</name>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="42"/>
        <source>请输入正确的车价。</source>
        <translation>Please enter a valid car price.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="43"/>
        <source>请输入正确的首付金额。</source>
        <translation>Please enter a valid down payment.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="44"/>
        <source>首付金额须小于车价，否则无需贷款</source>
        <translation>The down payment must be less than the price, otherwise no loan is needed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="45"/>
        <source>首付比例格式不正确，请输入百分数，如 30</source>
        <translation>Down payment share not understood; enter a percentage such as 30</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="48"/>
        <source>首付比例须在 0% 到 100% 之间（不含 100%）</source>
        <translation>The down payment share must be from 0% to below 100%</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="51"/>
        <source>贷款期限请输入整月数，如 36</source>
        <translation>Enter the term in whole months, such as 36</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="52"/>
        <source>贷款期限须在 12 到 60 个月之间</source>
        <translation>The term must be between 12 and 60 months</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="53"/>
        <source>年利率格式不正确，请输入百分数，如 4.5</source>
        <translation>Annual rate not understood; enter a percentage such as 4.5</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="56"/>
        <source>年利率不能为负数</source>
        <translation>The annual rate cannot be negative</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="57"/>
        <source>年利率不能超过 36%，请检查是否多输了一位</source>
        <translation>The annual rate cannot exceed 36%; check for an extra digit</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="60"/>
        <source>年利率最多保留四位小数</source>
        <translation>The annual rate has at most four decimals</translation>
    </message>
</context>
<context>
    <name>LoanCalculatorDialog</name>
    <message>
        <location filename="../../ui/dialogs/loan_calculator.py" line="19"/>
        <source>金融计算器</source>
        <translation>Loan calculator</translation>
    </message>
</context>
<context>
    <name>LoanCalculatorWidget</name>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="152"/>
        <source>如 168000 或 16.8万</source>
        <translation>e.g. 168000 or 16.8万</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="154"/>
        <source>首付比例（%）</source>
        <translation>Down payment (%)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="155"/>
        <source>首付金额（元）</source>
        <translation>Down payment (¥)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="158"/>
        <source>如 4.5</source>
        <translation>e.g. 4.5</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/widgets/loan_calculator.py" line="162"/>
        <source>%n 个月</source>
        <translation>
            <numerusform>%n month</numerusform>
            <numerusform>%n months</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/widgets/loan_calculator.py" line="170"/>
        <source>%n 期</source>
        <translation>
            <numerusform>%n month</numerusform>
            <numerusform>%n months</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="183"/>
        <source>车价（元）</source>
        <translation>Car price (¥)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="187"/>
        <source>年利率（%）</source>
        <translation>Annual rate (%)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="189"/>
        <source>贷款期限</source>
        <translation>Term</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="200"/>
        <source>等额本息（每月还款相同）</source>
        <translation>Equal instalments (same every month)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="201"/>
        <source>等额本金（每月还款递减）</source>
        <translation>Equal principal (falling payments)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="211"/>
        <source>等额本息还款计划</source>
        <translation>Equal instalment schedule</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="212"/>
        <source>等额本金还款计划</source>
        <translation>Equal principal schedule</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="283"/>
        <source>请输入车价</source>
        <translation>Enter the car price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="313"/>
        <source>首付 {down}，贷款 {loan}，{term} 期，年利率 {rate}%</source>
        <translation>Down payment {down}, loan {loan}, {term} months, annual rate {rate}%</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="321"/>
        <source>月供 {amount}</source>
        <translation>{amount} a month</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="324"/>
        <source>总利息 {interest} · 还款总额 {total}
末期 {last}（含分位调整）</source>
        <translation>Interest {interest} · total {total}
Last month {last} (incl. rounding)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="331"/>
        <source>首月 {amount}</source>
        <translation>First month {amount}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="334"/>
        <source>每月约减少 {step} · 末期 {last}
总利息 {interest} · 还款总额 {total}</source>
        <translation>About {step} less each month · last {last}
Interest {interest} · total {total}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="343"/>
        <source>等额本金比等额本息少付利息 {amount}，但前期月供更高。</source>
        <translation>Equal principal saves {amount} interest, but the first payments are higher.</translation>
    </message>
</context>
<context>
    <name>LostReasonsDialog</name>
    <message>
        <location filename="../../ui/dialogs/lost_reasons.py" line="24"/>
        <source>战败原因</source>
        <translation>Lost-deal reasons</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lost_reasons.py" line="28"/>
        <source>每行一项，按显示顺序排列。删去的原因不再供选择，已记录的不受影响。</source>
        <translation>One per line, in the order shown. A reason removed is no longer offered; what was recorded stays.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lost_reasons.py" line="45"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lost_reasons.py" line="46"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="54"/>
        <source>本机内置数据库</source>
        <translation>Embedded database (this PC)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="56"/>
        <source>共享数据库 {where}</source>
        <translation>Shared database {where}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="91"/>
        <location filename="../../ui/main_window.py" line="265"/>
        <source>二手车展厅管理系统</source>
        <translation>Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="108"/>
        <source>数据库：未连接</source>
        <translation>Database: not connected</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="109"/>
        <location filename="../../ui/main_window.py" line="264"/>
        <source>未登录</source>
        <translation>Not signed in</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="184"/>
        <source>只读模式：{reason}</source>
        <translation>Read-only: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="240"/>
        <source>{name}（{role}）</source>
        <translation>{name} ({role})</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="242"/>
        <source>二手车展厅管理系统 — {store}</source>
        <translation>Showroom — {store}</translation>
    </message>
</context>
<context>
    <name>MaintenanceDialog</name>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="204"/>
        <source>修改保养记录</source>
        <translation>Edit maintenance entry</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="204"/>
        <source>添加保养记录</source>
        <translation>Add maintenance entry</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="210"/>
        <source>如 2024-03-01</source>
        <translation>e.g. 2024-03-01</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="212"/>
        <source>公里，如 20000；不详留空</source>
        <translation>km, e.g. 20000; blank if unknown</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="215"/>
        <source>如 丰田授权4S店</source>
        <translation>e.g. Toyota dealer workshop</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="217"/>
        <source>如：常规保养，更换机油、机油滤芯</source>
        <translation>e.g. routine service, oil and oil filter changed</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="219"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="220"/>
        <location filename="../../ui/dialogs/vehicle_records.py" line="237"/>
        <source>里程</source>
        <translation>Mileage</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="221"/>
        <source>地点</source>
        <translation>Where</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="222"/>
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="223"/>
        <source>单据照片</source>
        <translation>Invoice photo</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="231"/>
        <source>保养日期</source>
        <translation>Service date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="233"/>
        <source>请填写保养日期</source>
        <translation>Enter the service date</translation>
    </message>
</context>
<context>
    <name>MergeCustomersDialog</name>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="46"/>
        <source>合并重复客户</source>
        <translation>Merge duplicate customers</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="54"/>
        <source>输入两条记录的手机号。保留的客户将得到另一条记录的全部到店、试驾、报名、意向金和合同；被合并的记录隐藏但不删除，可撤销。</source>
        <translation>Enter the mobile numbers of both records. The customer you keep gets all visits, test drives, registrations, deposits and contracts of the other record; the merged record is hidden, not deleted, and the merge can be undone.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="67"/>
        <source>客户 {n} 的手机号</source>
        <translation>Customer {n} mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="69"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="71"/>
        <source>保留这条</source>
        <translation>Keep this one</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="81"/>
        <source>查找</source>
        <translation>Find</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="83"/>
        <source>合并</source>
        <translation>Merge</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="86"/>
        <source>撤销这次合并</source>
        <translation>Undo this merge</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="89"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="117"/>
        <source>未找到</source>
        <translation>Not found</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="123"/>
        <source>负责顾问：{n}</source>
        <translation>Consultant: {n}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="123"/>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="125"/>
        <source>上次到店：{d}</source>
        <translation>Last visit: {d}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="128"/>
        <source>试驾 {d} · 报名 {r} · 意向金 {p}</source>
        <translation>Test drives {d} · Registrations {r} · Deposits {p}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="158"/>
        <source>已合并，移动了 {n} 条记录（审计编号 {seq}）。需要时可凭此编号撤销。</source>
        <translation>Merged; {n} records moved (audit no. {seq}). Use this number to undo it if needed.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_customers.py" line="179"/>
        <source>已撤销合并，两位客户恢复为各自的记录。</source>
        <translation>Merge undone; both customers have their own records again.</translation>
    </message>
</context>
<context>
    <name>MileageDialog</name>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="62"/>
        <source>记录里程</source>
        <translation>Record mileage</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="68"/>
        <source>客户来电或到店时说的表显里程，用来估算下次保养（按里程或按时间，先到为准）。</source>
        <translation>The odometer reading the customer gave on a call or staff saw at a visit; it estimates the next service (by mileage or by time, whichever comes first).</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="80"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="86"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="91"/>
        <source>请填写</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="95"/>
        <source> 公里</source>
        <translation> km</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="97"/>
        <source>表显里程</source>
        <translation>Odometer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="102"/>
        <source>电话（客户告知）</source>
        <translation>Call (the customer said)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="103"/>
        <source>到店（员工查看）</source>
        <translation>Visit (staff read it)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="104"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="105"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="107"/>
        <source>例如：客户说最近常跑长途</source>
        <translation>e.g. the customer drives long distances lately</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="108"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="118"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="119"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="137"/>
        <source>上次：{day} {km} 公里</source>
        <translation>Last: {km} km on {day}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/mileage.py" line="151"/>
        <source>请填写表显里程。</source>
        <translation>Enter the odometer reading.</translation>
    </message>
</context>
<context>
    <name>NewCustomerDialog</name>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="60"/>
        <source>新客户登记</source>
        <translation>New customer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="67"/>
        <source>姓氏即可，如：王（汉字或英文字母，最多 20 个字）</source>
        <translation>Surname is enough, e.g. Wang (Chinese characters or Latin letters, up to 20)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="70"/>
        <source>先生</source>
        <translation>Mr</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="71"/>
        <source>女士</source>
        <translation>Ms</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="72"/>
        <source>（不填）</source>
        <translation>(not given)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="77"/>
        <source>11 位手机号</source>
        <translation>11-digit mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="84"/>
        <source>请向客户说明：</source>
        <translation>Please tell the customer:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="86"/>
        <source>（文本版本 {v}）</source>
        <translation> (text version {v})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="93"/>
        <source>客户已同意以上个人信息处理（必选）</source>
        <translation>Customer agrees to the personal data processing above (required)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="94"/>
        <source>同意接收优惠活动和检测日通知（可选）</source>
        <translation>Agrees to receive offers and inspection day notices (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="105"/>
        <source> 人</source>
        <translation> people</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="109"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="110"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="112"/>
        <source>个人信息</source>
        <translation>Personal data</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="115"/>
        <source>来店目的</source>
        <translation>Purpose of visit</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="116"/>
        <source>来源渠道</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="117"/>
        <source>到店人数</source>
        <translation>Party size</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="123"/>
        <source>使用已有客户</source>
        <translation>Use existing customer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="128"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="131"/>
        <source>登记并签到（回车）</source>
        <translation>Register and check in (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="170"/>
        <source>使用线索登记的号码</source>
        <translation>The number recorded with the lead</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="175"/>
        <source>来自线索{facts}，跟进顾问：{owner}。登记后由该顾问接待，之前的沟通记录一并转入。</source>
        <translation>From a lead{facts}; consultant: {owner}, who will receive them. Earlier contacts move to the new record.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="179"/>
        <source>来自线索{facts}，尚未分配顾问：登记后按轮岗接待，之前的沟通记录一并转入。</source>
        <translation>From a lead{facts}; no consultant yet: the next one in rotation receives them. Earlier contacts move to the new record.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="205"/>
        <source>请先向客户说明个人信息的使用目的，并勾选“客户已同意”。</source>
        <translation>First explain to the customer how their personal data is used, then tick &quot;Customer agrees&quot;.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/new_customer.py" line="210"/>
        <source>姓名最多 {n} 个字，请删减后再登记。</source>
        <translation>A name has at most {n} characters; shorten it, then register.</translation>
    </message>
</context>
<context>
    <name>OneTimeSecretDialog</name>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="232"/>
        <source>新 PIN</source>
        <translation>New PIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="232"/>
        <source>临时密码</source>
        <translation>Temporary password</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="239"/>
        <source>{name}（{username}）的自助机 PIN：</source>
        <translation>Kiosk PIN of {name} ({username}):</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="241"/>
        <source>{name}（{username}）的临时密码：</source>
        <translation>Temporary password of {name} ({username}):</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="262"/>
        <source>只显示这一次，关闭后无法再查看。请当面告诉本人，不要写在纸上或发到群里。</source>
        <translation>Shown this once only; it cannot be seen again after closing. Tell the person face to face; do not write it down or send it to a chat group.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="265"/>
        <source>只显示这一次，关闭后无法再查看。请当面交给本人；本人首次登录时必须改成自己的密码，临时密码随即失效。</source>
        <translation>Shown this once only; it cannot be seen again after closing. Hand it to the person face to face; at their first sign-in they must choose their own password, and this one stops working.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="275"/>
        <source>已交给本人，关闭</source>
        <translation>Handed over — close</translation>
    </message>
</context>
<context>
    <name>OnlineIndicator</name>
    <message>
        <location filename="../../ui/widgets/status.py" line="141"/>
        <location filename="../../ui/widgets/status.py" line="163"/>
        <source>正在检查…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="165"/>
        <source>同步中 · {n} 条待同步</source>
        <translation>Syncing · {n} pending</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="167"/>
        <source>在线</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="169"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="172"/>
        <source> · 显示 {time} 的缓存数据</source>
        <translation> · showing cached data from {time}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="174"/>
        <source> · {n} 条待同步</source>
        <translation> · {n} pending</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="176"/>
        <source> · {n} 个同步问题</source>
        <translation> · {n} sync problems</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="187"/>
        <source>点击查看待同步的记录和同步问题</source>
        <translation>Click to see pending records and sync problems</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="192"/>
        <source>共享数据库暂时无法连接。库存、员工、活动和今日看板显示本机缓存的数据（截至 {time}），其他电脑之后的修改要等恢复连接后才能看到。</source>
        <translation>The shared database cannot be reached. Inventory, staff, events and today&apos;s board show the data cached on this PC (as of {time}); changes made on other PCs since then appear once the connection is back.</translation>
    </message>
</context>
<context>
    <name>OutcomeModel</name>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="53"/>
        <source>行号</source>
        <translation>Line</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="53"/>
        <source>结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="53"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/lead_import.py" line="53"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>PasswordChangePage</name>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="47"/>
        <source>设置新密码</source>
        <translation>Choose a new password</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="52"/>
        <source>{name}，你正在使用店长发的临时密码。请设置自己的密码，以后用它登录。</source>
        <translation>{name}, you signed in with a temporary password from your manager. Choose your own password and use it from now on.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="62"/>
        <source>店长给你的临时密码</source>
        <translation>The temporary password from your manager</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="63"/>
        <source>临时密码</source>
        <translation>Temporary password</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="68"/>
        <source>新密码</source>
        <translation>New password</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="71"/>
        <source>至少 {n} 位</source>
        <translation>At least {n} characters</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="73"/>
        <source>再输一次</source>
        <translation>Repeat</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="81"/>
        <source>至少 {n} 位；不能是用户名，不能包含用户名；不能用演示账号的密码或 1234567890 这类常见密码。</source>
        <translation>At least {n} characters; not the username and not containing it; not the demo accounts&apos; password or a common one like 1234567890.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="93"/>
        <source>保存并进入</source>
        <translation>Save and continue</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="99"/>
        <source>返回登录</source>
        <translation>Back to sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="110"/>
        <source>请输入临时密码。</source>
        <translation>Enter the temporary password.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/password_page.py" line="114"/>
        <source>两次输入的新密码不一致。</source>
        <translation>The two new passwords differ.</translation>
    </message>
</context>
<context>
    <name>PhotoStripModel</name>
    <message>
        <location filename="../../ui/widgets/photos.py" line="220"/>
        <source>封面</source>
        <translation>cover</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/photos.py" line="333"/>
        <source>照片无法显示</source>
        <translation>Photo cannot be shown</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/photos.py" line="334"/>
        <source>加载中…</source>
        <translation>Loading…</translation>
    </message>
</context>
<context>
    <name>PhotoViewer</name>
    <message>
        <location filename="../../ui/widgets/photos.py" line="425"/>
        <source>第 {n} 张照片无法显示</source>
        <translation>Photo {n} cannot be shown</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/photos.py" line="452"/>
        <source>暂无照片</source>
        <translation>No photos yet</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/photos.py" line="457"/>
        <source>照片无法显示</source>
        <translation>Photo cannot be shown</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/photos.py" line="459"/>
        <source>加载中…</source>
        <translation>Loading…</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="293"/>
        <source>设置自助机 PIN</source>
        <translation>Set kiosk PIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="297"/>
        <source>员工在自助机上输入 PIN 可切换到员工界面。每人的 PIN 不同。</source>
        <translation>Staff type their PIN on the kiosk to open the staff screens. Everyone&apos;s PIN is different.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="299"/>
        <source>随机生成 6 位 PIN（推荐）</source>
        <translation>Random 6-digit PIN (recommended)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="301"/>
        <source>使用下面的 PIN</source>
        <translation>Use this PIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="302"/>
        <source>清除 PIN（不能在自助机上解锁）</source>
        <translation>Clear the PIN (no kiosk unlock)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="306"/>
        <source>4 到 8 位数字，不能是 1234、0000 这样的数字</source>
        <translation>4 to 8 digits, not like 1234 or 0000</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="308"/>
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="311"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="326"/>
        <source>请输入 PIN，或选择随机生成。</source>
        <translation>Enter a PIN, or choose a random one.</translation>
    </message>
</context>
<context>
    <name>PinDots</name>
    <message numerus="yes">
        <location filename="../../ui/kiosk/pin_pad.py" line="47"/>
        <source>已输入 %n 位</source>
        <translation>
            <numerusform>%n digit entered</numerusform>
            <numerusform>%n digits entered</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="110"/>
        <source>清空</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="112"/>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="114"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="116"/>
        <source>确定</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="164"/>
        <location filename="../../ui/kiosk/pin_pad.py" line="202"/>
        <location filename="../../ui/kiosk/pin_pad.py" line="223"/>
        <source>请输入员工 PIN 码</source>
        <translation>Enter staff PIN</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="176"/>
        <source>正在验证…</source>
        <translation>Checking…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/kiosk/pin_pad.py" line="229"/>
        <source>输错次数过多，请 %n 秒后再试</source>
        <translation>
            <numerusform>Too many wrong tries. Try again in %n second.</numerusform>
            <numerusform>Too many wrong tries. Try again in %n seconds.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PreviewModel</name>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="54"/>
        <source>行号</source>
        <translation>Line</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="55"/>
        <source>结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="56"/>
        <source>车辆</source>
        <translation>Vehicle</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="57"/>
        <source>售价</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="58"/>
        <source>里程</source>
        <translation>Mileage</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="59"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="71"/>
        <source>可导入</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="71"/>
        <source>拒绝</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="78"/>
        <source>{km} 公里</source>
        <translation>{km} km</translation>
    </message>
</context>
<context>
    <name>PriceEditor</name>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="57"/>
        <source>元，如 145800 或 14.58万</source>
        <translation>yuan, e.g. 145800 or 14.58万</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="59"/>
        <source>元，仅内部可见</source>
        <translation>yuan, staff only</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="61"/>
        <source>售价（一口价）</source>
        <translation>Asking price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="62"/>
        <source>收车成本（内部）</source>
        <translation>Purchase cost (internal)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="66"/>
        <source>项目</source>
        <translation>Item</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="66"/>
        <source>金额（元）</source>
        <translation>Amount (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="66"/>
        <source>对客户公开</source>
        <translation>Shown to customers</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="83"/>
        <source>添加公开项目</source>
        <translation>Add public line</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="85"/>
        <source>添加内部成本</source>
        <translation>Add internal cost</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="87"/>
        <source>删除所选行</source>
        <translation>Delete selected</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="89"/>
        <source>保存价格</source>
        <translation>Save prices</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="148"/>
        <source>公开项目合计必须等于售价；内部成本不对客户展示。</source>
        <translation>Public lines must add up to the asking price; internal costs are never shown to customers.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="150"/>
        <source>只有店长（或门店授权的岗位）可以修改价格。</source>
        <translation>Only the manager (or a role the store grants) can change prices.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="168"/>
        <location filename="../../ui/widgets/price_lines.py" line="232"/>
        <source>公开</source>
        <translation>Public</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="168"/>
        <location filename="../../ui/widgets/price_lines.py" line="234"/>
        <source>仅内部</source>
        <translation>Internal</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="193"/>
        <source>第 {n} 行的金额</source>
        <translation>Amount in row {n}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="197"/>
        <source>第 {n} 行没有填写金额</source>
        <translation>Row {n} has no amount</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="204"/>
        <source>售价</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="206"/>
        <source>请填写售价</source>
        <translation>Enter the asking price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="207"/>
        <source>收车成本</source>
        <translation>Purchase cost</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="262"/>
        <source>有金额无法识别，请检查。</source>
        <translation>An amount cannot be read; please check.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="265"/>
        <source>待定价：还没有售价，不能上架。</source>
        <translation>Price pending: no asking price yet, the car cannot go on sale.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="268"/>
        <source>还没有公开的价格构成，客户只看到一口价。</source>
        <translation>No public price lines yet: customers see the asking price only.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="272"/>
        <source>✓ 公开项目合计 {total}，与售价一致</source>
        <translation>✓ Public lines total {total}, equal to the asking price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="277"/>
        <source>公开项目合计 {total}，与售价 {price} 相差 {diff}</source>
        <translation>Public lines total {total}, {diff} off the asking price {price}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/price_lines.py" line="286"/>
        <source>成本合计 {cost}（收车 {buy} + 内部费用 {extra}）· 毛利 {margin}</source>
        <translation>Total cost {cost} (purchase {buy} + internal {extra}) · margin {margin}</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <location filename="../../ui/documents/printing.py" line="54"/>
        <source>打印预览 - {title}</source>
        <translation>Print preview - {title}</translation>
    </message>
    <message>
        <location filename="../../ui/documents/printing.py" line="192"/>
        <source>无法保存到 {path}：{reason}</source>
        <translation>Cannot save to {path}: {reason}</translation>
    </message>
</context>
<context>
    <name>PurchaseDialog</name>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="60"/>
        <source>收车报价</source>
        <translation>Offer to buy</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="63"/>
        <source>{car} · {plate} · {vin} · {km} 公里</source>
        <translation>{car} · {plate} · {vin} · {km} km</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="65"/>
        <source>未上牌</source>
        <translation>no plate</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="73"/>
        <source>检测报告 {no}：评估价 {low} – {high}</source>
        <translation>Inspection {no}: valued {low} – {high}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="79"/>
        <source>；检测发现{found}</source>
        <translation>; inspection found {found}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="86"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="87"/>
        <source>估价</source>
        <translation>Valuation</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="89"/>
        <source>卖方手机</source>
        <translation>Seller&apos;s mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="90"/>
        <source>（未找到客户）</source>
        <translation>(no customer found)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="91"/>
        <source>没有这个手机号的客户，请先在前台登记。</source>
        <translation>No customer has this number; register them at reception first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="97"/>
        <source>卖方 18 位居民身份证号码（核对本人证件）</source>
        <translation>Seller&apos;s 18-digit ID number (check against the card)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="103"/>
        <source>转账流水号 / 交易单号（现金可不填）</source>
        <translation>Transfer or transaction no. (not needed for cash)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="115"/>
        <source>重大事故</source>
        <translation>Major accident</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="116"/>
        <source>泡水</source>
        <translation>Flood</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="117"/>
        <source>火烧</source>
        <translation>Fire</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="122"/>
        <source>卖方的补充说明（可不填）</source>
        <translation>Seller&apos;s further remarks (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="125"/>
        <location filename="../../ui/dialogs/purchase.py" line="129"/>
        <source>请选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="134"/>
        <source>请填写</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="137"/>
        <source>收购价（元）</source>
        <translation>Price (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="139"/>
        <source>卖方身份证</source>
        <translation>Seller&apos;s ID</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="140"/>
        <source>付款方式</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="141"/>
        <source>交易单号</source>
        <translation>Transaction no.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="142"/>
        <source>车钥匙（把）</source>
        <translation>Keys</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="143"/>
        <source>交接证件</source>
        <translation>Papers handed over</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="144"/>
        <source>卖方声明曾有</source>
        <translation>Seller states the car had</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="145"/>
        <source>补充说明</source>
        <translation>Remarks</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="146"/>
        <source>能源类型</source>
        <translation>Energy</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="147"/>
        <source>变速箱</source>
        <translation>Transmission</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="148"/>
        <source>年款</source>
        <translation>Model year</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="149"/>
        <source>车身颜色</source>
        <translation>Colour</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="150"/>
        <source>生成收车协议编号并预览</source>
        <translation>Number the agreement and preview</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="162"/>
        <source>大写：人民币{text}</source>
        <translation>In words: RMB {text}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="167"/>
        <source>请先输入卖方的手机号找到客户。</source>
        <translation>Enter the seller&apos;s mobile number to find them first.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="170"/>
        <source>请选择能源类型和变速箱。</source>
        <translation>Choose the energy type and the gearbox.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="173"/>
        <source>车架号未能读出年款，请填写年款。</source>
        <translation>The VIN gives no model year; enter the model year.</translation>
    </message>
</context>
<context>
    <name>PurchaseModel</name>
    <message>
        <location filename="../../ui/screens/deals.py" line="194"/>
        <source>收车协议编号</source>
        <translation>Purchase no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="195"/>
        <source>检测报告</source>
        <translation>Inspection report</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="196"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="197"/>
        <source>卖方</source>
        <translation>Seller</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="198"/>
        <source>收购价</source>
        <translation>Price paid</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="199"/>
        <source>入库编号</source>
        <translation>Stock no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="200"/>
        <source>置换抵扣合同</source>
        <translation>Credited to contract</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="201"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>Reception</name>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="20"/>
        <source>买车</source>
        <translation>Buy a car</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="21"/>
        <source>卖车</source>
        <translation>Sell a car</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="22"/>
        <source>置换</source>
        <translation>Trade-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="23"/>
        <source>试驾</source>
        <translation>Test drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="24"/>
        <source>检测日</source>
        <translation>Inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="25"/>
        <source>售后</source>
        <translation>After-sales</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="26"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="29"/>
        <source>成交</source>
        <translation>Deal</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="30"/>
        <source>交意向金</source>
        <translation>Deposit paid</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="31"/>
        <source>待跟进</source>
        <translation>To follow up</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="32"/>
        <source>无意向</source>
        <translation>Not interested</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="35"/>
        <source>A 级（7 天内可成交）</source>
        <translation>A (deal within 7 days)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="36"/>
        <source>B 级（15 天内）</source>
        <translation>B (within 15 days)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="37"/>
        <source>C 级（30 天内）</source>
        <translation>C (within 30 days)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="38"/>
        <source>D 级（暂无计划）</source>
        <translation>D (no plans yet)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="77"/>
        <source>{grade} 级</source>
        <translation>Grade {grade}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="84"/>
        <source>{text}（{note}）</source>
        <translation>{text} ({note})</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="136"/>
        <source>顾问都在接待中：请客户在休息区稍候，排在第 {n} 位；有顾问空出时按到店先后自动分配。</source>
        <translation>All consultants are busy: please ask the customer to wait in the lounge, number {n} in line; they are handed to the next free consultant in order of arrival.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="140"/>
        <source>今天没有在岗的销售顾问：请客户稍候，并请店长在“员工 → 排班”中安排。</source>
        <translation>No consultant is on duty today: please ask the customer to wait and the manager to set the roster (Staff → Roster).</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="109"/>
        <source>%m月%d日</source>
        <translation>%d %b</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="111"/>
        <source>撞单提醒：该客户由 {name} 跟进（保护期至 {until}），请交给 {name} 接待。</source>
        <translation>Ownership alert: this customer is followed up by {name} (protected until {until}); please hand them to {name}.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="116"/>
        <source>{name} 正在接待其他客户，请先安排客户稍候。</source>
        <translation>{name} is with another customer; please ask the customer to wait a moment.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="122"/>
        <source>已改派 {name}。注意：该客户在 {owner} 的保护期内（撞单），改派将记入审计日志。</source>
        <translation>Reassigned to {name}. Note: this customer is within {owner}&apos;s protection period; the reassignment is recorded in the audit log.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="126"/>
        <source>指定由 {name} 接待。</source>
        <translation>{name} will greet the customer, as chosen.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="128"/>
        <source>按轮岗由 {name} 接待。</source>
        <translation>{name} will greet the customer (rotation).</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="132"/>
        <source>由预约的顾问 {name} 接待。</source>
        <translation>{name}, the consultant of the booking, will greet the customer.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reception_labels.py" line="70"/>
        <source>未定级</source>
        <translation>Not graded</translation>
    </message>
</context>
<context>
    <name>ReferralDialog</name>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="51"/>
        <source>登记推荐人</source>
        <translation>Record referrer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="59"/>
        <source>推荐人的手机号</source>
        <translation>The referrer&apos;s mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="60"/>
        <source>推荐人手机号</source>
        <translation>Referrer&apos;s mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="62"/>
        <source>无奖励</source>
        <translation>No reward</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="63"/>
        <source>现金奖励</source>
        <translation>Cash reward</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="64"/>
        <source>赠送礼品</source>
        <translation>Gift</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="66"/>
        <source>奖励方式</source>
        <translation>Reward</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="68"/>
        <source>例如 500</source>
        <translation>e.g. 500</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="69"/>
        <source>奖励金额（元）</source>
        <translation>Amount (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="71"/>
        <source>例如 保养券一张</source>
        <translation>e.g. one service voucher</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="72"/>
        <source>礼品</source>
        <translation>Gift</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="74"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="84"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral.py" line="85"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>RegisterDialog</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="458"/>
        <source>检测日报名</source>
        <translation>Inspection day registration</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="465"/>
        <source>{day} {hours} · 剩余名额 {left}/{seats}</source>
        <translation>{day} {hours} · {left}/{seats} seats left</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="468"/>
        <source>（已满，将登记为候补）</source>
        <translation> (full: goes on the wait-list)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="474"/>
        <source>11 位手机号</source>
        <translation>11-digit mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="476"/>
        <source>新客户填写姓名；老客户按手机号自动找到</source>
        <translation>Name for a new customer; a returning one is found by number</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="479"/>
        <source>（不称呼）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="480"/>
        <source>先生</source>
        <translation>Mr</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="481"/>
        <source>女士</source>
        <translation>Ms</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="485"/>
        <source>如 京A12345</source>
        <translation>e.g. 京A12345</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="490"/>
        <location filename="../../ui/screens/inspection_day.py" line="495"/>
        <source>未填</source>
        <translation>Not given</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="497"/>
        <source>选填，17 位</source>
        <translation>Optional, 17 characters</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="500"/>
        <source>客户关心的问题（选填）</source>
        <translation>The customer&apos;s concerns (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="501"/>
        <source>客户已同意门店使用手机号办理报名、签到和名额通知</source>
        <translation>The customer agrees that we use the number for registration, check-in and seat notices</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="503"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="504"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="505"/>
        <source>称呼</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="506"/>
        <source>车牌号</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="507"/>
        <source>品牌</source>
        <translation>Brand</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="508"/>
        <source>车型</source>
        <translation>Model</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="509"/>
        <source>年份</source>
        <translation>Year</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="510"/>
        <source>表显里程</source>
        <translation>Odometer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="511"/>
        <source>车架号</source>
        <translation>VIN</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="512"/>
        <source>关注问题</source>
        <translation>Concerns</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="518"/>
        <source>报名</source>
        <translation>Register</translation>
    </message>
</context>
<context>
    <name>RegistrationModel</name>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="85"/>
        <source>名额</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="86"/>
        <source>报名码</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="87"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="88"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="89"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="90"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="91"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="92"/>
        <source>工位</source>
        <translation>Bay</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="108"/>
        <source>第 {n} 位</source>
        <translation>Seat {n}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="110"/>
        <source>候补 {n}</source>
        <translation>Wait-list {n}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="114"/>
        <source>已报名</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="115"/>
        <source>候补</source>
        <translation>Wait-list</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="116"/>
        <source>已签到</source>
        <translation>Checked in</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="117"/>
        <source>检测中/已检</source>
        <translation>Inspecting / done</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="118"/>
        <source>已取消</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="119"/>
        <source>未到场</source>
        <translation>No-show</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inspection_day.py" line="122"/>
        <source>·待电话通知</source>
        <translation> · to phone</translation>
    </message>
</context>
<context>
    <name>ReminderModel</name>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="222"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="223"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="224"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="225"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="226"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/follow_ups.py" line="227"/>
        <source>短信草稿</source>
        <translation>Message draft</translation>
    </message>
</context>
<context>
    <name>ResolveComplaintDialog</name>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="153"/>
        <source>登记投诉处理结果</source>
        <translation>Record complaint outcome</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="161"/>
        <source>如何处理、答复了客户什么</source>
        <translation>What was done and what the customer was told</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="164"/>
        <source>客户未评价</source>
        <translation>No rating given</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="166"/>
        <source>{n} 分</source>
        <translation>{n} points</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="167"/>
        <source>投诉</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="168"/>
        <source>内容</source>
        <translation>Said</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="169"/>
        <source>处理结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="170"/>
        <source>客户满意度</source>
        <translation>Satisfaction</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/complaint.py" line="171"/>
        <source>处理完毕</source>
        <translation>Resolved</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="428"/>
        <source>还车登记</source>
        <translation>Test drive return</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="440"/>
        <source>无损伤可不填</source>
        <translation>Leave blank if no damage</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="444"/>
        <source>添加损伤照片…</source>
        <translation>Add damage photos…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="449"/>
        <source>（不变）</source>
        <translation>(unchanged)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="452"/>
        <source>出车里程</source>
        <translation>Odometer out</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="453"/>
        <source>还车里程</source>
        <translation>Odometer in</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="454"/>
        <source>油量/电量</source>
        <translation>Fuel / charge</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="455"/>
        <source>损伤情况</source>
        <translation>Damage</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="456"/>
        <location filename="../../ui/dialogs/test_drive.py" line="464"/>
        <source>损伤照片</source>
        <translation>Damage photos</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="458"/>
        <source>客户反馈</source>
        <translation>Customer feedback</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="459"/>
        <source>意向等级</source>
        <translation>Intent</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="464"/>
        <source>图片 (*.png *.jpg *.jpeg)</source>
        <translation>Images (*.png *.jpg *.jpeg)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="498"/>
        <source>待同步：网络断开，还车记录已保存在本机，恢复连接后自动登记。</source>
        <translation>Pending sync: the network is down. The return is saved on this PC and will be recorded once the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="500"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="56"/>
        <source>七日退车</source>
        <translation>7-day return</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="60"/>
        <source>原合同</source>
        <translation>Contract</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="63"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="66"/>
        <source>{price}（其中意向金 {deposit} 已抵作车款）</source>
        <translation>{price} (of which deposit {deposit} credited)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="69"/>
        <source>成交价</source>
        <translation>Sale price</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="71"/>
        <source>{start} 交车，退车期限至 {last}（{days} 天）</source>
        <translation>Delivered {start}; return possible until {last} ({days} days)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="79"/>
        <source>，已超过期限</source>
        <translation>, window has passed</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="81"/>
        <source>退车期限</source>
        <translation>Return window</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="84"/>
        <source>交车 {sold} 公里，最多 {most} 公里</source>
        <translation>Delivered at {sold} km; at most {most} km</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="89"/>
        <source>客户提出退车的原因</source>
        <translation>Why the customer returns the car</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="93"/>
        <source>外观、内饰有无新增损伤；证件、钥匙、随车物品是否齐全</source>
        <translation>New damage outside or inside; papers, keys and accessories complete?</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="97"/>
        <source>扣除名目</source>
        <translation>Deduction</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="97"/>
        <source>金额（元）</source>
        <translation>Amount (yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="104"/>
        <source>添加一项</source>
        <translation>Add line</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="106"/>
        <source>删除所选</source>
        <translation>Remove selected</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="118"/>
        <source>转账流水号 / 交易单号（现金可不填）</source>
        <translation>Transfer or transaction no. (not needed for cash)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="119"/>
        <source>退车里程（公里）</source>
        <translation>Mileage at return (km)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="120"/>
        <source>退车原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="121"/>
        <source>退车时车况</source>
        <translation>Condition at return</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="122"/>
        <source>扣除费用</source>
        <translation>Deductions</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="124"/>
        <source>退款金额</source>
        <translation>Refund</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="125"/>
        <source>退款方式</source>
        <translation>Refund method</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="126"/>
        <source>交易单号</source>
        <translation>Transaction no.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="129"/>
        <source>按售后服务协议，只扣除已发生的过户、检验等第三方费用和新增损伤。保存后车辆恢复在售，合同显示“已退车”，回访停止，并打印退车协议。</source>
        <translation>Per the after-sales agreement, only third-party fees already incurred (transfer, inspection) and new damage are deducted. On saving, the car is back on sale, the contract shows &quot;Returned&quot;, follow-ups stop and the return agreement prints.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="136"/>
        <source>确认退车并打印协议</source>
        <translation>Confirm return and print agreement</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="172"/>
        <source>（扣除金额格式不正确）</source>
        <translation>(a deduction amount is not a valid amount)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="176"/>
        <source>（扣除费用超过成交价）</source>
        <translation>(deductions exceed the sale price)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_return.py" line="179"/>
        <source>{refund}（大写：人民币{capitals}），已扣除 {total}</source>
        <translation>{refund} (in words: RMB {capitals}); {total} deducted</translation>
    </message>
</context>
<context>
    <name>RosterModel</name>
    <message>
        <location filename="../../ui/widgets/roster.py" line="101"/>
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="106"/>
        <source>今天</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="124"/>
        <source>上班</source>
        <translation>On duty</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="124"/>
        <source>休息</source>
        <translation>Off</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="154"/>
        <source>固定排班：上班</source>
        <translation>Usual week: on duty</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="154"/>
        <source>固定排班：休息</source>
        <translation>Usual week: off</translation>
    </message>
</context>
<context>
    <name>RosterPanel</name>
    <message>
        <location filename="../../ui/widgets/roster.py" line="204"/>
        <source>‹ 上一周</source>
        <translation>‹ Previous week</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="206"/>
        <source>本周</source>
        <translation>This week</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="208"/>
        <source>下一周 ›</source>
        <translation>Next week ›</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="243"/>
        <source>所选日期设为：</source>
        <translation>Set the selected days to:</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="246"/>
        <source>上班</source>
        <translation>On duty</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="247"/>
        <source>休息</source>
        <translation>Off</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="248"/>
        <source>休假</source>
        <translation>Leave</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="249"/>
        <source>病假</source>
        <translation>Sick</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="250"/>
        <source>外出</source>
        <translation>Off-site</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="251"/>
        <source>按固定排班</source>
        <translation>Usual week</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="259"/>
        <source>固定排班…</source>
        <translation>Usual week…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="270"/>
        <source>轮岗分配、试驾顾问和检测工位只安排当天在岗的人。外出、休假、病假的人当天不会被分配客户。</source>
        <translation>Rotation, test-drive consultants and inspection bays use only people on duty that day. Nobody off-site, on leave or sick is given a customer.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="302"/>
        <source>{start} – {end}</source>
        <translation>{start} – {end}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="308"/>
        <source>{role} {n} 人</source>
        <translation>{role} {n}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/roster.py" line="313"/>
        <source>今日在岗：</source>
        <translation>On duty today: </translation>
    </message>
</context>
<context>
    <name>ScheduleModel</name>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="78"/>
        <source>期数</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="79"/>
        <source>月供</source>
        <translation>Payment</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="80"/>
        <source>本金</source>
        <translation>Principal</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="81"/>
        <source>利息</source>
        <translation>Interest</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/loan_calculator.py" line="82"/>
        <source>剩余本金</source>
        <translation>Balance</translation>
    </message>
</context>
<context>
    <name>Screens</name>
    <message>
        <location filename="../../ui/screens/__init__.py" line="37"/>
        <source>前台接待</source>
        <translation>Reception</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="44"/>
        <source>今日到店</source>
        <translation>Visits today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="51"/>
        <source>今日概览</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="58"/>
        <source>客户</source>
        <translation>Customers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="65"/>
        <source>线索</source>
        <translation>Leads</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="72"/>
        <source>车辆库存</source>
        <translation>Inventory</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="79"/>
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="86"/>
        <source>审计日志</source>
        <translation>Audit log</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="93"/>
        <source>经营看板</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="100"/>
        <source>试驾</source>
        <translation>Test drive</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="107"/>
        <source>定金与合同</source>
        <translation>Deposits &amp; contracts</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="114"/>
        <source>回访</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="121"/>
        <source>投诉</source>
        <translation>Complaints</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="128"/>
        <source>保修索赔</source>
        <translation>Warranty claims</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="135"/>
        <source>检测日</source>
        <translation>Inspection day</translation>
    </message>
</context>
<context>
    <name>ServiceDialog</name>
    <message>
        <location filename="../../ui/dialogs/service.py" line="75"/>
        <source>确定</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/service.py" line="76"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/service.py" line="82"/>
        <source>客户手机号</source>
        <translation>Customer mobile</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="63"/>
        <source>数据库地址（留空使用本机内置数据库）</source>
        <translation>Database address (empty: embedded database on this PC)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="64"/>
        <source>门店编号（合同号、收据号的前缀）</source>
        <translation>Store code (prefix of contract and receipt numbers)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="58"/>
        <source>发动机与变速箱保修天数（自交车之日起）</source>
        <translation>Engine and gearbox warranty (days from delivery)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="59"/>
        <source>发动机与变速箱保修里程（公里，以先到者为准）</source>
        <translation>Engine and gearbox warranty (km, whichever comes first)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="60"/>
        <source>七日退车期限（天，自交车之日起）</source>
        <translation>7-day return window (days from delivery)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="61"/>
        <source>退车期内允许行驶的里程（公里）</source>
        <translation>Distance allowed within the return window (km)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="62"/>
        <source>投诉响应时限（小时）：超过即在店长首页显示超时</source>
        <translation>Complaint response time (hours); later ones show as overdue on the manager home screen</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="65"/>
        <source>本机显示的门店名称（连上数据库前的登录页、自助机标题；打印的文件用门店资料）</source>
        <translation>Store name shown on this PC (sign-in page before the database answers, kiosk title; papers print the store profile)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="68"/>
        <source>界面语言</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="69"/>
        <source>连续输错密码几次后锁定账号</source>
        <translation>Wrong passwords in a row before the account locks</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="70"/>
        <source>账号锁定时长（分钟）</source>
        <translation>Lockout duration (minutes)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="71"/>
        <source>自助机无操作多少秒后回到首页</source>
        <translation>Kiosk returns to its home page after (seconds idle)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="72"/>
        <source>客户保护期（天）</source>
        <translation>Customer protection period (days)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="73"/>
        <source>线索响应时限（小时）：收到线索后多久内必须联系，超过即显示超时</source>
        <translation>Lead reply deadline (hours): how soon a lead must be contacted before it shows as overdue</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="74"/>
        <source>客户等待超过多少分钟时提醒</source>
        <translation>Remind when a customer has waited longer than (minutes)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="75"/>
        <source>默认意向金金额（元）</source>
        <translation>Default deposit (¥)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="76"/>
        <source>意向金保留车辆的天数（到期前一天提醒销售顾问）</source>
        <translation>Days a deposit reserves the car (the consultant is reminded the day before)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="77"/>
        <source>试驾时段长度（分钟）</source>
        <translation>Test-drive slot length (minutes)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="78"/>
        <source>营业开始时间（时:分，试驾预约用）</source>
        <translation>Opening time (HH:MM, for test-drive bookings)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="79"/>
        <source>营业结束时间（时:分，试驾预约用）</source>
        <translation>Closing time (HH:MM, for test-drive bookings)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="80"/>
        <source>从未成交客户的资料保留年数（期满清除到店记录并匿名化）</source>
        <translation>Years to keep customers who never bought (then their visits are purged and they are anonymised)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="81"/>
        <source>车辆公开网址模板（门店资料未填写“车辆公开网址”时使用；{stock_no} 替换为库存编号）</source>
        <translation>Car-page address template (used when the store profile has no car-page address; {stock_no} is replaced by the stock no.)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="85"/>
        <source>门店网页地址（showroom web 在门店网络中的地址，如 http://192.168.1.20:8080）</source>
        <translation>Store web address (where showroom web answers on the store network, e.g. http://192.168.1.20:8080)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="88"/>
        <source>已售车辆的网页显示“已售”的天数（之后网页不再显示）</source>
        <translation>Days a sold car&apos;s page still shows “Sold” (then the page is gone)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="89"/>
        <source>车辆网页上显示车架号的方式</source>
        <translation>VIN on the car web pages</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="46"/>
        <source>门店</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="47"/>
        <source>数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="48"/>
        <source>账号安全</source>
        <translation>Security</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="49"/>
        <source>接待</source>
        <translation>Reception</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="50"/>
        <source>销售</source>
        <translation>Sales</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="51"/>
        <source>自助机</source>
        <translation>Kiosk</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="52"/>
        <source>个人信息</source>
        <translation>Personal data</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="53"/>
        <source>界面</source>
        <translation>Interface</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="94"/>
        <source>不显示</source>
        <translation>Hidden</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="95"/>
        <source>只显示前 8 位</source>
        <translation>First 8 characters only</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="96"/>
        <source>全部显示</source>
        <translation>In full</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="163"/>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="181"/>
        <source>设置文件：{path}</source>
        <translation>Settings file: {path}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="181"/>
        <source>（不保存到文件）</source>
        <translation>(not saved to a file)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="187"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="189"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="239"/>
        <source>测试连接</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="253"/>
        <source>范围 {minimum} – {maximum}</source>
        <translation>Range {minimum} – {maximum}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="258"/>
        <source>此项由命令行或环境变量指定，这里不能修改。</source>
        <translation>Set on the command line or in the environment; it cannot be changed here.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="260"/>
        <source>更改后重新连接或重新启动程序时生效。</source>
        <translation>A change applies when the app reconnects or restarts.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="304"/>
        <source>留空使用本机内置数据库；共享数据库如 postgresql+psycopg://用户名:密码@服务器:5432/showroom</source>
        <translation>Empty: embedded database; shared, e.g. postgresql+psycopg://user:password@server:5432/showroom</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="338"/>
        <source>请输入整数。</source>
        <translation>Please enter a whole number.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="340"/>
        <source>不能小于 {minimum}。</source>
        <translation>Must be at least {minimum}.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="342"/>
        <source>不能大于 {maximum}。</source>
        <translation>Must be at most {maximum}.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="344"/>
        <source>请从列表中选择。</source>
        <translation>Please choose from the list.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="345"/>
        <source>这个值无效。</source>
        <translation>This value is not valid.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="379"/>
        <source>有的设置不符合要求，请按提示修改后再保存。</source>
        <translation>Some settings are not valid; please correct them as shown, then save.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="389"/>
        <source>设置没有保存：{reason}</source>
        <translation>Settings not saved: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="411"/>
        <source>无法安全保存密码</source>
        <translation>Cannot store the password safely</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="413"/>
        <source>{problem}

是否把密码保存在一个只有当前系统用户可读的文件里？选“否”则不保存密码，请改用环境变量 SHOWROOM_DATABASE_URL 提供密码。</source>
        <translation>{problem}

Store the password in a file only your system user can read? Choose &quot;No&quot; to not store it; then give the password in the SHOWROOM_DATABASE_URL environment variable.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="431"/>
        <source>留空时使用这台电脑上的内置数据库，无需测试。</source>
        <translation>Empty means the embedded database on this PC; nothing to test.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="434"/>
        <source>正在连接 {url} …</source>
        <translation>Connecting to {url} …</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="443"/>
        <location filename="../../ui/dialogs/settings.py" line="449"/>
        <source>连接失败：{reason}</source>
        <translation>Connection failed: {reason}</translation>
    </message>
</context>
<context>
    <name>SetupChecklist</name>
    <message>
        <location filename="../../ui/screens/staff.py" line="164"/>
        <source>开店设置清单</source>
        <translation>Store set-up checklist</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="171"/>
        <source>隐藏清单</source>
        <translation>Hide checklist</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="180"/>
        <source>添加员工</source>
        <translation>Add staff</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="181"/>
        <source>每人一个账号</source>
        <translation>an account each</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="182"/>
        <source>前台、销售顾问、评估师，每人一个账号，可兼任多个岗位</source>
        <translation>Reception, consultants, appraisers: an account each; one person may hold several roles</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="183"/>
        <source>新增员工</source>
        <translation>Add staff</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="187"/>
        <source>设置排班</source>
        <translation>Roster</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="188"/>
        <source>谁哪天上班</source>
        <translation>who works which day</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="189"/>
        <source>每人的固定排班；休假、病假、外出按天标记</source>
        <translation>Everyone&apos;s usual week; leave, sick days and off-site days marked day by day</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="190"/>
        <source>去排班</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="194"/>
        <source>核对门店资料</source>
        <translation>Store profile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="195"/>
        <source>合同和收据要用</source>
        <translation>contracts need it</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="196"/>
        <source>地址、电话、统一社会信用代码、收款账户、标志、车辆网址</source>
        <translation>Address, phone, credit code, bank account, logo, car-page address</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="197"/>
        <source>去填写</source>
        <translation>Fill in</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="201"/>
        <source>打印测试页</source>
        <translation>Test page</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="202"/>
        <source>检查抬头和打印机</source>
        <translation>letterhead, printer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="203"/>
        <source>打印一页，核对抬头、标志、信用代码和二维码</source>
        <translation>Print one page and check the letterhead, logo, credit code and QR code</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="204"/>
        <source>打印</source>
        <translation>Print</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="208"/>
        <source>选择数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="209"/>
        <source>现在：本机内置</source>
        <translation>now: this PC&apos;s</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="209"/>
        <source>已连接共享数据库</source>
        <translation>shared database connected</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="210"/>
        <source>一台电脑用本机内置数据库即可；多台电脑共用请连接共享数据库</source>
        <translation>One PC can keep its built-in database; several PCs share a shared database</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="212"/>
        <source>各台电脑共用同一份数据</source>
        <translation>Every PC works on the same data</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="213"/>
        <source>保持本机</source>
        <translation>Keep it</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="213"/>
        <source>已确认</source>
        <translation>Confirmed</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="239"/>
        <source>连接共享数据库…</source>
        <translation>Shared database…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="259"/>
        <source>已完成 {done}/{total}</source>
        <translation>{done}/{total} done</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <location filename="../../ui/widgets/shell.py" line="111"/>
        <source>展厅管理</source>
        <translation>Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/shell.py" line="135"/>
        <source>版本 {version}</source>
        <translation>Version {version}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/shell.py" line="174"/>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/shell.py" line="183"/>
        <source>退出登录</source>
        <translation>Sign out</translation>
    </message>
</context>
<context>
    <name>ShowroomApp</name>
    <message>
        <location filename="../../ui/app.py" line="212"/>
        <source>设置文件中有无效的值，已改用默认值（详情见日志）。</source>
        <translation>The settings file had invalid values; defaults are used instead (see the log).</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="479"/>
        <source>设置已保存</source>
        <translation>Settings saved</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="480"/>
        <source>新的数据库地址或界面语言将在重新启动程序后生效。</source>
        <translation>The new database address or language applies after restarting the app.</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="493"/>
        <source>自助机模式不可用，已打开员工登录。</source>
        <translation>Kiosk mode is not available; showing staff sign-in instead.</translation>
    </message>
</context>
<context>
    <name>SignContractDialog</name>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="410"/>
        <source>签订合同</source>
        <translation>Sign contract</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="417"/>
        <source>请买受人阅读合同及两份附件后签名；一次签名同时用于三份文件。</source>
        <translation>The buyer reads the contract and both annexes, then signs once for all three papers.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="421"/>
        <source>买受人在此签名</source>
        <translation>Buyer signs here</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="422"/>
        <source>销售顾问在此签名</source>
        <translation>Consultant signs here</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="421"/>
        <source>乙方（买受人）签名</source>
        <translation>Buyer&apos;s signature</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="422"/>
        <source>甲方代表（销售顾问）签名</source>
        <translation>Seller&apos;s representative (consultant)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="424"/>
        <source>确认签订</source>
        <translation>Sign</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/deals.py" line="448"/>
        <source>合同还没有生成，请稍候。</source>
        <translation>The contract is not ready yet, please wait.</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="69"/>
        <source>员工登录</source>
        <translation>Staff sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="72"/>
        <source>二手车展厅管理系统</source>
        <translation>Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="81"/>
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="83"/>
        <source>请输入用户名</source>
        <translation>Your username</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="89"/>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="92"/>
        <source>请输入密码</source>
        <translation>Your password</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="104"/>
        <location filename="../../ui/widgets/sign_in_page.py" line="159"/>
        <location filename="../../ui/widgets/sign_in_page.py" line="278"/>
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="112"/>
        <source>这个数据库还没有任何员工账号，请先完成首次使用设置。</source>
        <translation>This database has no staff accounts yet. Please complete the first-start set-up.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="118"/>
        <source>首次使用设置…</source>
        <translation>First-start set-up…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="150"/>
        <source>共享数据库暂时无法连接，正在使用本机 {time} 的缓存数据。在本机登录过的员工可以离线登录；到店登记会保存在本机，恢复连接后自动同步。</source>
        <translation>The shared database cannot be reached; this PC is using its cached data from {time}. Staff who signed in on this PC before can sign in offline; check-ins are kept on this PC and synced automatically when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="154"/>
        <source>共享数据库暂时无法连接。恢复连接后即可登录。</source>
        <translation>The shared database cannot be reached. You can sign in once the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="159"/>
        <location filename="../../ui/widgets/sign_in_page.py" line="193"/>
        <source>正在连接数据库…</source>
        <translation>Connecting to the database…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="183"/>
        <source>请输入用户名。</source>
        <translation>Please enter your username.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="187"/>
        <source>请输入密码。</source>
        <translation>Please enter your password.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="278"/>
        <source>正在登录…</source>
        <translation>Signing in…</translation>
    </message>
</context>
<context>
    <name>SignPurchaseDialog</name>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="212"/>
        <source>签订收车协议</source>
        <translation>Sign purchase agreement</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="220"/>
        <source>乙方（卖方）签名</source>
        <translation>Seller&apos;s signature</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="220"/>
        <source>卖方在此签名</source>
        <translation>Seller signs here</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="221"/>
        <source>甲方代表签名</source>
        <translation>Store representative&apos;s signature</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="221"/>
        <source>门店代表在此签名</source>
        <translation>Store representative signs here</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="223"/>
        <source>确认签订并入库</source>
        <translation>Sign and take into stock</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/purchase.py" line="241"/>
        <source>协议还没有生成，请稍候。</source>
        <translation>The agreement is not ready yet; please wait.</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <location filename="../../ui/widgets/signature_pad.py" line="58"/>
        <source>请在此处签名</source>
        <translation>Please sign here</translation>
    </message>
</context>
<context>
    <name>SigningDialog</name>
    <message>
        <location filename="../../ui/dialogs/signing.py" line="56"/>
        <source>撤销一笔</source>
        <translation>Undo stroke</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/signing.py" line="58"/>
        <source>清除</source>
        <translation>Clear</translation>
    </message>
</context>
<context>
    <name>StaffEditDialog</name>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="139"/>
        <source>编辑员工</source>
        <translation>Edit staff</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="139"/>
        <source>新增员工</source>
        <translation>Add staff</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="146"/>
        <source>如：王芳（最多 20 字，印在合同和协议上）</source>
        <translation>e.g. 王芳 (up to 20 characters, printed on contracts and agreements)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="148"/>
        <source>登录用，英文字母或数字，如 wangfang</source>
        <translation>For signing in: letters or digits, e.g. wangfang</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="150"/>
        <source>手机号，可不填</source>
        <translation>Mobile number (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="151"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="152"/>
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="168"/>
        <source>岗位</source>
        <translation>Roles</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="169"/>
        <source>可以多选，例如销售顾问兼评估师。</source>
        <translation>Tick several if needed, e.g. consultant and appraiser.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="172"/>
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="180"/>
        <source>门店</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="186"/>
        <source>保存后会显示一次性的临时密码，请当面交给本人；本人首次登录时必须改成自己的密码。</source>
        <translation>After saving, a one-time temporary password is shown. Hand it to the person face to face; they must choose their own at first sign-in.</translation>
    </message>
</context>
<context>
    <name>StaffModel</name>
    <message>
        <location filename="../../ui/screens/staff.py" line="80"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="81"/>
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="82"/>
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="83"/>
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="84"/>
        <source>手机</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="85"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="86"/>
        <source>账号状态</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="87"/>
        <source>登录状态</source>
        <translation>Sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="88"/>
        <source>最近登录</source>
        <translation>Last sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="96"/>
        <source>在岗</source>
        <translation>On duty</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="96"/>
        <source>休息</source>
        <translation>Off</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="115"/>
        <source>已设置</source>
        <translation>Set</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="115"/>
        <source>未设置</source>
        <translation>Not set</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="119"/>
        <source>在职</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="144"/>
        <source>已发临时密码，本人首次登录时会被要求设置新密码。</source>
        <translation>A temporary password was issued; a new one is asked for at the first sign-in.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="118"/>
        <source>已停用</source>
        <translation>Disabled</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="119"/>
        <source>待改密码</source>
        <translation>Must change password</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="122"/>
        <source>已锁定（至 {time}）</source>
        <translation>Locked (until {time})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="125"/>
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="128"/>
        <source>从未登录</source>
        <translation>Never</translation>
    </message>
</context>
<context>
    <name>StaffPinPage</name>
    <message>
        <location filename="../../ui/kiosk/staff.py" line="74"/>
        <source>员工验证</source>
        <translation>Staff sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/staff.py" line="133"/>
        <source>PIN 为 4 到 8 位数字</source>
        <translation>The PIN has 4 to 8 digits</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/staff.py" line="138"/>
        <source>PIN 不正确，请重新输入</source>
        <translation>Wrong PIN, please try again</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/staff.py" line="146"/>
        <source>暂时无法验证，请稍后再试</source>
        <translation>Cannot check right now, please try again later</translation>
    </message>
</context>
<context>
    <name>StaffScreen</name>
    <message>
        <location filename="../../ui/screens/staff.py" line="353"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="335"/>
        <source>解锁</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="289"/>
        <source>门店</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="292"/>
        <source>新增门店…</source>
        <translation>Add store…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="306"/>
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="309"/>
        <source>排班</source>
        <translation>Roster</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="312"/>
        <source>门店资料</source>
        <translation>Store profile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="326"/>
        <source>新增员工</source>
        <translation>Add staff</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="329"/>
        <source>编辑…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="331"/>
        <source>重置密码…</source>
        <translation>Reset password…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="333"/>
        <source>设置 PIN…</source>
        <translation>Set PIN…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="337"/>
        <location filename="../../ui/screens/staff.py" line="466"/>
        <source>停用…</source>
        <translation>Disable…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="349"/>
        <source>显示已停用</source>
        <translation>Show disabled</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="385"/>
        <source>员工离职请“停用”，不能删除：已签的协议、合同和审计记录都保留其姓名。忘记密码请“重置密码”，系统给出一次性临时密码。</source>
        <translation>When someone leaves, disable them (nobody is deleted: signed agreements, contracts and the audit log keep their name). A forgotten password: Reset password gives a one-time temporary one.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="466"/>
        <source>启用</source>
        <translation>Re-enable</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="491"/>
        <source>已新增 {name}。请把临时密码当面交给本人。</source>
        <translation>{name} added. Hand the temporary password to them face to face.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="523"/>
        <source>已保存 {name} 的资料。</source>
        <translation>Saved {name}&apos;s details.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="532"/>
        <source>重置密码</source>
        <translation>Reset password</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="533"/>
        <source>为 {name} 生成新的临时密码？旧密码立即失效，账号同时解锁。</source>
        <translation>Issue a new temporary password for {name}? The old password stops working at once and the account is unlocked.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="551"/>
        <source>已为 {name} 生成临时密码。</source>
        <translation>Temporary password issued for {name}.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="569"/>
        <source>已清除 PIN。</source>
        <translation>PIN cleared.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="571"/>
        <source>已为 {name} 设置 PIN。</source>
        <translation>PIN set for {name}.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="589"/>
        <source>已解锁 {name} 的账号。</source>
        <translation>{name}&apos;s account is unlocked.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="612"/>
        <source>已停用 {name} 的账号，历史记录保留。</source>
        <translation>{name}&apos;s account is disabled; their history is kept.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="617"/>
        <source>已重新启用 {name}。如忘记密码，请“重置密码”；PIN 需要重新设置。</source>
        <translation>{name} is re-enabled. If they forgot the password, reset it; the PIN must be set again.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="628"/>
        <location filename="../../ui/screens/staff.py" line="632"/>
        <source>新增门店</source>
        <translation>Add store</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="628"/>
        <source>门店编号（2 到 8 位字母或数字，如 SH01）：</source>
        <translation>Store code (2 to 8 letters or digits, e.g. SH01):</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="632"/>
        <source>门店名称：</source>
        <translation>Store name:</translation>
    </message>
</context>
<context>
    <name>StartupPage</name>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="55"/>
        <source>二手车展厅管理系统</source>
        <translation>Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="58"/>
        <location filename="../../ui/widgets/startup_page.py" line="74"/>
        <source>正在连接数据库…</source>
        <translation>Connecting to the database…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="90"/>
        <source>无法打开数据库</source>
        <translation>Cannot open the database</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="101"/>
        <source>您可以检查网络后重试，在设置中改正数据库地址，或暂时使用这台电脑上的内置数据库（数据只保存在本机，不与其他电脑共享）。</source>
        <translation>Check the network and try again, correct the database address in the settings, or work on this PC&apos;s embedded database for now (data stays on this PC and is not shared).</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="111"/>
        <source>重试</source>
        <translation>Try again</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="114"/>
        <source>设置…</source>
        <translation>Settings…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="116"/>
        <source>使用本机内置数据库</source>
        <translation>Use this PC&apos;s embedded database</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="131"/>
        <source>技术信息：{detail}</source>
        <translation>Technical detail: {detail}</translation>
    </message>
</context>
<context>
    <name>StepsPage</name>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="265"/>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="311"/>
        <source>手机号格式不正确，请检查后重新输入。</source>
        <translation>That mobile number does not look right. Please check it and enter it again.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="313"/>
        <source>没有找到这个编号的在售车辆，请核对车窗展示单上的库存编号。</source>
        <translation>No car on sale has this number. Please check the stock no. on the window sticker.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="315"/>
        <source>这个时段刚刚被预约，请换一个时段。</source>
        <translation>This time has just been booked. Please choose another.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="316"/>
        <source>这个时段已经过去，请换一个时段。</source>
        <translation>This time has passed. Please choose another.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="317"/>
        <source>这辆车目前不能试驾，请看看其他车辆。</source>
        <translation>This car cannot be test-driven at the moment. Please have a look at the others.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="318"/>
        <source>请先勾选同意，我们才能为您办理预约。</source>
        <translation>Please tick the box to agree first, so that we can make the booking.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="319"/>
        <source>请先勾选同意，我们才能为您办理报名。</source>
        <translation>Please tick the box to agree first, so that we can sign you up.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="320"/>
        <source>请点选您的姓氏，或只选“先生”“女士”。</source>
        <translation>Please tap your surname, or just choose Mr or Ms.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="322"/>
        <source>这辆车已经报名了这一场检测日，同一辆车每场只能报名一次。</source>
        <translation>This car is already signed up for this inspection day; a car can be signed up once per day.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="324"/>
        <source>这场检测日已停止报名，请选择其他日期。</source>
        <translation>Sign-up for this inspection day has closed. Please choose another day.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="325"/>
        <source>这场检测日已经结束，请选择其他日期。</source>
        <translation>This inspection day is over. Please choose another day.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="326"/>
        <source>正在连接，请稍候再试。</source>
        <translation>Connecting. Please try again in a moment.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/contact.py" line="329"/>
        <source>车牌号格式不正确，请检查后重新输入。</source>
        <translation>That plate number does not look right. Please check it and enter it again.</translation>
    </message>
</context>
<context>
    <name>StoreProfilePanel</name>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="50"/>
        <source>门店名称</source>
        <translation>Store name</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="51"/>
        <source>印在每份文件抬头，最多 40 字</source>
        <translation>Printed at the top of every paper, up to 40 characters</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="55"/>
        <source>门店地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="56"/>
        <source>最多 100 字，如 北京市朝阳区望京街 10 号</source>
        <translation>Up to 100 characters, e.g. 北京市朝阳区望京街 10 号</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="60"/>
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="61"/>
        <source>如 010-8555 1234 或 400-820-1234</source>
        <translation>e.g. 010-8555 1234 or 400-820-1234</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="65"/>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="66"/>
        <source>营业执照上的 18 位代码，合同和收据会印出</source>
        <translation>The 18-character code on the business licence; printed on contracts and receipts</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="70"/>
        <source>开户银行</source>
        <translation>Bank</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="71"/>
        <source>合同上的收款账户，如 中国建设银行北京望京支行</source>
        <translation>The account contracts name for payment, e.g. China Construction Bank, Wangjing branch</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="75"/>
        <source>银行账号</source>
        <translation>Account number</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="76"/>
        <source>8 到 30 位数字，可带空格</source>
        <translation>8 to 30 digits, spaces allowed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="80"/>
        <source>抬头附加文字</source>
        <translation>Letterhead text</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="81"/>
        <source>可不填，印在电话之后，最多 40 字，如 诚信经营 · 明码标价</source>
        <translation>Optional, printed after the phone, up to 40 characters</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="87"/>
        <source>车辆公开网址</source>
        <translation>Car-page address</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="88"/>
        <source>顾客扫码打开的车辆网页，如 https://che.example.cn/bj01</source>
        <translation>The web page a customer&apos;s scan opens, e.g. https://che.example.cn/bj01</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="176"/>
        <source>门店标志</source>
        <translation>Store logo</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="187"/>
        <source>印在每页左上角。未设置时使用系统默认标志。支持 PNG、JPG，自动缩放。</source>
        <translation>Printed at the top left of every page; the default logo when none is set. PNG or JPG, scaled automatically.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="193"/>
        <source>选择图片…</source>
        <translation>Choose picture…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="195"/>
        <source>移除标志</source>
        <translation>Remove logo</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="211"/>
        <source>打印测试页…</source>
        <translation>Print test page…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="215"/>
        <source>保存门店资料</source>
        <translation>Save store profile</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="244"/>
        <source>门店编号 {code}（合同号、收据号的前缀，不能修改）</source>
        <translation>Store code {code} (prefix of contract and receipt numbers; cannot be changed)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="264"/>
        <source>未设置
（打印默认标志）</source>
        <translation>Not set
(the default logo prints)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="270"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="272"/>
        <source>打印合同和收据前还需填写：{names}。</source>
        <translation>Before contracts and receipts can print, fill in: {names}.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="276"/>
        <source>资料齐全，合同、收据和协议都能打印。</source>
        <translation>Complete: contracts, receipts and agreements can print.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="299"/>
        <source>门店资料已保存。</source>
        <translation>Store profile saved.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="304"/>
        <source>选择门店标志</source>
        <translation>Choose store logo</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="304"/>
        <source>图片 (*.png *.jpg *.jpeg *.bmp)</source>
        <translation>Pictures (*.png *.jpg *.jpeg *.bmp)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="325"/>
        <source>门店标志已更新。</source>
        <translation>Store logo updated.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/store_profile.py" line="325"/>
        <source>已移除门店标志。</source>
        <translation>Store logo removed.</translation>
    </message>
</context>
<context>
    <name>SummaryModel</name>
    <message>
        <location filename="../../ui/screens/deals.py" line="126"/>
        <source>付款方式</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="127"/>
        <source>收款笔数</source>
        <translation>Payments</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="128"/>
        <source>收款金额</source>
        <translation>Taken</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="129"/>
        <source>退款笔数</source>
        <translation>Refunds</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="130"/>
        <source>退款金额</source>
        <translation>Refunded</translation>
    </message>
    <message>
        <location filename="../../ui/screens/deals.py" line="131"/>
        <source>净额</source>
        <translation>Net</translation>
    </message>
</context>
<context>
    <name>SurnamePicker</name>
    <message>
        <location filename="../../ui/kiosk/surname_picker.py" line="56"/>
        <source>常用</source>
        <translation>Common</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/surname_picker.py" line="90"/>
        <source>找不到？点姓氏拼音的首字母，例如“欧阳”点 O</source>
        <translation>Not here? Tap the first letter of its pinyin, e.g. O for 欧阳 (Ouyang).</translation>
    </message>
</context>
<context>
    <name>SyncProblems</name>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="33"/>
        <source>新建客户</source>
        <translation>Customer created</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="34"/>
        <source>到店登记</source>
        <translation>Visit checked in</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="35"/>
        <source>试驾还车</source>
        <translation>Test drive returned</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="36"/>
        <source>回访记录</source>
        <translation>Follow-up note</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="37"/>
        <source>检测项目</source>
        <translation>Inspection item</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="38"/>
        <source>检测照片</source>
        <translation>Inspection photo</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="39"/>
        <source>结构性检查</source>
        <translation>Structural check</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="40"/>
        <source>检测估价</source>
        <translation>Inspection valuation</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="41"/>
        <source>离线登录</source>
        <translation>Offline sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="42"/>
        <source>离线登录失败</source>
        <translation>Failed offline sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="45"/>
        <source>待同步</source>
        <translation>Pending sync</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="46"/>
        <source>同步问题</source>
        <translation>Sync problem</translation>
    </message>
</context>
<context>
    <name>SyncProblemsDialog</name>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="63"/>
        <source>待同步与同步问题</source>
        <translation>Pending sync and sync problems</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="72"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="72"/>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="72"/>
        <source>记录时间</source>
        <translation>Recorded at</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="72"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="82"/>
        <source>立即同步</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="83"/>
        <source>重试</source>
        <translation>Retry</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="84"/>
        <source>放弃此条…</source>
        <translation>Discard…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="108"/>
        <source>网络恢复后自动同步</source>
        <translation>Syncs automatically when the network is back</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="124"/>
        <source>没有待同步的记录，也没有同步问题。</source>
        <translation>Nothing is waiting to sync and there are no sync problems.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="128"/>
        <source>{p} 条待同步，{q} 个同步问题。同步问题需要有人处理：核对后重试，或写明原因后放弃。</source>
        <translation>{p} pending, {q} sync problems. Sync problems need someone: check and retry, or discard with a reason.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="153"/>
        <source>仍然无法连接共享数据库，记录继续保存在本机，恢复连接后自动同步。</source>
        <translation>The shared database still cannot be reached. The records stay on this PC and are synced automatically when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="180"/>
        <source>放弃此条</source>
        <translation>Discard</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sync_problems.py" line="180"/>
        <source>为什么放弃这条记录？（会保留在记录中）</source>
        <translation>Why discard this record? (It stays listed.)</translation>
    </message>
</context>
<context>
    <name>TargetsDialog</name>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="31"/>
        <source>到店客流（批次/月）</source>
        <translation>Traffic (parties/month)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="32"/>
        <source>试驾（次/月）</source>
        <translation>Test drives (per month)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="33"/>
        <source>意向金（笔/月）</source>
        <translation>Deposits (per month)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="34"/>
        <source>成交（台/月）</source>
        <translation>Deals (cars/month)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="35"/>
        <source>成交率（%）</source>
        <translation>Conversion (%)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="36"/>
        <source>回访率（%）</source>
        <translation>Follow-up rate (%)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="37"/>
        <source>复购率（%）</source>
        <translation>Repurchase rate (%)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="38"/>
        <source>新客户（人/月）</source>
        <translation>New customers (per month)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="39"/>
        <source>试驾成交率（%）</source>
        <translation>Test drive to deal (%)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="40"/>
        <source>线索及时响应率（%）</source>
        <translation>Leads answered in time (%)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="58"/>
        <source>经营目标</source>
        <translation>Targets</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="63"/>
        <source>达到目标显示绿色，低于预警线显示红色，介于两者之间显示黄色。数量按月设定，看板按所选天数折算；填 0 表示不设。</source>
        <translation>Green at or above the target, red below the warning level, amber in between. Counts are per month, pro-rated to the days shown; 0 means not set.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="71"/>
        <source>指标</source>
        <translation>Metric</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="72"/>
        <source>目标</source>
        <translation>Target</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="73"/>
        <location filename="../../ui/dialogs/targets.py" line="137"/>
        <location filename="../../ui/dialogs/targets.py" line="139"/>
        <source>预警线</source>
        <translation>Warning level</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="80"/>
        <location filename="../../ui/dialogs/targets.py" line="149"/>
        <source>不设</source>
        <translation>Not set</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="104"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="105"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="125"/>
        <source>销售顾问个人目标（每月）</source>
        <translation>Consultants&apos; personal targets (per month)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="135"/>
        <source>销售顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="136"/>
        <source>成交目标（台）</source>
        <translation>Deals target (cars)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/targets.py" line="138"/>
        <source>金额目标（元）</source>
        <translation>Amount target (yuan)</translation>
    </message>
</context>
<context>
    <name>TestDriveDialogs</name>
    <message>
        <location filename="../../ui/dialogs/test_drive.py" line="62"/>
        <source>请选择…</source>
        <translation>Please choose…</translation>
    </message>
</context>
<context>
    <name>TestDriveModel</name>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="66"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="67"/>
        <source>预约码</source>
        <translation>Booking code</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="68"/>
        <source>车辆</source>
        <translation>Car</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="69"/>
        <source>库存编号</source>
        <translation>Stock no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="70"/>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="71"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="72"/>
        <source>销售顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="73"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="85"/>
        <source>证已核</source>
        <translation>Licence checked</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="85"/>
        <source>待核证</source>
        <translation>Licence to check</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="87"/>
        <source>已签协议</source>
        <translation>Agreement signed</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="88"/>
        <source>{status}（{steps}）</source>
        <translation>{status} ({steps})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="89"/>
        <source>，</source>
        <translation>, </translation>
    </message>
</context>
<context>
    <name>TestDrivesScreen</name>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="119"/>
        <location filename="../../ui/screens/test_drives.py" line="282"/>
        <source>试驾</source>
        <translation>Test drive</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="129"/>
        <source>新预约</source>
        <translation>New booking</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="131"/>
        <source>明日提醒名单…</source>
        <translation>Tomorrow&apos;s reminder list…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="145"/>
        <source>这一天没有试驾预约。</source>
        <translation>No test drives booked for this day.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="150"/>
        <source>核验驾驶证</source>
        <translation>Check driving licence</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="151"/>
        <source>签署协议</source>
        <translation>Sign agreement</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="152"/>
        <source>出车</source>
        <translation>Drive out</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="153"/>
        <source>还车</source>
        <translation>Return</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="154"/>
        <source>未到店</source>
        <translation>No-show</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="155"/>
        <source>取消预约</source>
        <translation>Cancel booking</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="156"/>
        <source>重印协议</source>
        <translation>Reprint agreement</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="239"/>
        <source>已预约：{code}，{car}，{when}</source>
        <translation>Booked: {code}, {car}, {when}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="264"/>
        <source>协议已签署并存档（验证码 {code}）。</source>
        <translation>Agreement signed and archived (verification code {code}).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="289"/>
        <source>确定把这个预约标记为“未到店”吗？</source>
        <translation>Mark this booking as &quot;no-show&quot;?</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="292"/>
        <source>确定取消这个试驾预约吗？</source>
        <translation>Cancel this test-drive booking?</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="309"/>
        <source>已生成副本 {n} 并存档。</source>
        <translation>Copy {n} created and archived.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="325"/>
        <source>{day} 没有需要提醒的预约。</source>
        <translation>No bookings to remind for {day}.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="328"/>
        <source>保存提醒名单</source>
        <translation>Save reminder list</translation>
    </message>
    <message>
        <location filename="../../ui/screens/test_drives.py" line="333"/>
        <source>已保存 {n} 条提醒到 {path}</source>
        <translation>Saved {n} reminders to {path}</translation>
    </message>
</context>
<context>
    <name>Timeline</name>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="96"/>
        <source>线索</source>
        <translation>Lead</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="97"/>
        <source>沟通</source>
        <translation>Contact</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="98"/>
        <source>到店</source>
        <translation>Visit</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="99"/>
        <source>试驾</source>
        <translation>Test drive</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="100"/>
        <source>意向金</source>
        <translation>Deposit</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="101"/>
        <source>合同</source>
        <translation>Contract</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="102"/>
        <source>检测</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="103"/>
        <source>意向等级</source>
        <translation>Intent grade</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="106"/>
        <source>已预约</source>
        <translation>Booked</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="107"/>
        <source>试驾中</source>
        <translation>On test drive</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="108"/>
        <source>已还车</source>
        <translation>Returned</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="109"/>
        <source>已取消</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="110"/>
        <source>未到店</source>
        <translation>No-show</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="111"/>
        <source>有效</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="112"/>
        <source>已抵扣车款</source>
        <translation>Credited to the price</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="113"/>
        <source>已退还</source>
        <translation>Refunded</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="114"/>
        <source>已没收</source>
        <translation>Forfeited</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="115"/>
        <source>已到期</source>
        <translation>Expired</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="116"/>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="117"/>
        <source>已签订</source>
        <translation>Signed</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="118"/>
        <source>已作废</source>
        <translation>Void</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="119"/>
        <source>检测中</source>
        <translation>In progress</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="120"/>
        <source>已定稿</source>
        <translation>Final</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="123"/>
        <source>买卖合同</source>
        <translation>Sale contract</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="124"/>
        <source>车况确认书</source>
        <translation>Condition confirmation</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="125"/>
        <source>售后服务协议</source>
        <translation>After-sales agreement</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="126"/>
        <source>补充协议</source>
        <translation>Amendment</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="140"/>
        <source>{channel}：{text}</source>
        <translation>{channel}: {text}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="146"/>
        <source>客户答复：{text}</source>
        <translation>answer: {text}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="151"/>
        <source>下一步：{text}{when}</source>
        <translation>next: {text}{when}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="155"/>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="163"/>
        <source>，意向 {g} 级</source>
        <translation>, intent {g}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="172"/>
        <source>咨询 {car}</source>
        <translation>asked about {car}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="179"/>
        <source>反馈：{text}</source>
        <translation>feedback: {text}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="191"/>
        <source>{g} 级</source>
        <translation>grade {g}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="196"/>
        <source>{s} 分</source>
        <translation>{s} points</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/customer_record.py" line="203"/>
        <source>{old} → {new}：{reason}</source>
        <translation>{old} → {new}: {reason}</translation>
    </message>
</context>
<context>
    <name>VehicleArchive</name>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="98"/>
        <source>{litres} L</source>
        <translation>{litres} L</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="100"/>
        <source>续航 {km} 公里</source>
        <translation>{km} km range</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="107"/>
        <source>年款</source>
        <translation>Model year</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="109"/>
        <source>初次登记</source>
        <translation>First registration</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="112"/>
        <source>未上牌</source>
        <translation>no plate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="115"/>
        <source>表显里程</source>
        <translation>Odometer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="116"/>
        <source>{km} 公里</source>
        <translation>{km} km</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="120"/>
        <source>排量/续航</source>
        <translation>Engine / range</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="121"/>
        <source>能源</source>
        <translation>Energy</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="123"/>
        <source>变速箱</source>
        <translation>Gearbox</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="127"/>
        <source>排放标准</source>
        <translation>Emission standard</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="130"/>
        <source>车身颜色</source>
        <translation>Colour</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="131"/>
        <source>车身形式</source>
        <translation>Body type</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="133"/>
        <source>座位数</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="137"/>
        <source>过户次数</source>
        <translation>Ownership transfers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="138"/>
        <source>{n} 次</source>
        <translation>{n}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="140"/>
        <source>驱动方式</source>
        <translation>Drive</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="142"/>
        <source>年检到期</source>
        <translation>Annual inspection due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="146"/>
        <source>保险到期</source>
        <translation>Insurance due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="153"/>
        <source>最大马力</source>
        <translation>Power</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="154"/>
        <source>{hp} 马力</source>
        <translation>{hp} hp</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="159"/>
        <source>新车指导价</source>
        <translation>New price (MSRP)</translation>
    </message>
</context>
<context>
    <name>VehicleArchiveDialog</name>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="495"/>
        <source>车辆档案</source>
        <translation>Vehicle archive</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="516"/>
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="552"/>
        <source>拖动照片调整顺序；按住 Ctrl 或 Shift 可多选</source>
        <translation>Drag photos to reorder; Ctrl or Shift selects several</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="553"/>
        <source>导入照片…</source>
        <translation>Import photos…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="576"/>
        <source>设为封面</source>
        <translation>Make cover</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="578"/>
        <source>删除照片</source>
        <translation>Delete photo</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="605"/>
        <source>基本信息</source>
        <translation>Basic data</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="607"/>
        <source>配置</source>
        <translation>Features</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="630"/>
        <source>保养记录</source>
        <translation>Service history</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="652"/>
        <source>事故/泡水/火烧</source>
        <translation>Accident/flood/fire</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="656"/>
        <source>价格构成</source>
        <translation>Price breakdown</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="556"/>
        <source>可一次选择多张；文件名含“内饰”“发动机”“证件”等时自动分类，其余归入右侧所选分类</source>
        <translation>Choose many at once; names with 内饰/interior, 发动机/engine, 证件/document… are filed by name, the rest under the section chosen on the right</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="563"/>
        <source>改为此分类</source>
        <translation>Move to section</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="565"/>
        <source>把选中的照片归入左侧所选分类（证件照片不对客户展示）</source>
        <translation>File the selected photos under the section on the left (document photos are never shown to customers)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="569"/>
        <source>前移（同一分类内）</source>
        <translation>Earlier (within its section)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="573"/>
        <source>后移（同一分类内）</source>
        <translation>Later (within its section)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="583"/>
        <source>分类</source>
        <translation>Section</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="612"/>
        <location filename="../../ui/screens/vehicle_archive.py" line="636"/>
        <source>添加…</source>
        <translation>Add…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="614"/>
        <location filename="../../ui/screens/vehicle_archive.py" line="638"/>
        <source>修改…</source>
        <translation>Change…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="616"/>
        <location filename="../../ui/screens/vehicle_archive.py" line="640"/>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="618"/>
        <source>查看单据</source>
        <translation>Open invoice</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="642"/>
        <source>查看凭证</source>
        <translation>Open evidence</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="663"/>
        <source>查看报告</source>
        <translation>Open report</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="665"/>
        <source>附加报告…</source>
        <translation>Attach report…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="667"/>
        <source>附加第三方检测报告（PDF），客户可在自助机上查看</source>
        <translation>Attach the third-party inspection report (PDF); customers can read it on the kiosk</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="670"/>
        <source>移除报告</source>
        <translation>Remove report</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="682"/>
        <source>扫码在手机上查看这辆车</source>
        <translation>Scan to see this car on a phone</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="683"/>
        <location filename="../../ui/screens/vehicle_archive.py" line="914"/>
        <source>扫码看车</source>
        <translation>Scan to view</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="716"/>
        <source>修改状态</source>
        <translation>Change status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="718"/>
        <source>编辑资料…</source>
        <translation>Edit details…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="720"/>
        <source>加入对比</source>
        <translation>Add to comparison</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="722"/>
        <source>金融计算器</source>
        <translation>Loan calculator</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="724"/>
        <source>打印车辆信息单</source>
        <translation>Print car sheet</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="726"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="729"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="789"/>
        <source>车辆档案 — {title}</source>
        <translation>Vehicle archive — {title}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="792"/>
        <source>来源 {source}</source>
        <translation>from {source}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="797"/>
        <source>库存号 {stock} · 车架号 {vin} · 车牌 {plate}</source>
        <translation>Stock no. {stock} · VIN {vin} · Plate {plate}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="802"/>
        <source>待定价</source>
        <translation>Price pending</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="809"/>
        <source>未登记配置</source>
        <translation>No features recorded</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="830"/>
        <source>第三方检测报告：{name}（{pages} 页）· SHA-256 {sha}</source>
        <translation>Third-party report: {name} ({pages} pages) · SHA-256 {sha}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="838"/>
        <source>第三方检测报告：暂无</source>
        <translation>Third-party report: none</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="850"/>
        <source>{km} 公里</source>
        <translation>{km} km</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="854"/>
        <source>[有单据]</source>
        <translation>[invoice]</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="862"/>
        <source>暂无保养记录</source>
        <translation>No service records</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="867"/>
        <source>日期不详</source>
        <translation>date unknown</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="868"/>
        <source>（涉及结构件）</source>
        <translation> (structural parts)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="869"/>
        <source>[有凭证]</source>
        <translation>[evidence]</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="877"/>
        <source>无事故、泡水、火烧记录</source>
        <translation>No accident, flood or fire history</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="914"/>
        <source>无二维码</source>
        <translation>No QR code</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="961"/>
        <source>只有整备/评估人员和店长（或门店授权的岗位）可以修改车辆资料和照片</source>
        <translation>Only stock staff (appraisers) and the manager (or a role the store grants) can change car details and photos</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1163"/>
        <source>请先选择照片</source>
        <translation>Select photos first</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1293"/>
        <source>正在处理文件 {name}…</source>
        <translation>Processing {name}…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1300"/>
        <source>这条记录没有附文件</source>
        <translation>This entry has no file</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1313"/>
        <source>正在读取检测报告 {name}…</source>
        <translation>Reading report {name}…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1325"/>
        <source>检测报告已保存（SHA-256 {sha}）。</source>
        <translation>Report saved (SHA-256 {sha}).</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1353"/>
        <source>无法打开文件，文件已保存在：{path}</source>
        <translation>Cannot open the file; it was saved at: {path}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="815"/>
        <source>，{score} 分</source>
        <translation>, {score} points</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="820"/>
        <source>本店检测：{grade}{score}（报告 {no}）</source>
        <translation>Our inspection: {grade}{score} (report {no})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="827"/>
        <source>本店检测：暂无</source>
        <translation>Our inspection: none yet</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1034"/>
        <source>另一台电脑已保存了相同的资料，无需再保存。</source>
        <translation>Another PC has already saved the same details; nothing more to save.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1038"/>
        <source>这辆车的资料刚被其他人修改过，你的修改尚未保存：请在“保存冲突”窗口中选择。</source>
        <translation>Someone else has just changed this car&apos;s details. Your changes are not saved yet: choose what to do in the “Save conflict” window.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1055"/>
        <source>已载入另一台电脑保存的版本，你的修改没有保存。</source>
        <translation>Loaded the version saved on the other PC; your changes were not saved.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1067"/>
        <source>你的修改没有保存。</source>
        <translation>Your changes were not saved.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1083"/>
        <source>价格已保存。</source>
        <translation>Prices saved.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1096"/>
        <source>选择车辆照片</source>
        <translation>Choose car photos</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1098"/>
        <source>图片 (*.jpg *.jpeg *.png *.webp *.bmp *.heic)</source>
        <translation>Images (*.jpg *.jpeg *.png *.webp *.bmp *.heic)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1112"/>
        <source>正在处理 {n} 张照片…</source>
        <translation>Processing {n} photos…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1123"/>
        <source>正在处理照片 {done}/{total}…</source>
        <translation>Processing photos {done}/{total}…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/screens/vehicle_archive.py" line="1141"/>
        <source>已导入 %n 张照片。</source>
        <translation>
            <numerusform>Imported %n photo.</numerusform>
            <numerusform>Imported %n photos.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="1143"/>
        <source>以下文件未导入：</source>
        <translation>Not imported:</translation>
    </message>
</context>
<context>
    <name>VehicleConflictDialog</name>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="322"/>
        <source>售价（元）</source>
        <translation>Price (CNY)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="323"/>
        <source>表显里程</source>
        <translation>Odometer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="324"/>
        <source>车身颜色</source>
        <translation>Colour</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="325"/>
        <source>车身形式</source>
        <translation>Body type</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="326"/>
        <source>排放标准</source>
        <translation>Emission standard</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="327"/>
        <source>座位数</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="328"/>
        <source>过户次数</source>
        <translation>Previous transfers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="329"/>
        <source>车牌号</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="330"/>
        <source>新车指导价</source>
        <translation>New price (MSRP)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="331"/>
        <source>年检到期</source>
        <translation>Annual inspection due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="332"/>
        <source>保险到期</source>
        <translation>Insurance due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="333"/>
        <source>收车来源</source>
        <translation>Bought via</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="334"/>
        <source>配置</source>
        <translation>Equipment</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="335"/>
        <source>车况说明</source>
        <translation>Condition notes</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="376"/>
        <source>{km} 公里</source>
        <translation>{km} km</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="396"/>
        <source>保存冲突 — {stock}</source>
        <translation>Save conflict — {stock}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="400"/>
        <source>你编辑期间，另一台电脑已经保存了这辆车的资料。你的修改还没有保存，下面是两个版本不同的地方：</source>
        <translation>While you were editing, another PC saved this car&apos;s details. Your changes have not been saved yet; here is where the two versions differ:</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="408"/>
        <source>项目</source>
        <translation>Field</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="408"/>
        <source>另一台电脑已保存</source>
        <translation>Saved on the other PC</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="408"/>
        <source>你填写的</source>
        <translation>What you entered</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="416"/>
        <source>（你没有改这项，覆盖时保留对方的）</source>
        <translation> (you did not change this; overwriting keeps theirs)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="435"/>
        <source>“用我的填写覆盖”只保存你改过的项目，对方改的其他项目保留；“载入对方的版本”放弃你的修改；“继续编辑”带着你填写的内容回到编辑窗口。</source>
        <translation>“Overwrite with mine” saves only the fields you changed and keeps the other PC&apos;s other changes; “Load their version” drops your changes; “Keep editing” goes back to the form with what you entered.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="444"/>
        <source>载入对方的版本</source>
        <translation>Load their version</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="447"/>
        <source>用我的填写覆盖</source>
        <translation>Overwrite with mine</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="450"/>
        <source>继续编辑</source>
        <translation>Keep editing</translation>
    </message>
</context>
<context>
    <name>VehicleEditDialog</name>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="175"/>
        <source>编辑车辆资料 {stock}</source>
        <translation>Edit vehicle {stock}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="182"/>
        <source>只有店长（或门店授权的岗位）可以修改售价</source>
        <translation>Only the manager (or a role the store grants) can change the price</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="186"/>
        <source> 公里</source>
        <translation> km</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="196"/>
        <source>未填</source>
        <translation>Not given</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="203"/>
        <source>如 2027-05-31</source>
        <translation>e.g. 2027-05-31</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="207"/>
        <source>如 2027-04-30</source>
        <translation>e.g. 2027-04-30</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="209"/>
        <source>未登记</source>
        <translation>Not on file</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="222"/>
        <source>每行一项配置</source>
        <translation>One feature per line</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="224"/>
        <source>售价（元）</source>
        <translation>Price (¥)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="225"/>
        <source>表显里程</source>
        <translation>Odometer</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="226"/>
        <source>车身颜色</source>
        <translation>Colour</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="227"/>
        <source>车身形式</source>
        <translation>Body type</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="228"/>
        <source>排放标准</source>
        <translation>Emission standard</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="229"/>
        <source>座位数</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="230"/>
        <source>过户次数</source>
        <translation>Ownership transfers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="231"/>
        <source>车牌号</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="232"/>
        <source>新车指导价（元）</source>
        <translation>New price (MSRP, yuan)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="233"/>
        <location filename="../../ui/screens/vehicle_archive.py" line="294"/>
        <source>年检到期</source>
        <translation>Annual inspection due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="234"/>
        <location filename="../../ui/screens/vehicle_archive.py" line="296"/>
        <source>保险到期</source>
        <translation>Insurance due</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="235"/>
        <source>收车来源</source>
        <translation>Bought via</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="236"/>
        <source>配置</source>
        <translation>Features</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="237"/>
        <source>车况说明</source>
        <translation>Condition notes</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="244"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="245"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/screens/vehicle_archive.py" line="292"/>
        <source>新车指导价</source>
        <translation>New price (MSRP)</translation>
    </message>
</context>
<context>
    <name>VehicleImportDialog</name>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="111"/>
        <source>导入车辆</source>
        <translation>Import cars</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="115"/>
        <location filename="../../ui/dialogs/vehicle_import.py" line="187"/>
        <source>选择要导入的 CSV 文件</source>
        <translation>Choose the CSV file to import</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="116"/>
        <source>选择文件…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="118"/>
        <source>按表头自动识别</source>
        <translation>Detect from the header</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="119"/>
        <source>车之家 che168 导出（万公里、万元）</source>
        <translation>che168 export (10k km, ¥10k)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="120"/>
        <source>本店模板（公里、元）</source>
        <translation>Our own sheet (km, ¥)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="121"/>
        <source>只检查，不写入（试运行）</source>
        <translation>Check only, write nothing (dry run)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="124"/>
        <source>文件</source>
        <translation>Document</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="127"/>
        <source>列映射</source>
        <translation>Column mapping</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/vehicle_import.py" line="133"/>
        <source>选择文件后，这里显示前 %n 行的检查结果。</source>
        <translation>
            <numerusform>After choosing a file, the check of its first row shows here.</numerusform>
            <numerusform>After choosing a file, the check of its first %n rows shows here.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="156"/>
        <location filename="../../ui/dialogs/vehicle_import.py" line="237"/>
        <source>开始导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="159"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="187"/>
        <source>CSV 文件 (*.csv);;所有文件 (*)</source>
        <translation>CSV files (*.csv);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="209"/>
        <source>正在读取文件…</source>
        <translation>Reading the file…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="223"/>
        <source>列映射：{preset} · 共 {total} 行数据 · 预览前 {shown} 行，其中 {rejected} 行将被拒绝</source>
        <translation>Mapping: {preset} · {total} data rows · first {shown} shown, {rejected} of them will be rejected</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="237"/>
        <source>开始检查</source>
        <translation>Check</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="289"/>
        <source>检查完成（未写入）</source>
        <translation>Check done (nothing written)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="289"/>
        <source>导入完成</source>
        <translation>Import done</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_import.py" line="292"/>
        <source>{head}：共 {total} 行，新增 {created}，更新 {updated}，无变化 {unchanged}，拒绝 {rejected}。
每一行的结果和拒绝原因见报告：{report}</source>
        <translation>{head}: {total} rows, {created} new, {updated} updated, {unchanged} unchanged, {rejected} rejected.
Every row&apos;s result and reason is in the report: {report}</translation>
    </message>
</context>
<context>
    <name>VehicleIntakeDialog</name>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="75"/>
        <source>收车入库</source>
        <translation>Take car into stock</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="83"/>
        <source>17 位，前挡风玻璃左下角或行驶证上</source>
        <translation>17 characters: lower left of the windscreen, or on the registration</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="88"/>
        <source>已对照车辆核对车架号（进口车可无校验位）</source>
        <translation>VIN checked against the car (imports may have no check digit)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="91"/>
        <source>如 京A·12345；未上牌留空</source>
        <translation>e.g. 京A·12345; blank if not registered</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="93"/>
        <source>如 丰田</source>
        <translation>e.g. Toyota</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="94"/>
        <source>车系，如 凯美瑞</source>
        <translation>series, e.g. Camry</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="95"/>
        <source>版本，如 2.0G 豪华版</source>
        <translation>version, e.g. 2.0G Luxury</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="98"/>
        <source>按车架号</source>
        <translation>From VIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="100"/>
        <source> 款</source>
        <translation> model</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="102"/>
        <source>如 2023-05-01；未上牌留空</source>
        <translation>e.g. 2023-05-01; blank if not registered</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="104"/>
        <source>公里，如 28000 或 2.8万</source>
        <translation>km, e.g. 28000 or 2.8万</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="105"/>
        <source>如 珍珠白</source>
        <translation>e.g. pearl white</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="111"/>
        <source>未填</source>
        <translation>Not given</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="115"/>
        <source> 次</source>
        <translation> times</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="116"/>
        <source>过户次数：0 即一手车</source>
        <translation>Ownership transfers: 0 means one owner</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="120"/>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="124"/>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="139"/>
        <source>请选择</source>
        <translation>Choose</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="131"/>
        <source>升，如 2.0；纯电留空</source>
        <translation>litres, e.g. 2.0; blank for electric</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="133"/>
        <source>公里，纯电/插混填写</source>
        <translation>km, for electric / plug-in hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="135"/>
        <source>如 2027-05</source>
        <translation>e.g. 2027-05</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="137"/>
        <source>如 2027-04-30</source>
        <translation>e.g. 2027-04-30</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="143"/>
        <source>元，如 199800 或 19.98万</source>
        <translation>yuan, e.g. 199800 or 19.98万</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="147"/>
        <source>元，仅内部可见</source>
        <translation>yuan, staff only</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="149"/>
        <source>元，如 145800 或 14.58万</source>
        <translation>yuan, e.g. 145800 or 14.58万</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="158"/>
        <source>待店长定价</source>
        <translation>Priced by the manager</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="160"/>
        <source>售价和收车成本由店长（或门店授权的岗位）填写；车辆先以“待定价”入库。</source>
        <translation>The manager (or a role the store grants) sets price and cost; the car comes in as price pending.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="165"/>
        <source>车况说明（选填）：如 原版原漆，右后门有轻微划痕</source>
        <translation>Condition notes (optional): e.g. original paint, light scratch on the rear right door</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="169"/>
        <source>车辆识别</source>
        <translation>Identity</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="176"/>
        <source>车架号（VIN）</source>
        <translation>VIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="177"/>
        <source>车牌号</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="178"/>
        <source>品牌</source>
        <translation>Brand</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="179"/>
        <source>车系</source>
        <translation>Series</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="180"/>
        <source>版本</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="181"/>
        <source>年款</source>
        <translation>Model year</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="182"/>
        <source>初次登记</source>
        <translation>First registration</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="183"/>
        <source>表显里程</source>
        <translation>Odometer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="184"/>
        <source>车身颜色</source>
        <translation>Colour</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="185"/>
        <source>车身形式</source>
        <translation>Body type</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="186"/>
        <source>座位数</source>
        <translation>Seats</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="187"/>
        <source>过户次数</source>
        <translation>Ownership transfers</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="189"/>
        <source>动力与手续</source>
        <translation>Powertrain and papers</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="191"/>
        <source>能源</source>
        <translation>Energy</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="192"/>
        <source>变速箱</source>
        <translation>Gearbox</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="193"/>
        <source>排放标准</source>
        <translation>Emission standard</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="194"/>
        <source>排量</source>
        <translation>Engine size</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="195"/>
        <source>纯电续航</source>
        <translation>Electric range</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="196"/>
        <source>年检到期</source>
        <translation>Annual inspection due</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="197"/>
        <source>保险到期</source>
        <translation>Insurance due</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="198"/>
        <source>收车来源</source>
        <translation>Bought via</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="199"/>
        <source>新车指导价</source>
        <translation>New price (MSRP)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="201"/>
        <source>价格（店长或授权岗位）</source>
        <translation>Prices (manager or granted role)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="203"/>
        <source>收车成本</source>
        <translation>Purchase cost</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="204"/>
        <source>售价</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="222"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="225"/>
        <source>入库</source>
        <translation>Take into stock</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="231"/>
        <source>库存编号入库时自动生成；入库后状态为“整备中”，可继续上传照片和档案。</source>
        <translation>The stock number is assigned on saving; the car starts as Preparing, ready for photos and its file.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="242"/>
        <source>车况说明</source>
        <translation>Condition notes</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="321"/>
        <source>制造厂：{maker}</source>
        <translation>Maker: {maker}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="324"/>
        <source>年款：{year}</source>
        <translation>Model year: {year}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="326"/>
        <source>✓ 校验位正确</source>
        <translation>✓ Check digit correct</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="329"/>
        <source>校验位不符，可能有输入错误，请核对车架号</source>
        <translation>Check digit does not match: probably a typo, please check the VIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="333"/>
        <source>校验位不符（进口车可能不用校验位）</source>
        <translation>Check digit does not match (imports may not use one)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_intake.py" line="339"/>
        <source>按车架号（{year}）</source>
        <translation>From VIN ({year})</translation>
    </message>
</context>
<context>
    <name>VehicleLabels</name>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="20"/>
        <source>汽油</source>
        <translation>Petrol</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="21"/>
        <source>柴油</source>
        <translation>Diesel</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="22"/>
        <source>油电混动</source>
        <translation>Hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="23"/>
        <source>插电混动</source>
        <translation>Plug-in hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="24"/>
        <source>纯电动</source>
        <translation>Electric</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="27"/>
        <source>燃油</source>
        <translation>Petrol/diesel</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="28"/>
        <source>混动</source>
        <translation>Hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="29"/>
        <source>纯电</source>
        <translation>Electric</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="32"/>
        <source>手动挡</source>
        <translation>Manual</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="33"/>
        <source>自动挡</source>
        <translation>Automatic</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="36"/>
        <source>事故</source>
        <translation>Accident</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="37"/>
        <source>泡水</source>
        <translation>Flood</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="38"/>
        <source>火烧</source>
        <translation>Fire</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="39"/>
        <location filename="../../ui/widgets/vehicle_labels.py" line="62"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="42"/>
        <source>一级</source>
        <translation>Grade 1</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="43"/>
        <source>二级</source>
        <translation>Grade 2</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="44"/>
        <source>三级</source>
        <translation>Grade 3</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="45"/>
        <source>四级</source>
        <translation>Grade 4</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="46"/>
        <source>五级（事故车）</source>
        <translation>Grade 5 (accident car)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="49"/>
        <source>外观</source>
        <translation>Exterior</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="50"/>
        <source>内饰</source>
        <translation>Interior</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="51"/>
        <source>发动机舱</source>
        <translation>Engine bay</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="52"/>
        <source>底盘</source>
        <translation>Chassis</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="53"/>
        <source>细节</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="54"/>
        <source>瑕疵</source>
        <translation>Flaws</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="55"/>
        <source>证件</source>
        <translation>Documents</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="58"/>
        <source>个人收购</source>
        <translation>Bought from owner</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="59"/>
        <source>置换</source>
        <translation>Trade-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="60"/>
        <source>拍卖</source>
        <translation>Auction</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="61"/>
        <source>同行调车</source>
        <translation>Other dealer</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="65"/>
        <source>7天无理由退车</source>
        <translation>7-day return</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="66"/>
        <source>30天核心部件质保</source>
        <translation>30-day core parts warranty</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="67"/>
        <source>终身免费检测</source>
        <translation>Free lifetime check</translation>
    </message>
</context>
<context>
    <name>VehiclePermissionsDialog</name>
    <message>
        <location filename="../../ui/dialogs/vehicle_permissions.py" line="30"/>
        <source>售价、收车成本、价格构成、CSV 导入</source>
        <translation>Asking price, purchase cost, price lines, CSV import</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_permissions.py" line="33"/>
        <source>收车入库、车辆资料、照片、保养与事故记录、检测报告、上下架</source>
        <translation>Intake, car details, photos, maintenance and accident entries, inspection report, on/off sale</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_permissions.py" line="46"/>
        <source>车辆资料岗位权限</source>
        <translation>Car permissions by role</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_permissions.py" line="50"/>
        <source>勾选除默认岗位外还可以做这些事的岗位。店长始终可以；修改记入审计日志。</source>
        <translation>Tick the roles that may do this besides the defaults. The manager always may; changes are audit-logged.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_permissions.py" line="74"/>
        <source>默认即可</source>
        <translation>Allowed by default</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_permissions.py" line="80"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_permissions.py" line="82"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
</context>
<context>
    <name>VehicleRecords</name>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="46"/>
        <source>选择单据或凭证</source>
        <translation>Choose an invoice or evidence</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="48"/>
        <source>照片或 PDF (*.jpg *.jpeg *.png *.webp *.pdf)</source>
        <translation>Photo or PDF (*.jpg *.jpeg *.png *.webp *.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="83"/>
        <source>已有凭证</source>
        <translation>File attached</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="85"/>
        <source>未附文件</source>
        <translation>No file</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="90"/>
        <source>选择文件…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="94"/>
        <source>移除已附的文件</source>
        <translation>Remove attached file</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="106"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/vehicle_records.py" line="108"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
</context>
<context>
    <name>VehicleWords</name>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="83"/>
        <source>轿车</source>
        <translation>Sedan</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="84"/>
        <source>两厢轿车</source>
        <translation>Hatchback</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="85"/>
        <source>三厢轿车</source>
        <translation>Sedan</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="86"/>
        <source>SUV</source>
        <translation>SUV</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="87"/>
        <source>MPV</source>
        <translation>MPV</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="88"/>
        <source>微型车</source>
        <translation>City car</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="89"/>
        <source>小型车</source>
        <translation>Small car</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="90"/>
        <source>紧凑型车</source>
        <translation>Compact car</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="91"/>
        <source>中型车</source>
        <translation>Mid-size car</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="92"/>
        <source>中大型车</source>
        <translation>Full-size car</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="93"/>
        <source>跑车</source>
        <translation>Sports car</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="94"/>
        <source>旅行车</source>
        <translation>Estate</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="95"/>
        <source>皮卡</source>
        <translation>Pickup</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="96"/>
        <source>敞篷车</source>
        <translation>Convertible</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="97"/>
        <source>面包车</source>
        <translation>Minivan</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="98"/>
        <source>越野车</source>
        <translation>Off-roader</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="99"/>
        <source>硬派越野</source>
        <translation>Off-roader</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="100"/>
        <source>白色</source>
        <translation>White</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="101"/>
        <source>黑色</source>
        <translation>Black</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="102"/>
        <source>灰色</source>
        <translation>Grey</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="103"/>
        <source>银色</source>
        <translation>Silver</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="104"/>
        <source>蓝色</source>
        <translation>Blue</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="105"/>
        <source>红色</source>
        <translation>Red</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="106"/>
        <source>棕色</source>
        <translation>Brown</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="107"/>
        <source>绿色</source>
        <translation>Green</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="108"/>
        <source>黄色</source>
        <translation>Yellow</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="109"/>
        <source>橙色</source>
        <translation>Orange</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="110"/>
        <source>紫色</source>
        <translation>Purple</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="111"/>
        <source>金色</source>
        <translation>Gold</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="112"/>
        <source>香槟色</source>
        <translation>Champagne</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="113"/>
        <source>米色</source>
        <translation>Beige</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="114"/>
        <source>咖啡色</source>
        <translation>Coffee brown</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="115"/>
        <source>深蓝色</source>
        <translation>Dark blue</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="116"/>
        <source>深灰色</source>
        <translation>Dark grey</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="117"/>
        <source>珍珠白</source>
        <translation>Pearl white</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="118"/>
        <source>双色</source>
        <translation>Two-tone</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="119"/>
        <source>前驱</source>
        <translation>Front-wheel drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="120"/>
        <source>后驱</source>
        <translation>Rear-wheel drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="121"/>
        <source>四驱</source>
        <translation>Four-wheel drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="122"/>
        <source>全时四驱</source>
        <translation>Full-time four-wheel drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="123"/>
        <source>适时四驱</source>
        <translation>On-demand four-wheel drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="124"/>
        <source>纯电动</source>
        <translation>Electric (no exhaust)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="125"/>
        <source>国VI</source>
        <translation>China 6</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="126"/>
        <source>国V</source>
        <translation>China 5</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="127"/>
        <source>国IV</source>
        <translation>China 4</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="128"/>
        <source>国III</source>
        <translation>China 3</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="129"/>
        <source>国六</source>
        <translation>China 6</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="130"/>
        <source>国五</source>
        <translation>China 5</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="131"/>
        <source>国四</source>
        <translation>China 4</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="132"/>
        <source>国三</source>
        <translation>China 3</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="133"/>
        <source>左侧</source>
        <translation>Left side</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="134"/>
        <source>右侧</source>
        <translation>Right side</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="135"/>
        <source>车头</source>
        <translation>Front</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="136"/>
        <source>车尾</source>
        <translation>Rear</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="137"/>
        <source>中控台</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="138"/>
        <source>前排座椅</source>
        <translation>Front seats</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="139"/>
        <source>后排座椅</source>
        <translation>Rear seats</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="140"/>
        <source>发动机舱</source>
        <translation>Engine bay</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="141"/>
        <source>底盘</source>
        <translation>Underbody</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="142"/>
        <source>前脸</source>
        <translation>Front grille</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="143"/>
        <source>仪表（表显里程）</source>
        <translation>Instrument cluster (odometer)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="144"/>
        <source>悬挂与制动</source>
        <translation>Suspension and brakes</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="145"/>
        <source>轮毂轮胎</source>
        <translation>Wheels and tyres</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="146"/>
        <source>尾灯</source>
        <translation>Tail lights</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="147"/>
        <source>换挡及中央扶手</source>
        <translation>Gear lever and armrest</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="148"/>
        <source>后备箱</source>
        <translation>Boot</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="149"/>
        <source>发动机舱细节</source>
        <translation>Engine bay, close-up</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="150"/>
        <source>底盘细节</source>
        <translation>Underbody, close-up</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="151"/>
        <source>钥匙</source>
        <translation>Keys</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/vehicle_labels.py" line="152"/>
        <source>铭牌</source>
        <translation>Nameplate</translation>
    </message>
</context>
<context>
    <name>Warranty</name>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="37"/>
        <source>发动机</source>
        <translation>Engine</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="38"/>
        <source>变速箱</source>
        <translation>Gearbox</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="39"/>
        <source>待诊断</source>
        <translation>Awaiting diagnosis</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="40"/>
        <source>保修（免费维修）</source>
        <translation>Covered (free repair)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/warranty_claim.py" line="41"/>
        <source>不予保修</source>
        <translation>Not covered</translation>
    </message>
</context>
<context>
    <name>WarrantyScreen</name>
    <message>
        <location filename="../../ui/screens/warranty.py" line="88"/>
        <source>保修索赔</source>
        <translation>Warranty claims</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="94"/>
        <source>按车辆（库存编号/车牌）或客户手机号查看</source>
        <translation>Show by car (stock no. / plate) or customer mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="98"/>
        <source>保修报修</source>
        <translation>Open claim</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="111"/>
        <source>诊断与结论</source>
        <translation>Diagnosis and decision</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="113"/>
        <source>打印索赔单</source>
        <translation>Print claim form</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="163"/>
        <source>已登记报修 {no}（交车后第 {days} 天，行驶 {km} 公里）</source>
        <translation>Claim {no} opened (day {days} after delivery, {km} km driven)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="167"/>
        <source>，已超出保修期限或里程</source>
        <translation>, outside the warranty</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="168"/>
        <source>。请评估师检查后填写结论。</source>
        <translation>. The appraiser records the decision after inspection.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/warranty.py" line="180"/>
        <source>结论已保存，正在生成索赔单。</source>
        <translation>Decision saved; the claim form is being prepared.</translation>
    </message>
</context>
<context>
    <name>Weekdays</name>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="46"/>
        <location filename="../../ui/widgets/roster.py" line="52"/>
        <source>周一</source>
        <translation>Mon</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="47"/>
        <location filename="../../ui/widgets/roster.py" line="53"/>
        <source>周二</source>
        <translation>Tue</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="48"/>
        <location filename="../../ui/widgets/roster.py" line="54"/>
        <source>周三</source>
        <translation>Wed</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="49"/>
        <location filename="../../ui/widgets/roster.py" line="55"/>
        <source>周四</source>
        <translation>Thu</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="50"/>
        <location filename="../../ui/widgets/roster.py" line="56"/>
        <source>周五</source>
        <translation>Fri</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="51"/>
        <location filename="../../ui/widgets/roster.py" line="57"/>
        <source>周六</source>
        <translation>Sat</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="52"/>
        <location filename="../../ui/widgets/roster.py" line="58"/>
        <source>周日</source>
        <translation>Sun</translation>
    </message>
</context>
<context>
    <name>WeeklyPatternDialog</name>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="384"/>
        <source>固定排班：{name}</source>
        <translation>Usual week: {name}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="395"/>
        <source>每周上班</source>
        <translation>Works on</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="396"/>
        <source>勾选的日子默认上班；休假、病假、外出在排班表里按天标记。</source>
        <translation>Ticked days are on duty by default; leave, sick days and off-site days are marked day by day in the roster.</translation>
    </message>
</context>
<context>
    <name>_FormDialog</name>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="82"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/staff_edit.py" line="84"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
</TS>
