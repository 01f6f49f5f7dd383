// The workspace's words in Simplified Chinese (the default) and English. Keys are English
// phrases' ids; every key exists in both languages (the build's type check enforces it).
export type Lang = "zh" | "en";

const zh = {
  appName: "hotline 客服中心",
  signIn: "登录",
  signingIn: "正在登录…",
  user: "用户名",
  password: "密码",
  signOut: "退出登录",
  sessionExpired: "会话已过期，请重新登录。您填写的内容已保留，登录后将继续提交。",
  sessionOtherUser: "请以原用户重新登录，或退出后换用户登录。",
  changePassword: "修改密码",
  mustChangePassword: "首次登录请先修改密码。",
  currentPassword: "当前密码",
  newPassword: "新密码（10 个字符以上）",
  repeatPassword: "再次输入新密码",
  passwordsDiffer: "两次输入的新密码不一致",
  save: "保存",
  language: "语言",
  screens: "功能",
  notYet: "建设中",
  notYetText: "此界面尚未提供，后续版本将上线。",
  centre: "中心",
  headOffice: "总部",
  // screens
  "screen.desk": "坐席工作台",
  "screen.qa": "质检",
  "screen.campaigns": "营销活动",
  "screen.wallboard": "监控大屏",
  "screen.admin": "用户与权限",
  "screen.audit": "审计日志",
  "role.agent": "坐席",
  "role.qa": "质检员",
  "role.marketer": "营销专员",
  "role.manager": "主管",
  "role.admin": "管理员",
  "role.auditor": "审计员",
  // desk
  deskSignIn: "签入坐席",
  deskSignOut: "签出坐席",
  deskNotSignedIn: "您尚未签入坐席。签入后可接听来电。",
  agentId: "工号",
  ready: "就绪",
  notReady: "示忙",
  reason: "原因",
  since: "持续",
  queues: "技能队列",
  handled: "已接听",
  connected: "实时连接正常",
  reconnecting: "连接中断，正在重连…",
  connecting: "正在连接…",
  incoming: "来电振铃",
  accept: "接听",
  reject: "拒接",
  hold: "保持",
  retrieve: "取回",
  hangup: "挂断",
  transfer: "转接",
  transferTo: "转接至",
  toQueue: "队列",
  toDepartment: "部门",
  target: "目标",
  waited: "等待时长",
  queue: "队列",
  line: "业务类型",
  ivrPath: "IVR 路径",
  noCall: "当前没有通话。就绪后，来电将在此弹屏。",
  customer: "客户",
  phone: "来电号码",
  custPhone: "联系电话",
  insLine: "险种",
  segment: "客户分层",
  since2: "客户起始",
  province: "地区",
  policies: "保单",
  policyNo: "保单号",
  product: "产品",
  status: "状态",
  endDate: "到期日",
  premium: "保费（元）",
  claims: "近期理赔",
  claimNo: "案件号",
  reported: "报案时间",
  claimed: "索赔金额（元）",
  paid: "已赔付（元）",
  openComplaints: "未结投诉",
  due: "答复期限",
  none: "无",
  unknownCaller: "未识别客户（号码不在客户库中）",
  flags: "标记",
  "flag.vip": "贵宾",
  "flag.blacklisted": "黑名单",
  "flag.dnc": "拒绝营销来电",
  "flag.consent": "已同意营销",
  complaint: "登记投诉",
  category: "投诉类别",
  department: "责任部门",
  policy: "相关保单",
  claim: "相关案件",
  register: "提交投诉",
  complaintRegistered: "投诉已登记",
  complaintDue: "须在 7 个工作日内答复，截止",
  wrapup: "话后处理",
  disposition: "处理结果",
  resolved: "问题已解决",
  finishWrapup: "完成话后处理",
  wrapupLeft: "剩余",
  wrapupAuto: "到时将自动结束",
  choose: "请选择",
  shortcuts: "快捷键",
  required: "必填",
  saved: "已保存",
  practiceCall: "练习来电",
} as const;

export type Key = keyof typeof zh;

const en: Record<Key, string> = {
  appName: "hotline service centre",
  signIn: "Sign in",
  signingIn: "Signing in…",
  user: "User name",
  password: "Password",
  signOut: "Sign out",
  sessionExpired: "Your session has expired: sign in again. What you entered is kept and will be sent once you are signed in.",
  sessionOtherUser: "Sign in again as the same user, or sign out to change user.",
  changePassword: "Change password",
  mustChangePassword: "Change your password before you start.",
  currentPassword: "Current password",
  newPassword: "New password (at least 10 characters)",
  repeatPassword: "New password again",
  passwordsDiffer: "The two new passwords differ",
  save: "Save",
  language: "Language",
  screens: "Screens",
  notYet: "coming",
  notYetText: "This screen is not available yet; it comes in a later release.",
  centre: "Centre",
  headOffice: "head office",
  "screen.desk": "Agent desktop",
  "screen.qa": "Quality assurance",
  "screen.campaigns": "Campaigns",
  "screen.wallboard": "Wallboard",
  "screen.admin": "Users and access",
  "screen.audit": "Audit log",
  "role.agent": "agent",
  "role.qa": "QA reviewer",
  "role.marketer": "marketer",
  "role.manager": "manager",
  "role.admin": "administrator",
  "role.auditor": "auditor",
  deskSignIn: "Sign in to the desk",
  deskSignOut: "Sign out of the desk",
  deskNotSignedIn: "You are not signed in to the desk. Sign in to take calls.",
  agentId: "Agent",
  ready: "Ready",
  notReady: "Not ready",
  reason: "Reason",
  since: "For",
  queues: "Queues",
  handled: "Handled",
  connected: "Live connection up",
  reconnecting: "Connection lost, reconnecting…",
  connecting: "Connecting…",
  incoming: "Incoming call",
  accept: "Answer",
  reject: "Decline",
  hold: "Hold",
  retrieve: "Retrieve",
  hangup: "Hang up",
  transfer: "Transfer",
  transferTo: "Transfer to",
  toQueue: "queue",
  toDepartment: "department",
  target: "Target",
  waited: "Waited",
  queue: "Queue",
  line: "Business line",
  ivrPath: "IVR path",
  noCall: "No call. When you are ready, an incoming call pops up here.",
  customer: "Customer",
  phone: "Calling number",
  custPhone: "Customer's phone",
  insLine: "Insurance",
  segment: "Segment",
  since2: "Customer since",
  province: "Region",
  policies: "Policies",
  policyNo: "Policy",
  product: "Product",
  status: "Status",
  endDate: "Ends",
  premium: "Premium (CNY)",
  claims: "Recent claims",
  claimNo: "Claim",
  reported: "Reported",
  claimed: "Claimed (CNY)",
  paid: "Paid (CNY)",
  openComplaints: "Open complaints",
  due: "Answer due",
  none: "None",
  unknownCaller: "Caller not identified (number not in the customer base)",
  flags: "Flags",
  "flag.vip": "VIP",
  "flag.blacklisted": "Blacklisted",
  "flag.dnc": "Do not call for sales",
  "flag.consent": "Marketing consent",
  complaint: "Register a complaint",
  category: "Category",
  department: "Department",
  policy: "Policy",
  claim: "Claim",
  register: "Register complaint",
  complaintRegistered: "Complaint registered",
  complaintDue: "Answer within 7 working days, by",
  wrapup: "Wrap-up",
  disposition: "Disposition",
  resolved: "Resolved",
  finishWrapup: "Finish wrap-up",
  wrapupLeft: "Left",
  wrapupAuto: "then it ends by itself",
  choose: "Choose",
  shortcuts: "Shortcuts",
  required: "required",
  saved: "Saved",
  practiceCall: "practice call",
};

// Codes of the domain (states, lines, statuses…) and their names.
const codesZh: Record<string, string> = {
  "state.available": "就绪", "state.reserved": "振铃中", "state.on_call": "通话中", "state.hold": "保持中",
  "state.acw": "话后处理", "state.break": "示忙", "state.logged_out": "未签入",
  "break.lunch": "用餐", "break.rest": "小休", "break.training": "培训", "break.meeting": "会议", "break.coaching": "辅导",
  "break.login": "刚签入", "break.no_answer": "未接超时", "break.desktop_lost": "连接中断", "break.logout": "签出",
  "line.claims_report": "报案", "line.inquiry": "查询咨询", "line.consultation": "业务咨询", "line.complaint": "投诉",
  "line.renewal": "续保", "line.appointment": "预约投保", "line.premium_due": "缴费提醒", "line.claim_callback": "理赔回访",
  "line.survey": "满意度回访", "line.complaint_followup": "投诉回访", "line.telemarketing": "电话营销", "line.market_research": "市场调研",
  "queue.claims_report": "报案队列", "queue.inquiry": "查询咨询队列", "queue.consultation": "业务咨询队列", "queue.complaint": "投诉队列",
  "queue.renewal": "续保队列", "queue.appointment": "预约投保队列",
  "pline.auto": "车险", "pline.property": "财产险", "pline.life": "寿险", "pline.health": "健康险", "pline.accident": "意外险", "pline.liability": "责任险",
  "pstatus.active": "有效", "pstatus.expired": "已到期", "pstatus.lapsed": "已失效", "pstatus.cancelled": "已退保",
  "cstatus.filed": "已立案", "cstatus.calculated": "已理算", "cstatus.prepaid": "已预付", "cstatus.closed": "已结案", "cstatus.rejected": "已拒赔",
  "cat.claim_delay": "理赔时效", "cat.claim_amount": "理赔金额", "cat.service_attitude": "服务态度", "cat.sales_misleading": "销售误导", "cat.billing": "费用争议",
  "dept.claims": "理赔部", "dept.underwriting": "核保部", "dept.service": "客户服务部", "dept.sales": "销售部", "dept.finance": "财务部",
  "disp.info_given": "已解答", "disp.claim_registered": "已受理报案", "disp.claim_status_given": "已告知理赔进度", "disp.policy_change": "已受理保单变更",
  "disp.complaint_registered": "已登记投诉", "disp.renewal_quoted": "已报续保价", "disp.appointment_made": "已预约", "disp.callback_promised": "约定回电",
  "disp.transferred": "已转接", "disp.other": "其他",
  "seg.vip": "贵宾", "seg.standard": "普通",
  "stage.registered": "已登记", "stage.transferred": "已转办", "stage.answered": "已答复", "stage.closed": "已关闭", "stage.reopened": "重新打开",
};
const codesEn: Record<string, string> = {
  "state.available": "Ready", "state.reserved": "Ringing", "state.on_call": "On a call", "state.hold": "On hold",
  "state.acw": "Wrap-up", "state.break": "Not ready", "state.logged_out": "Signed out",
  "break.lunch": "lunch", "break.rest": "rest", "break.training": "training", "break.meeting": "meeting", "break.coaching": "coaching",
  "break.login": "just signed in", "break.no_answer": "missed a call", "break.desktop_lost": "desktop lost", "break.logout": "signed out",
  "line.claims_report": "Claim report", "line.inquiry": "Inquiry", "line.consultation": "Consultation", "line.complaint": "Complaint",
  "line.renewal": "Renewal", "line.appointment": "Appointment", "line.premium_due": "Premium reminder", "line.claim_callback": "Claim follow-up call",
  "line.survey": "Survey", "line.complaint_followup": "Complaint follow-up", "line.telemarketing": "Telemarketing", "line.market_research": "Market research",
  "queue.claims_report": "Claims reporting", "queue.inquiry": "Inquiries", "queue.consultation": "Consultation", "queue.complaint": "Complaints",
  "queue.renewal": "Renewals", "queue.appointment": "Appointments",
  "pline.auto": "Motor", "pline.property": "Property", "pline.life": "Life", "pline.health": "Health", "pline.accident": "Accident", "pline.liability": "Liability",
  "pstatus.active": "active", "pstatus.expired": "expired", "pstatus.lapsed": "lapsed", "pstatus.cancelled": "cancelled",
  "cstatus.filed": "filed", "cstatus.calculated": "assessed", "cstatus.prepaid": "prepaid", "cstatus.closed": "closed", "cstatus.rejected": "rejected",
  "cat.claim_delay": "Claim delay", "cat.claim_amount": "Claim amount", "cat.service_attitude": "Service attitude", "cat.sales_misleading": "Mis-selling", "cat.billing": "Billing",
  "dept.claims": "Claims", "dept.underwriting": "Underwriting", "dept.service": "Customer service", "dept.sales": "Sales", "dept.finance": "Finance",
  "disp.info_given": "Answered", "disp.claim_registered": "Claim report taken", "disp.claim_status_given": "Claim status given", "disp.policy_change": "Policy change taken",
  "disp.complaint_registered": "Complaint registered", "disp.renewal_quoted": "Renewal quoted", "disp.appointment_made": "Appointment made", "disp.callback_promised": "Call back promised",
  "disp.transferred": "Transferred", "disp.other": "Other",
  "seg.vip": "VIP", "seg.standard": "standard",
  "stage.registered": "registered", "stage.transferred": "passed on", "stage.answered": "answered", "stage.closed": "closed", "stage.reopened": "reopened",
};

const dicts: Record<Lang, Record<Key, string>> = { zh, en };
const codes: Record<Lang, Record<string, string>> = { zh: codesZh, en: codesEn };

export function initialLang(): Lang {
  try {
    const l = localStorage.getItem("hotline.lang");
    if (l === "en" || l === "zh") return l;
  } catch {
    /* storage off: the default */
  }
  return "zh";
}

export function saveLang(l: Lang) {
  try {
    localStorage.setItem("hotline.lang", l);
  } catch {
    /* storage off: the choice lasts this page only */
  }
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
}

export type T = ((k: Key) => string) & {
  lang: Lang;
  // code names a domain code of a kind ("state", "line"…); unknown codes show as they are.
  code: (kind: string, value: string | undefined) => string;
  dateTime: (iso: string | undefined) => string;
  date: (iso: string | undefined) => string;
  money: (n: number) => string;
};

export function translator(lang: Lang): T {
  const d = dicts[lang];
  const c = codes[lang];
  const loc = lang === "zh" ? "zh-CN" : "en-GB";
  const dt = new Intl.DateTimeFormat(loc, { dateStyle: "medium", timeStyle: "short" });
  const day = new Intl.DateTimeFormat(loc, { dateStyle: "medium" });
  const num = new Intl.NumberFormat(loc, { maximumFractionDigits: 2 });
  const t = ((k: Key) => d[k]) as T;
  t.lang = lang;
  t.code = (kind, value) => (value ? (c[`${kind}.${value}`] ?? value) : "");
  t.dateTime = (iso) => (iso ? dt.format(new Date(iso)) : "");
  t.date = (iso) => (iso ? day.format(new Date(iso)) : "");
  t.money = (n) => num.format(n);
  return t;
}
