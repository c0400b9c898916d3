<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US">
<context>
    <name>AuditModel</name>
    <message>
        <location filename="../../ui/screens/audit.py" line="59" />
        <source>序号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="60" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="61" />
        <source>操作人</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="62" />
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="63" />
        <source>对象</source>
        <translation>Record</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="64" />
        <source>详情</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="79" />
        <source>系统</source>
        <translation>System</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="79" />
        <source>自助机</source>
        <translation>Kiosk</translation>
    </message>
</context>
<context>
    <name>AuditScreen</name>
    <message>
        <location filename="../../ui/screens/audit.py" line="110" />
        <source>最近 {n} 条记录</source>
        <translation>Latest {n} entries</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="117" />
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="120" />
        <source>校验</source>
        <translation>Verify</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="122" />
        <source>逐条核对哈希链，检查记录是否被修改或删除</source>
        <translation>Check the hash chain entry by entry for edited or deleted records</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="151" />
        <source>正在校验…</source>
        <translation>Verifying…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="158" />
        <source>审计日志完整：共 {count} 条，哈希链无误。</source>
        <translation>Audit log intact: {count} entries, hash chain correct.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/audit.py" line="163" />
        <source>审计日志异常：{reason}（第一个异常条目：{seq}）</source>
        <translation>Audit log damaged: {reason} (first bad entry: {seq})</translation>
    </message>
</context>
<context>
    <name>BrowsePage</name>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="462" />
        <source>在售车辆</source>
        <translation>Cars for sale</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="478" />
        <source>全部品牌</source>
        <translation>All brands</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="491" />
        <source>全部价格</source>
        <translation>All prices</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="492" />
        <source>5万以下</source>
        <translation>Under ¥50k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="493" />
        <source>5–10万</source>
        <translation>¥50k–100k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="494" />
        <source>10–15万</source>
        <translation>¥100k–150k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="495" />
        <source>15–20万</source>
        <translation>¥150k–200k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="496" />
        <source>20–30万</source>
        <translation>¥200k–300k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="497" />
        <source>30万以上</source>
        <translation>Over ¥300k</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="514" />
        <source>重新加载</source>
        <translation>Reload</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="519" />
        <source>查看全部车辆</source>
        <translation>Show all cars</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="542" />
        <source>重试</source>
        <translation>Retry</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="666" />
        <source>暂时无法加载车辆信息，请稍后再试或咨询工作人员</source>
        <translation>Car information cannot be loaded right now. Please try again later or ask our staff.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/kiosk/browse.py" line="671" />
        <source>共 %n 辆</source>
        <translation>
            <numerusform>%n car</numerusform><numerusform>%n cars</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="680" />
        <source>正在加载车辆…</source>
        <translation>Loading cars…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="681" />
        <source>没有符合条件的车辆，换个条件试试</source>
        <translation>No cars match. Try other filters.</translation>
    </message>
</context>
<context>
    <name>BugReporter</name>
    <message>
        <location filename="../../ui/errors.py" line="163" />
        <source>出现了意外错误</source>
        <translation>Unexpected error</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="164" />
        <source>很抱歉，程序出现了意外错误。您输入的内容已尽量保留。</source>
        <translation>Sorry, something unexpected went wrong. What you typed has been kept where possible.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="166" />
        <source>请把下面的日志文件发给技术支持：
{path}</source>
        <translation>Please send this log file to support:
{path}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="170" />
        <source>知道了</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>CarListModel</name>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="263" />
        <source>%1万</source>
        <translation>¥%1 × 10,000</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="267" />
        <source>%1公里</source>
        <translation>%1 km</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="268" />
        <source>%1万公里</source>
        <translation>%1 × 10,000 km</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="273" />
        <source>%1年上牌</source>
        <translation>Registered %1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="275" />
        <source>%1款</source>
        <translation>%1 model</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="280" />
        <source>在售</source>
        <translation>For sale</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="281" />
        <source>已预订</source>
        <translation>Reserved</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="282" />
        <source>试驾中</source>
        <translation>On test drive</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="288" />
        <source>汽油</source>
        <translation>Petrol</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="289" />
        <source>柴油</source>
        <translation>Diesel</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="290" />
        <source>油电混动</source>
        <translation>Hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="291" />
        <source>插电混动</source>
        <translation>Plug-in hybrid</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/browse.py" line="292" />
        <source>纯电动</source>
        <translation>Electric</translation>
    </message>
</context>
<context>
    <name>CounterHelpPage</name>
    <message>
        <location filename="../../ui/kiosk/pages.py" line="63" />
        <source>如需帮助，也可以随时询问身边的工作人员。</source>
        <translation>If you need help, just ask any member of staff.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pages.py" line="68" />
        <source>先看看在售车辆</source>
        <translation>Browse cars for sale</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pages.py" line="71" />
        <source>返回首页</source>
        <translation>Home</translation>
    </message>
</context>
<context>
    <name>CustomersModel</name>
    <message>
        <location filename="../../ui/screens/customers.py" line="48" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="49" />
        <source>手机号</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="50" />
        <source>意向等级</source>
        <translation>Intent</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="51" />
        <source>负责顾问</source>
        <translation>Consultant</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="52" />
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="53" />
        <source>登记时间</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="75" />
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
</context>
<context>
    <name>CustomersScreen</name>
    <message>
        <location filename="../../ui/screens/customers.py" line="106" />
        <source>输入手机号（可只输部分数字）或姓名</source>
        <translation>Mobile number (or part of it) or name</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="113" />
        <location filename="../../ui/screens/customers.py" line="170" />
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="116" />
        <source>显示完整号码</source>
        <translation>Show full number</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="117" />
        <source>查看会记入审计日志</source>
        <translation>Viewing is recorded in the audit log</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="177" />
        <source>共 {count} 位客户</source>
        <translation>{count} customers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/customers.py" line="214" />
        <source>已显示 {name} 的完整号码，此次查看已记入审计日志。</source>
        <translation>Showing {name}'s full number; this has been recorded in the audit log.</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../ui/errors.py" line="41" />
        <source>请输入用户名和密码。</source>
        <translation>Please enter your username and password.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="42" />
        <source>用户名或密码不正确。</source>
        <translation>Wrong username or password.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="43" />
        <source>用户名或密码不正确。再错 {attempts_left} 次账号将被锁定。</source>
        <translation>Wrong username or password. {attempts_left} more wrong attempt(s) will lock the account.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="46" />
        <source>输错次数过多，账号已锁定，请 {minutes} 分钟后再试，或请店长解锁。</source>
        <translation>Too many wrong attempts: the account is locked. Try again in {minutes} minutes or ask the manager to unlock it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="49" />
        <source>PIN 为 4 到 8 位数字。</source>
        <translation>A PIN has 4 to 8 digits.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="50" />
        <source>PIN 不正确。</source>
        <translation>Wrong PIN.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="51" />
        <source>只有店长可以解锁账号。</source>
        <translation>Only the store manager can unlock accounts.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="52" />
        <source>只有店长可以查看员工列表。</source>
        <translation>Only the store manager can see the staff list.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="53" />
        <source>请填写用户名和姓名。</source>
        <translation>Please fill in the username and name.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="54" />
        <source>密码至少 {minimum} 位。</source>
        <translation>The password needs at least {minimum} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="55" />
        <source>用户名“{username}”已被使用。</source>
        <translation>The username “{username}” is already taken.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="56" />
        <source>已经设置过门店和店长账号。</source>
        <translation>The store and manager account have already been set up.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="57" />
        <source>门店编号为 2 到 8 位字母或数字，例如 BJ01。</source>
        <translation>The store code has 2 to 8 letters or digits, e.g. BJ01.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="60" />
        <source>请填写门店名称。</source>
        <translation>Please fill in the store name.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="61" />
        <source>门店不存在。</source>
        <translation>This store does not exist.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="62" />
        <source>你的岗位不能查看客户的完整号码。</source>
        <translation>Your role may not see customers' full numbers.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="63" />
        <source>客户不存在或已被合并。</source>
        <translation>This customer does not exist or was merged into another.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="64" />
        <source>数据库地址无效：{url}。请在设置中检查地址。</source>
        <translation>Invalid database address: {url}. Please check it in the settings.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="65" />
        <source>数据库文件被占用（{url}）。请关闭其他正在使用它的程序后重试。</source>
        <translation>The database file is in use ({url}). Close the other program using it and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="68" />
        <source>数据库拒绝登录（{url}）：用户名或密码不正确。</source>
        <translation>The database refused the login ({url}): wrong user name or password.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="69" />
        <source>无法连接数据库 {url}：{detail}</source>
        <translation>Cannot connect to the database {url}: {detail}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="70" />
        <source>数据库升级失败。详情已写入日志。</source>
        <translation>Upgrading the database failed. Details are in the log.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="88" />
        <source>当前数据库只读，不能保存：{reason}</source>
        <translation>The database is read-only, nothing can be saved: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="90" />
        <source>数据库暂时无法访问，请稍后重试。如果一直这样，请检查网络或联系管理员。</source>
        <translation>The database cannot be reached right now. Please try again shortly; if this persists, check the network or contact your administrator.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="93" />
        <source>操作没有完成：程序出现了意外错误。详情已写入日志。</source>
        <translation>That did not work: an unexpected error occurred. Details are in the log.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="103" />
        <source>无法连接数据库服务器 {server}。请检查网络和数据库服务器是否开启。</source>
        <translation>Cannot connect to the database server {server}. Please check the network and that the server is running.</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="103" />
        <source>首次使用</source>
        <translation>First start</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="117" />
        <source>欢迎使用二手车展厅管理系统</source>
        <translation>Welcome to Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="120" />
        <source>这台电脑上的数据库还是空的，还没有门店和员工账号。</source>
        <translation>The database on this PC is empty: there is no store and no staff account yet.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="143" />
        <source>请选择如何开始：</source>
        <translation>How would you like to start?</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="144" />
        <source>载入演示数据</source>
        <translation>Load demo data</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="152" />
        <source>生成约 {cars} 辆在库车辆、客户、到店和试驾记录以及各岗位的演示账号，适合先熟悉系统。以后可以重新建库再正式使用。</source>
        <translation>Creates about {cars} cars in stock, customers, visits, test drives and a demo account for each role, to get to know the app. Start a fresh database later for real use.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="160" />
        <location filename="../../ui/dialogs/first_run.py" line="190" />
        <source>创建门店和店长账号</source>
        <translation>Create the store and manager account</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="166" />
        <source>正式使用：填写门店信息并设置店长的用户名和密码，其他员工由店长之后添加。</source>
        <translation>For real use: enter the store details and the manager's username and password; the manager adds the other staff later.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="177" />
        <source>以后再说</source>
        <translation>Later</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="198" />
        <source>2 到 8 位字母或数字，如 BJ01</source>
        <translation>2 to 8 letters or digits, e.g. BJ01</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="202" />
        <source>如：王建国</source>
        <translation>e.g. Wang Jianguo</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="204" />
        <source>登录时使用，如 wangjg</source>
        <translation>Used to sign in, e.g. wangjg</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="207" />
        <source>至少 6 位</source>
        <translation>At least 6 characters</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="213" />
        <source>可不填；4 到 8 位数字，用于自助机</source>
        <translation>Optional; 4 to 8 digits, for the kiosk</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="215" />
        <source>门店编号</source>
        <translation>Store code</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="216" />
        <source>门店名称</source>
        <translation>Store name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="217" />
        <source>店长姓名</source>
        <translation>Manager's name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="218" />
        <source>店长用户名</source>
        <translation>Manager's username</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="219" />
        <location filename="../../ui/dialogs/first_run.py" line="363" />
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="220" />
        <source>再输一次密码</source>
        <translation>Repeat password</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="221" />
        <source>员工 PIN</source>
        <translation>Staff PIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="231" />
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="235" />
        <source>创建</source>
        <translation>Create</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="253" />
        <source>两次输入的密码不一致。</source>
        <translation>The two passwords do not match.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="295" />
        <source>正在生成演示数据…</source>
        <translation>Generating demo data…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="296" />
        <source>准备中</source>
        <translation>Preparing</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="301" />
        <source>大约需要一分钟，请不要关闭程序。</source>
        <translation>This takes about a minute; please do not close the app.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="337" />
        <source>这个版本没有附带演示数据，请创建门店和店长账号。</source>
        <translation>This build has no demo data; please create the store and manager account.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="349" />
        <source>演示数据已生成</source>
        <translation>Demo data is ready</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="354" />
        <source>可以用下面的演示账号登录，体验各岗位看到的界面。演示账号仅供演示，正式使用前请重新建库或修改密码。</source>
        <translation>Sign in with one of these demo accounts to see what each role sees. They are for demonstration only: start a fresh database or change the passwords before real use.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="363" />
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="363" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="363" />
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="363" />
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="374" />
        <source>开始使用</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/first_run.py" line="403" />
        <source>演示数据已生成：{cars} 辆车、{customers} 位客户</source>
        <translation>Demo data is ready: {cars} cars, {customers} customers</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../ui/kiosk/home.py" line="105" />
        <source>欢迎光临</source>
        <translation>Welcome</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/home.py" line="110" />
        <source>透明车况，放心选车</source>
        <translation>Transparent car records, buy with confidence</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/home.py" line="112" />
        <source>请轻触下方选项开始</source>
        <translation>Tap an option below to start</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../../ui/screens/home.py" line="73" />
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="118" />
        <source>早上好，{name}</source>
        <translation>Good morning, {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="120" />
        <source>中午好，{name}</source>
        <translation>Good day, {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="122" />
        <source>下午好，{name}</source>
        <translation>Good afternoon, {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="124" />
        <source>晚上好，{name}</source>
        <translation>Good evening, {name}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="132" />
        <source>今日到店</source>
        <translation>Visits today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="133" />
        <source>正在等待接待</source>
        <translation>Waiting now</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="134" />
        <source>今日试驾</source>
        <translation>Test drives today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="135" />
        <source>有效意向金</source>
        <translation>Active deposits</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="136" />
        <source>在售车辆</source>
        <translation>Cars on sale</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="137" />
        <source>今日待回访</source>
        <translation>Follow-ups due today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="138" />
        <source>下次透明检测日</source>
        <translation>Next inspection day</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="176" />
        <source>更新于 {time}</source>
        <translation>Updated {time}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="182" />
        <source>等待 {waiting} · 接待中 {serving} · 已离店 {left}</source>
        <translation>Waiting {waiting} · Being served {serving} · Left {left}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="194" />
        <source>请尽快安排顾问接待</source>
        <translation>Please assign a consultant soon</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="194" />
        <source>没有客户在等待</source>
        <translation>Nobody is waiting</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="199" />
        <source>正在试驾 {count} 辆</source>
        <translation>{count} out on a drive</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="204" />
        <source>合计 {amount}</source>
        <translation>Total {amount}</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="208" />
        <source>已预订 {count} 辆</source>
        <translation>{count} reserved</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="216" />
        <source>其中逾期 {count} 条</source>
        <translation>{count} of them overdue</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="218" />
        <source>没有逾期的回访</source>
        <translation>None overdue</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="226" />
        <source>暂无安排</source>
        <translation>None planned</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="229" />
        <source>{taken} / {total} 位</source>
        <translation>{taken} / {total} seats</translation>
    </message>
    <message>
        <location filename="../../ui/screens/home.py" line="239" />
        <source>{day} · 剩余 {left} 位 · 候补 {waiting} 人</source>
        <translation>{day} · {left} left · {waiting} waiting</translation>
    </message>
</context>
<context>
    <name>InventoryModel</name>
    <message>
        <location filename="../../ui/screens/inventory.py" line="73" />
        <source>库存号</source>
        <translation>Stock no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="74" />
        <source>品牌</source>
        <translation>Brand</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="75" />
        <source>车型</source>
        <translation>Model</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="76" />
        <source>年份</source>
        <translation>Year</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="77" />
        <source>里程（公里）</source>
        <translation>Mileage (km)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="78" />
        <source>售价（元）</source>
        <translation>Price (¥)</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="79" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="80" />
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
</context>
<context>
    <name>InventoryScreen</name>
    <message>
        <location filename="../../ui/screens/inventory.py" line="149" />
        <source>搜索品牌、车型、车牌、车架号或库存号</source>
        <translation>Search brand, model, plate, VIN or stock no.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="159" />
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="166" />
        <location filename="../../ui/screens/inventory.py" line="218" />
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../ui/screens/inventory.py" line="225" />
        <source>共 {count} 辆</source>
        <translation>{count} cars</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../../ui/kiosk/window.py" line="91" />
        <source>返回首页</source>
        <translation>Home</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="104" />
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="123" />
        <source>浏览在售车辆</source>
        <translation>Browse cars for sale</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="123" />
        <source>车况透明，价格公开</source>
        <translation>Open records, open prices</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="124" />
        <location filename="../../ui/kiosk/window.py" line="146" />
        <source>预约试驾</source>
        <translation>Book a test drive</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="124" />
        <source>选好车型，约个时间</source>
        <translation>Pick a car and a time</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="127" />
        <location filename="../../ui/kiosk/window.py" line="152" />
        <source>透明检测日报名</source>
        <translation>Inspection day sign-up</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="128" />
        <source>每月免费检测，名额有限</source>
        <translation>Free monthly inspection, limited places</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="131" />
        <location filename="../../ui/kiosk/window.py" line="161" />
        <source>扫码签到</source>
        <translation>Scan to check in</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="131" />
        <source>已预约的客户在此签到</source>
        <translation>Check in here if you have a booking</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="146" />
        <source>请到前台，工作人员将为您预约试驾</source>
        <translation>Please come to the front desk; our staff will book your test drive.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="153" />
        <source>请到前台，工作人员将为您办理检测日报名</source>
        <translation>Please come to the front desk; our staff will sign you up for the inspection day.</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/window.py" line="162" />
        <source>请到前台出示您的预约二维码，工作人员将为您签到</source>
        <translation>Please show your booking QR code at the front desk; our staff will check you in.</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../ui/widgets/labels.py" line="28" />
        <source>店长</source>
        <translation>Manager</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="29" />
        <source>前台</source>
        <translation>Reception</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="30" />
        <source>销售顾问</source>
        <translation>Sales</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="31" />
        <source>评估师</source>
        <translation>Appraiser</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="35" />
        <source>整备中</source>
        <translation>Preparing</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="36" />
        <source>在售</source>
        <translation>On sale</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="37" />
        <source>已预订</source>
        <translation>Reserved</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="38" />
        <location filename="../../ui/widgets/labels.py" line="45" />
        <source>试驾中</source>
        <translation>On test drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="39" />
        <source>已售</source>
        <translation>Sold</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="43" />
        <source>等待接待</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="44" />
        <source>顾问接待中</source>
        <translation>With consultant</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="46" />
        <source>已离店</source>
        <translation>Left</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="50" />
        <source>自然到店</source>
        <translation>Walk-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="51" />
        <source>线上预约</source>
        <translation>Online booking</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="52" />
        <source>老客户介绍</source>
        <translation>Referral</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="53" />
        <source>短视频</source>
        <translation>Short video</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="54" />
        <source>二手车平台</source>
        <translation>Listing platform</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="55" />
        <source>电话咨询</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="56" />
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="60" />
        <source>先生</source>
        <translation>Mr</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="61" />
        <source>女士</source>
        <translation>Ms</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="65" />
        <source>A 级（7 天内）</source>
        <translation>A (within 7 days)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="66" />
        <source>B 级（15 天内）</source>
        <translation>B (within 15 days)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="67" />
        <source>C 级（30 天内）</source>
        <translation>C (within 30 days)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="68" />
        <source>D 级（暂无计划）</source>
        <translation>D (no plans yet)</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="72" />
        <source>登录</source>
        <translation>Signed in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="73" />
        <source>登录失败</source>
        <translation>Sign-in failed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="74" />
        <source>锁定期间尝试登录</source>
        <translation>Sign-in while locked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="75" />
        <source>账号被锁定</source>
        <translation>Account locked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="76" />
        <source>解锁账号</source>
        <translation>Account unlocked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="77" />
        <source>新建员工账号</source>
        <translation>Staff account created</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="78" />
        <source>新建门店</source>
        <translation>Store created</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="79" />
        <source>自助机员工解锁</source>
        <translation>Kiosk staff unlock</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="80" />
        <source>自助机 PIN 错误</source>
        <translation>Kiosk wrong PIN</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="81" />
        <source>查看完整个人信息</source>
        <translation>Personal data revealed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="82" />
        <source>生成演示数据</source>
        <translation>Demo data generated</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="83" />
        <source>新建客户</source>
        <translation>Customer created</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="84" />
        <source>到店登记</source>
        <translation>Visit checked in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="85" />
        <source>预约试驾</source>
        <translation>Test drive booked</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="86" />
        <source>试驾出车</source>
        <translation>Test drive out</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="87" />
        <source>试驾还车</source>
        <translation>Test drive returned</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="89" />
        <source>检测报告定稿</source>
        <translation>Inspection report finalised</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="90" />
        <source>收取意向金</source>
        <translation>Deposit taken</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="91" />
        <source>意向金抵扣车款</source>
        <translation>Deposit credited to the price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="92" />
        <source>退还意向金</source>
        <translation>Deposit refunded</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="93" />
        <source>起草合同</source>
        <translation>Contract drafted</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="94" />
        <source>签订合同</source>
        <translation>Contract signed</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="95" />
        <source>作废合同</source>
        <translation>Contract voided</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="100" />
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="101" />
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="102" />
        <source>剩余次数</source>
        <translation>Attempts left</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="103" />
        <source>分钟</source>
        <translation>Minutes</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="104" />
        <source>编号</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="105" />
        <source>字段</source>
        <translation>Field</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="106" />
        <source>预约码</source>
        <translation>Booking code</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="108" />
        <source>收据号</source>
        <translation>Receipt no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="109" />
        <source>合同号</source>
        <translation>Contract no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="110" />
        <source>报告号</source>
        <translation>Report no.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="111" />
        <source>价格</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="112" />
        <source>金额</source>
        <translation>Amount</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="113" />
        <source>座位号</source>
        <translation>Seat</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="118" />
        <source>报名</source>
        <translation>Registrations</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="122" />
        <source>回访</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="126" />
        <source>手机号</source>
        <translation>Mobile number</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="127" />
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="131" />
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="132" />
        <source>门店</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="167" />
        <source>{key}：{value}</source>
        <translation>{key}: {value}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="171" />
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="115" />
        <location filename="../../ui/widgets/labels.py" line="133" />
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="107" />
        <location filename="../../ui/widgets/labels.py" line="114" />
        <location filename="../../ui/widgets/labels.py" line="134" />
        <source>车辆</source>
        <translation>Vehicle</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="116" />
        <location filename="../../ui/widgets/labels.py" line="135" />
        <source>到店</source>
        <translation>Visit</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="117" />
        <location filename="../../ui/widgets/labels.py" line="136" />
        <source>试驾</source>
        <translation>Test drive</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="120" />
        <location filename="../../ui/widgets/labels.py" line="137" />
        <source>意向金</source>
        <translation>Deposit</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="121" />
        <location filename="../../ui/widgets/labels.py" line="138" />
        <source>合同</source>
        <translation>Contract</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="88" />
        <location filename="../../ui/widgets/labels.py" line="139" />
        <source>检测日报名</source>
        <translation>Inspection day registration</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/labels.py" line="119" />
        <location filename="../../ui/widgets/labels.py" line="140" />
        <source>检测</source>
        <translation>Inspection</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="48" />
        <source>本机内置数据库</source>
        <translation>Embedded database (this PC)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="50" />
        <source>共享数据库 {where}</source>
        <translation>Shared database {where}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="83" />
        <location filename="../../ui/main_window.py" line="203" />
        <source>二手车展厅管理系统</source>
        <translation>Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="105" />
        <source>数据库：未连接</source>
        <translation>Database: not connected</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="106" />
        <location filename="../../ui/main_window.py" line="202" />
        <source>未登录</source>
        <translation>Not signed in</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="159" />
        <source>只读模式：{reason}</source>
        <translation>Read-only: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="191" />
        <source>{name}（{role}）</source>
        <translation>{name} ({role})</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="193" />
        <source>二手车展厅管理系统 — {store}</source>
        <translation>Showroom — {store}</translation>
    </message>
</context>
<context>
    <name>OnlineIndicator</name>
    <message>
        <location filename="../../ui/widgets/status.py" line="113" />
        <location filename="../../ui/widgets/status.py" line="122" />
        <source>正在检查…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="124" />
        <source>在线</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/status.py" line="126" />
        <source>离线</source>
        <translation>Offline</translation>
    </message>
</context>
<context>
    <name>PinDots</name>
    <message numerus="yes">
        <location filename="../../ui/kiosk/pin_pad.py" line="47" />
        <source>已输入 %n 位</source>
        <translation>
            <numerusform>%n digit entered</numerusform><numerusform>%n digits entered</numerusform></translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="110" />
        <source>清空</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="112" />
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="114" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="116" />
        <source>确定</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="164" />
        <location filename="../../ui/kiosk/pin_pad.py" line="202" />
        <location filename="../../ui/kiosk/pin_pad.py" line="223" />
        <source>请输入员工 PIN 码</source>
        <translation>Enter staff PIN</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/pin_pad.py" line="176" />
        <source>正在验证…</source>
        <translation>Checking…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/kiosk/pin_pad.py" line="229" />
        <source>输错次数过多，请 %n 秒后再试</source>
        <translation>
            <numerusform>Too many wrong tries. Try again in %n second.</numerusform><numerusform>Too many wrong tries. Try again in %n seconds.</numerusform></translation>
    </message>
</context>
<context>
    <name>Screens</name>
    <message>
        <location filename="../../ui/screens/__init__.py" line="37" />
        <source>今日概览</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="44" />
        <source>客户</source>
        <translation>Customers</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="51" />
        <source>车辆库存</source>
        <translation>Inventory</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="58" />
        <source>员工</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/screens/__init__.py" line="65" />
        <source>审计日志</source>
        <translation>Audit log</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="56" />
        <source>数据库地址（留空使用本机内置数据库）</source>
        <translation>Database address (empty: embedded database on this PC)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="57" />
        <source>门店编号（合同号、收据号的前缀）</source>
        <translation>Store code (prefix of contract and receipt numbers)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="58" />
        <source>门店名称</source>
        <translation>Store name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="59" />
        <source>门店地址</source>
        <translation>Store address</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="60" />
        <source>文件抬头（打印在每页顶部）</source>
        <translation>Letterhead (printed at the top of each page)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="61" />
        <source>界面语言</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="62" />
        <source>连续输错密码几次后锁定账号</source>
        <translation>Wrong passwords in a row before the account locks</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="63" />
        <source>账号锁定时长（分钟）</source>
        <translation>Lockout duration (minutes)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="64" />
        <source>自助机无操作多少秒后回到首页</source>
        <translation>Kiosk returns to its home page after (seconds idle)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="65" />
        <source>客户保护期（天）</source>
        <translation>Customer protection period (days)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="66" />
        <source>客户等待超过多少分钟时提醒</source>
        <translation>Remind when a customer has waited longer than (minutes)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="67" />
        <source>默认意向金金额（元）</source>
        <translation>Default deposit (¥)</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="45" />
        <source>门店</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="46" />
        <source>数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="47" />
        <source>账号安全</source>
        <translation>Security</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="48" />
        <source>接待</source>
        <translation>Reception</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="49" />
        <source>销售</source>
        <translation>Sales</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="50" />
        <source>自助机</source>
        <translation>Kiosk</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="51" />
        <source>界面</source>
        <translation>Interface</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="137" />
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="155" />
        <source>设置文件：{path}</source>
        <translation>Settings file: {path}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="155" />
        <source>（不保存到文件）</source>
        <translation>(not saved to a file)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="161" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="163" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="213" />
        <source>测试连接</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="227" />
        <source>范围 {minimum} – {maximum}</source>
        <translation>Range {minimum} – {maximum}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="232" />
        <source>此项由命令行或环境变量指定，这里不能修改。</source>
        <translation>Set on the command line or in the environment; it cannot be changed here.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="234" />
        <source>更改后重新连接或重新启动程序时生效。</source>
        <translation>A change applies when the app reconnects or restarts.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="277" />
        <source>留空使用本机内置数据库；共享数据库如 postgresql+psycopg://用户名:密码@服务器:5432/showroom</source>
        <translation>Empty: embedded database; shared, e.g. postgresql+psycopg://user:password@server:5432/showroom</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="311" />
        <source>请输入整数。</source>
        <translation>Please enter a whole number.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="313" />
        <source>不能小于 {minimum}。</source>
        <translation>Must be at least {minimum}.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="315" />
        <source>不能大于 {maximum}。</source>
        <translation>Must be at most {maximum}.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="317" />
        <source>请从列表中选择。</source>
        <translation>Please choose from the list.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="318" />
        <source>这个值无效。</source>
        <translation>This value is not valid.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="352" />
        <source>有的设置不符合要求，请按提示修改后再保存。</source>
        <translation>Some settings are not valid; please correct them as shown, then save.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="360" />
        <source>设置没有保存：{reason}</source>
        <translation>Settings not saved: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="375" />
        <source>留空时使用这台电脑上的内置数据库，无需测试。</source>
        <translation>Empty means the embedded database on this PC; nothing to test.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="378" />
        <source>正在连接 {url} …</source>
        <translation>Connecting to {url} …</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="383" />
        <source>连接成功：{url}</source>
        <translation>Connected: {url}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/settings.py" line="388" />
        <source>连接失败：{reason}</source>
        <translation>Connection failed: {reason}</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <location filename="../../ui/widgets/shell.py" line="98" />
        <source>展厅管理</source>
        <translation>Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/shell.py" line="122" />
        <source>版本 {version}</source>
        <translation>Version {version}</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/shell.py" line="154" />
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/shell.py" line="163" />
        <source>退出登录</source>
        <translation>Sign out</translation>
    </message>
</context>
<context>
    <name>ShowroomApp</name>
    <message>
        <location filename="../../ui/app.py" line="163" />
        <source>设置文件中有无效的值，已改用默认值（详情见日志）。</source>
        <translation>The settings file had invalid values; defaults are used instead (see the log).</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="314" />
        <source>设置已保存</source>
        <translation>Settings saved</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="315" />
        <source>新的数据库地址或界面语言将在重新启动程序后生效。</source>
        <translation>The new database address or language applies after restarting the app.</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="328" />
        <source>自助机模式不可用，已打开员工登录。</source>
        <translation>Kiosk mode is not available; showing staff sign-in instead.</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="48" />
        <source>员工登录</source>
        <translation>Staff sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="51" />
        <source>二手车展厅管理系统</source>
        <translation>Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="56" />
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="58" />
        <source>请输入用户名</source>
        <translation>Your username</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="64" />
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="67" />
        <source>请输入密码</source>
        <translation>Your password</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="76" />
        <location filename="../../ui/widgets/sign_in_page.py" line="163" />
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="84" />
        <source>这个数据库还没有任何员工账号，请先完成首次使用设置。</source>
        <translation>This database has no staff accounts yet. Please complete the first-start set-up.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="89" />
        <source>首次使用设置…</source>
        <translation>First-start set-up…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="121" />
        <source>请输入用户名。</source>
        <translation>Please enter your username.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="125" />
        <source>请输入密码。</source>
        <translation>Please enter your password.</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sign_in_page.py" line="163" />
        <source>正在登录…</source>
        <translation>Signing in…</translation>
    </message>
</context>
<context>
    <name>StaffModel</name>
    <message>
        <location filename="../../ui/screens/staff.py" line="58" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="59" />
        <source>用户名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="60" />
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="61" />
        <source>账号状态</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="62" />
        <source>登录状态</source>
        <translation>Sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="63" />
        <source>最近登录</source>
        <translation>Last sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="80" />
        <source>在职</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="80" />
        <source>已停用</source>
        <translation>Disabled</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="83" />
        <source>已锁定（至 {time}）</source>
        <translation>Locked (until {time})</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="86" />
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="89" />
        <source>从未登录</source>
        <translation>Never</translation>
    </message>
</context>
<context>
    <name>StaffPinPage</name>
    <message>
        <location filename="../../ui/kiosk/staff.py" line="74" />
        <source>员工验证</source>
        <translation>Staff sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/staff.py" line="133" />
        <source>PIN 为 4 到 8 位数字</source>
        <translation>The PIN has 4 to 8 digits</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/staff.py" line="138" />
        <source>PIN 不正确，请重新输入</source>
        <translation>Wrong PIN, please try again</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/staff.py" line="146" />
        <source>暂时无法验证，请稍后再试</source>
        <translation>Cannot check right now, please try again later</translation>
    </message>
</context>
<context>
    <name>StaffScreen</name>
    <message>
        <location filename="../../ui/screens/staff.py" line="113" />
        <source>连续输错密码的账号会被锁定；确认是本人后可在这里解锁。</source>
        <translation>Accounts lock after repeated wrong passwords; once you have checked it is really them, unlock here.</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="116" />
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="119" />
        <source>解锁</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <location filename="../../ui/screens/staff.py" line="190" />
        <source>已解锁 {name} 的账号。</source>
        <translation>{name}'s account is unlocked.</translation>
    </message>
</context>
<context>
    <name>StartupPage</name>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="55" />
        <source>二手车展厅管理系统</source>
        <translation>Showroom</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="58" />
        <location filename="../../ui/widgets/startup_page.py" line="74" />
        <source>正在连接数据库…</source>
        <translation>Connecting to the database…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="90" />
        <source>无法打开数据库</source>
        <translation>Cannot open the database</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="101" />
        <source>您可以检查网络后重试，在设置中改正数据库地址，或暂时使用这台电脑上的内置数据库（数据只保存在本机，不与其他电脑共享）。</source>
        <translation>Check the network and try again, correct the database address in the settings, or work on this PC's embedded database for now (data stays on this PC and is not shared).</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="111" />
        <source>重试</source>
        <translation>Try again</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="114" />
        <source>设置…</source>
        <translation>Settings…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="116" />
        <source>使用本机内置数据库</source>
        <translation>Use this PC's embedded database</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/startup_page.py" line="131" />
        <source>技术信息：{detail}</source>
        <translation>Technical detail: {detail}</translation>
    </message>
</context>
</TS>