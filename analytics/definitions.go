package analytics

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// What a KPI means, in words, is written here once per KPI in English and Simplified Chinese:
// the dashboards' panel descriptions, docs/kpi.md (KPIDoc) and the definitions API all read it,
// next to the SQL the same metric is computed by. Placeholders in braces take the settings'
// values ({T} the service-level threshold, ...), so a definition says what the number on the
// screen counts.

// Languages the definitions, dashboards and docs are offered in.
const (
	LangEn = "en"
	LangZh = "zh" // 简体中文
)

// Languages lists them, the default first.
var Languages = []string{LangEn, LangZh}

// Text is one text in each language.
type Text struct{ En, Zh string }

// In is the text in lang (English for an unknown one).
func (t Text) In(lang string) string {
	if lang == LangZh {
		return t.Zh
	}
	return t.En
}

// Definition is a KPI's Chinese title and its meaning in both languages.
type Definition struct {
	TitleZh string
	Text    Text
}

// Convention is one rule the KPI definitions leave open, as hotline settles it.
type Convention struct {
	Name Text
	Text Text
}

// Conventions apply to every KPI they concern; the definitions below refer to them.
var Conventions = []Convention{
	{Text{"Time precision", "时间精度"}, Text{
		"Times are kept to the millisecond, as events carry them. Every window and threshold compares milliseconds: a first callback 24 h 0.4 s after a claim closed is not within 24 h, and two calls 7 d 0.8 s apart are not a repeat. Rows stored before milliseconds were kept count at their whole second.",
		"时间精确到毫秒（与事件一致）。所有时间窗口和阈值都按毫秒比较：结案后 24 小时 0.4 秒的首次回访不算 24 小时内；相隔 7 天 0.8 秒的两通来电不算重复来电。保留毫秒之前存储的记录按整秒计算。"}},
	{Text{"Windows", "时间窗口"}, Text{
		"A window \"within W\" includes its end and starts after the event it follows: a callback exactly 72 h after closing counts, a repeat call exactly 7 d later is a repeat. Periods and buckets include their start and exclude their end.",
		"“W 之内”的窗口包含终点：结案后恰好 72 小时的回访计入，恰好 7 天后的来电算重复来电。统计周期和时间段包含起点、不含终点。"}},
	{Text{"Where a count lands", "计入哪个时间段"}, Text{
		"A call counts when it arrived; a complaint when it was first registered; a closed claim when its callback window ends; an issue when it was raised; an SMS when it was sent, with its receipts; an evaluation when it was made. Days are UTC days.",
		"来电按到达时间计；投诉按首次登记时间计；结案理赔按回访窗口结束时间计；反馈问题按提出时间计；短信按发送时间计（回执随其短信计）；质检评估按评估时间计。日期按 UTC 计。"}},
	{Text{"Agent time", "坐席时间"}, Text{
		"Time in a state counts in every bucket it spans, for the part spent there: a two-hour call is busy time in both hours. In a period only the part inside counts.",
		"坐席状态时长按实际所跨的时间段分摊：一通两小时的通话在两个小时里都计为忙碌时间。统计周期只计周期内的部分。"}},
	{Text{"Percentiles", "百分位数"}, Text{
		"Percentiles interpolate between the two nearest values, as Excel's PERCENTILE.INC does: the p50 of 10 s and 20 s is 15 s.",
		"百分位数在最接近的两个值之间线性插值，与 Excel 的 PERCENTILE.INC 相同：10 秒和 20 秒的 p50 为 15 秒。"}},
	{Text{"Rates", "比率"}, Text{
		"A rate with nothing to divide by is shown as no data, not 0%.",
		"分母为零的比率显示为无数据，而非 0%。"}},
}

// definitions holds every metric's; a test checks that each metric has one and each one a metric.
var definitions = map[string]Definition{
	"inbound":         {"呼入量", Text{"Inbound calls that reached the hotline, including those served in the IVR.", "到达热线的呼入电话数，含 IVR 自助完成的来电。"}},
	"outbound":        {"呼出量", Text{"Outbound calls placed.", "呼出电话数。"}},
	"total":           {"总话务量", Text{"Inbound plus outbound calls.", "呼入与呼出电话之和。"}},
	"offered":         {"进线量", Text{"Inbound calls that left the IVR for a queue{SHORT_EXCL}; a call a stop of hotline cut off in the queue (outcome interrupted) is offered, neither answered nor abandoned.", "离开 IVR 进入队列的呼入电话数{SHORT_EXCL}；系统停机时在队列中被中断的电话（结果 interrupted）计入进线量，不计接通、不计放弃。"}},
	"answered":        {"接通量", Text{"Offered calls connected to an agent.", "接通到坐席的进线电话数。"}},
	"abandoned":       {"放弃量", Text{"Offered calls the caller hung up on before an agent answered{SHORT_EXCL}.", "坐席应答前来电者挂断的进线电话数{SHORT_EXCL}。"}},
	"short_abandoned": {"短时放弃量", Text{"Calls abandoned in the queue after waiting less than {S} s.", "在队列中等待不足 {S} 秒即挂断的电话数。"}},
	"self_served":     {"IVR 自助完成量", Text{"Inbound calls whose task was done in the IVR, without an agent.", "在 IVR 中完成业务、无需坐席的呼入电话数。"}},
	"connection_rate": {"接通率", Text{"Answered / offered calls{SHORT_EXCL}. Target: above 80%.", "接通量 / 进线量{SHORT_EXCL}。目标：80% 以上。"}},
	"abandon_rate":    {"放弃率", Text{"Abandoned / offered calls{SHORT_EXCL}.", "放弃量 / 进线量{SHORT_EXCL}。"}},
	"service_level":   {"服务水平", Text{"{SL_DEF} Waits are to the millisecond.", "{SL_DEF}等待时长精确到毫秒。"}},
	"service_level_abandons_against": {"服务水平（放弃计入不达标）", Text{
		"Calls answered within {T} s / (answered calls + calls abandoned after {T} s).",
		"{T} 秒内接通量 / (接通量 + 等待超过 {T} 秒后放弃量)。"}},
	"service_level_ignore_abandons": {"服务水平（不计放弃）", Text{
		"Calls answered within {T} s / answered calls.", "{T} 秒内接通量 / 接通量。"}},
	"service_level_all_abandons": {"服务水平（放弃全部计入）", Text{
		"Calls answered within {T} s / (answered + abandoned calls{SHORT_EXCL}).", "{T} 秒内接通量 / (接通量 + 放弃量{SHORT_EXCL})。"}},
	"service_level_abandons_within_good": {"服务水平（阈值内放弃视为达标）", Text{
		"(Calls answered within {T} s + calls abandoned within {T} s) / (answered + abandoned calls{SHORT_EXCL}).",
		"({T} 秒内接通量 + {T} 秒内放弃量) / (接通量 + 放弃量{SHORT_EXCL})。"}},
	"self_service_rate": {"IVR 自助率", Text{"Calls whose task was done in the IVR / calls that entered the IVR.", "IVR 自助完成量 / 进入 IVR 的来电数。"}},
	"asa":               {"平均应答速度", Text{"Mean wait in the queue of answered calls, in seconds.", "接通电话在队列中的平均等待时长（秒）。"}},
	"wait_p50":          {"等待时长中位数", Text{"Median wait of answered calls, interpolated (PERCENTILE.INC).", "接通电话等待时长的中位数，按插值计算（同 PERCENTILE.INC）。"}},
	"wait_p90":          {"等待时长 p90", Text{"90th percentile of the wait of answered calls, interpolated (PERCENTILE.INC).", "接通电话等待时长的第 90 百分位数，按插值计算（同 PERCENTILE.INC）。"}},
	"aht":               {"平均处理时长", Text{"(Talk + hold + after-call work) / answered calls, in seconds; talk excludes hold.", "(通话 + 保持 + 话后处理时长) / 接通量（秒）；通话时长不含保持。"}},
	"transfer_rate":     {"转接率", Text{"Answered calls transferred to another queue or department / answered calls.", "转至其他队列或部门的接通电话 / 接通量。"}},
	"occupancy": {"坐席占用率", Text{
		"(Talk + hold + after-call work time) / (that + available time) of agents. Breaks and other not-ready time are not in the denominator. Time in a state counts in the buckets it spans.",
		"坐席 (通话 + 保持 + 话后处理时长) / (上述时长 + 空闲就绪时长)。小休等未就绪时间不计入分母。状态时长按所跨时间段分摊。"}},
	"effective_talk_ratio": {"有效通话率", Text{"Talk time / logged-in time of agents.", "坐席通话时长 / 登录时长。"}},
	"logged_in_hours":      {"登录时长（小时）", Text{"Hours agents were logged in (any state but logged out), counted in the buckets they span.", "坐席登录（除登出外的任何状态）的小时数，按所跨时间段分摊。"}},
	"fcr": {"首次解决率", Text{
		"Answered calls from an identified customer with no further inbound call on the same business line within {FCR} (to the millisecond, the end included) / those answered calls.",
		"已识别客户的接通来电中，{FCR}内（精确到毫秒，含终点）同一业务线没有再次来电的比例。"}},
	"survey_responses":   {"调查回复数", Text{"Survey answers received.", "收到的满意度调查回复数。"}},
	"csat":               {"满意度（前两项）", Text{"Share of survey answers scoring 4 or 5 on the 1–5 scale (top-two box).", "1–5 分评分中打 4 分或 5 分的回复占比。"}},
	"csat_mean":          {"满意度平均分", Text{"Mean score of the 1–5 satisfaction question.", "1–5 分满意度题的平均分。"}},
	"nps":                {"净推荐值", Text{"% of 9–10 minus % of 0–6 answers on the 0–10 question.", "0–10 分推荐题中 9–10 分占比减去 0–6 分占比。"}},
	"post_claim_csat":    {"理赔后满意度", Text{"CSAT of surveys after a claim. Target: above 85%.", "理赔回访调查的满意度（前两项）。目标：85% 以上。"}},
	"post_claim_nps":     {"理赔后净推荐值", Text{"NPS of surveys after a claim.", "理赔回访调查的净推荐值。"}},
	"attempts":           {"外呼尝试数", Text{"Dial attempts, not counting those a compliance rule blocked.", "外呼拨打次数，不含被合规规则拦截的。"}},
	"contacts":           {"接触数", Text{"Dial attempts answered by a person.", "由真人接听的外呼次数。"}},
	"outbound_connected": {"外呼接通坐席数", Text{"Person-answered attempts connected to an agent.", "真人接听并接通坐席的外呼次数。"}},
	"contact_rate":       {"接触率", Text{"Attempts answered by a person / attempts.", "真人接听次数 / 外呼尝试数。"}},
	"outbound_abandon_rate": {"外呼放弃率", Text{
		"Person-answered calls not connected to an agent within 2 s / person-answered calls. Regulators' limit: 3%.",
		"真人接听后 2 秒内未接通坐席的次数 / 真人接听次数。监管上限：3%。"}},
	"blocked_attempts":       {"合规拦截数", Text{"Attempts a compliance rule stopped before dialling (calling window, do-not-call, consent).", "拨打前被合规规则拦截的次数（呼叫时段、免打扰、授权）。"}},
	"amd_machine_share":      {"答录机占比", Text{"Answered attempts the detector judged a machine / attempts it judged.", "被自动应答检测判定为答录机的次数 / 检测判定的次数。"}},
	"list_contacts":          {"名单开始联系数", Text{"List contacts first dialled in the period.", "本期首次拨打的名单联系人数。"}},
	"list_contacts_finished": {"名单完成数", Text{"List contacts that reached a final outcome in the period.", "本期得到最终结果的名单联系人数。"}},
	"list_penetration":       {"名单渗透率", Text{"Contacts with a final outcome / contacts first dialled, in the period (the whole list over a campaign's life).", "得到最终结果的联系人 / 首次拨打的联系人（按活动全程即为整份名单）。"}},
	"outbound_occupancy":     {"外呼坐席占用率", Text{"Occupancy of the agents who did outbound work that day.", "当日做过外呼工作的坐席的占用率。"}},
	"sms_sent":               {"短信发送量", Text{"Outbound SMS messages sent.", "发出的短信条数。"}},
	"sms_delivery_rate":      {"短信送达率", Text{"Of the messages sent in the period, those with a delivery receipt (within 3 days) / messages sent.", "本期发出的短信中，3 天内收到送达回执的条数 / 发送条数。"}},
	"sms_failure_rate":       {"短信失败率", Text{"Of the messages sent in the period, those with a failure receipt and none of delivery / messages sent.", "本期发出的短信中，收到失败回执且未送达的条数 / 发送条数。"}},
	"qa_score":               {"质检得分", Text{"Mean weighted scorecard score (0–100) of regular evaluations not under dispute; a failed critical item scores 0.", "常规且未在申诉中的评估的加权评分卡平均分（0–100）；关键项不合格计 0 分。"}},
	"qa_evaluations":         {"质检评估数", Text{"Regular evaluations not under dispute.", "常规且未在申诉中的评估数。"}},
	"qa_evaluated_calls":     {"已质检通话数", Text{"Distinct calls with a regular evaluation made in the period.", "本期有常规评估的不同通话数。"}},
	"qa_coverage":            {"质检覆盖率", Text{"Calls evaluated / answered inbound calls.", "已质检通话数 / 接通的呼入电话数。"}},
	"complaints":             {"投诉量", Text{"Complaints first registered in the period; a complaint registered more than once counts once.", "本期首次登记的投诉数；多次登记的同一投诉只计一次。"}},
	"complaints_due":         {"到期投诉数", Text{"Complaints whose deadline ({WD} working days after registration) falls in the period.", "答复期限（登记后 {WD} 个工作日）落在本期的投诉数。"}},
	"complaint_timeliness": {"投诉及时答复率", Text{
		"Complaints answered by the end of their deadline day ({WD} working days after registration, by the holiday calendar) / complaints due in the period.",
		"在期限日（按节假日日历，登记后 {WD} 个工作日）结束前答复的投诉 / 本期到期投诉数。"}},
	"complaints_overdue_open": {"逾期未答复投诉", Text{"Complaints past their deadline and not answered yet.", "已过答复期限且尚未答复的投诉数。"}},
	"complaints_per_answered_call": {"投诉率（每接通来电）", Text{
		"Complaints (each once) / answered inbound calls.", "投诉量（每件计一次）/ 接通的呼入电话数。"}},
	"complaints_per_10k_policies": {"投诉率（每万张保单）", Text{
		"10,000 × complaints / policies in force at the end (UTC) of the bucket's last day with an answered call or a complaint, so each day divides by that day's policies and a total by the period's last; today uses the latest day counted. Target: down 15% year on year.",
		"10000 × 投诉量 / 时间段内最后一个有接通来电或投诉的日期结束时（UTC）的有效保单数：每天除以当天的有效保单数，合计除以统计周期最后一天的；当天使用最近一次统计值。目标：同比下降 15%。"}},
	"closed_claims": {"结案理赔数", Text{"Claims closed whose {CB} callback window ended in the period.", "{CB}回访窗口在本期结束的已结案理赔数。"}},
	"callback_coverage_72h": {"回访覆盖率", Text{
		"Closed claims with a successful callback (connected, the claimant reached) within {CB} of closing, to the millisecond / closed claims whose window ended in the period. Target: above 90%.",
		"结案后 {CB}内（精确到毫秒）成功回访（接通且联系到报案人）的理赔 / 回访窗口在本期结束的结案理赔数。目标：90% 以上。"}},
	"callback_first_attempt_24h": {"24 小时内首次回访率", Text{
		"Closed claims whose first callback attempt was within {FA} of closing, to the millisecond / closed claims whose window ended in the period.",
		"结案后 {FA}内（精确到毫秒）进行首次回访尝试的理赔 / 回访窗口在本期结束的结案理赔数。"}},
	"feedback_issues": {"回访反馈问题数", Text{"Issues customers raised in callback surveys, counted when raised.", "客户在回访调查中提出的问题数，按提出时间计。"}},
	"feedback_resolution_48h": {"反馈问题 48 小时解决率", Text{
		"Issues resolved within {FB} of being raised, to the millisecond / issues raised in the period. Target: 70%.",
		"提出后 {FB}内（精确到毫秒）解决的问题 / 本期提出的问题数。目标：70%。"}},
}

// Segmentation is what the segmentation panels show, which no metric defines.
var Segmentation = Text{
	"Customers in four quadrants by satisfaction (survey scores, a complaint weighing as a low score) and loyalty (renewals, tenure, policies held, cross-holdings), from the daily snapshot (Jones & Sasser): loyal, mercenary, hostage, at risk.",
	"按满意度（调查评分，投诉视为低分）和忠诚度（续保、客户年限、持有保单、交叉持有）将客户分为四个象限，取自每日快照（Jones & Sasser）：忠诚者、唯利者、人质、流失风险。",
}

// TitleIn is the metric's title in lang.
func (m *Metric) TitleIn(lang string) string {
	if lang == LangZh {
		if d, ok := definitions[m.Name]; ok {
			return d.TitleZh
		}
	}
	return m.Title
}

// Definition is what the metric counts, in lang, with the settings' thresholds and windows.
func (m *Metric) Definition(s Settings, lang string) string {
	sl, rest := settingsText(s, lang)
	return rest.Replace(sl.Replace(definitions[m.Name].Text.In(lang)))
}

// settingsText fills a definition's placeholders from the settings: first the service-level
// variant's words, which hold placeholders of their own, then the values.
func settingsText(s Settings, lang string) (*strings.Replacer, *strings.Replacer) {
	short := Text{fmt.Sprintf(", not counting short abandons (abandoned within %d s)", s.ShortAbandonSec), fmt.Sprintf("，不含短时放弃（等待不足 %d 秒即挂断）", s.ShortAbandonSec)}
	if !shortExcluded(s) {
		short = Text{", short abandons included", "，含短时放弃"}
	}
	sl := map[string]Text{}
	for _, v := range SLVariants {
		sl[v] = definitions["service_level_"+v].Text
	}
	return strings.NewReplacer("{SL_DEF}", sl[s.SLVariant].In(lang)), strings.NewReplacer(
		"{SHORT_EXCL}", short.In(lang),
		"{T}", fmt.Sprint(s.SLThresholdSec), "{S}", fmt.Sprint(s.ShortAbandonSec), "{WD}", fmt.Sprint(s.ComplaintWorkdays),
		"{FCR}", spanText(s.FCRWindow, lang), "{CB}", spanText(s.CallbackWindow, lang),
		"{FA}", spanText(s.FirstAttemptLimit, lang), "{FB}", spanText(s.FeedbackWindow, lang),
	)
}

// spanText reads a window: "7 days", "72 h"; "7 天", "72 小时".
func spanText(d time.Duration, lang string) string {
	switch {
	case d%(24*time.Hour) == 0 && d >= 7*24*time.Hour:
		return Text{fmt.Sprintf("%d days", d/(24*time.Hour)), fmt.Sprintf("%d 天", d/(24*time.Hour))}.In(lang)
	case d%time.Hour == 0:
		return Text{fmt.Sprintf("%d h", d/time.Hour), fmt.Sprintf("%d 小时", d/time.Hour)}.In(lang)
	}
	return d.String()
}

// KPIDoc is docs/kpi.md: every KPI's definition with the settings' values, grouped by the
// source it is computed from, and the conventions. A test keeps the file equal to it.
func KPIDoc(s Settings) string {
	var b strings.Builder
	b.WriteString("# KPI definitions\n\n")
	b.WriteString("Generated from `analytics/definitions.go` (`go test ./analytics -run TestKPIDoc -update` rewrites it), where each KPI's\n" +
		"meaning is written once beside the SQL that computes it. The dashboards' panel descriptions, this file and\n" +
		"`GET /api/kpis/definitions` all come from there. Values in the text are the defaults; a deployment's `analytics:`\n" +
		"settings change them (the dashboards and the API show the deployment's).\n\n")
	b.WriteString("## Conventions\n\n")
	for _, c := range Conventions {
		fmt.Fprintf(&b, "- **%s (%s).** %s\n", c.Name.En, c.Name.Zh, c.Text.En)
	}
	fams := map[string][]string{}
	var order []string
	for _, n := range MetricNames() {
		f := metrics[n].Family
		if _, ok := fams[f]; !ok {
			order = append(order, f)
		}
		fams[f] = append(fams[f], n)
	}
	sort.SliceStable(order, func(i, j int) bool { return docRank(order[i]) < docRank(order[j]) })
	b.WriteString("\n## KPIs\n\n| KPI | 中文 | API name | unit | definition |\n|---|---|---|---|---|\n")
	for _, f := range order {
		for _, n := range fams[f] {
			m := metrics[n]
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s |\n", m.Title, m.TitleIn(LangZh), n, unitText[m.Unit], m.Definition(s, LangEn))
		}
	}
	fmt.Fprintf(&b, "\n## Segmentation (客户分群)\n\n%s\n", Segmentation.En)
	return b.String()
}

// docOrder is the order of the sources in docs/kpi.md: inbound, agents,
// satisfaction and complaints, callbacks, outbound, QA.
var docOrder = []string{"calls", "fcr", "agent_states", "surveys", "complaints", "complaint_rate", "complaint_deadlines", "callbacks", "feedback",
	"dial_attempts", "dial_blocked", "campaign_agent_states", "sms", "qa", "qa_coverage"}

func docRank(family string) int {
	for i, f := range docOrder {
		if f == family {
			return i
		}
	}
	return len(docOrder)
}

var unitText = map[string]string{UnitRatio: "%", UnitSeconds: "s", UnitCount: "count", UnitScore: "score"}
