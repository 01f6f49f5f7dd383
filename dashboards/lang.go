package dashboards

import (
	"fmt"
	"strings"

	"github.com/seed-1c4692e8/hotline/analytics"
)

// The dashboards in Simplified Chinese: the titles of the dashboards and panels and the
// variables' labels. The KPIs' own titles and definitions come from analytics (definitions.go);
// a test checks that every title here has its translation.

// zhTitles translates dashboard and panel titles.
var zhTitles = map[string]string{
	"Hotline: operations overview":         "热线：运营总览",
	"Hotline: service quality":             "热线：服务质量",
	"Hotline: volume and peaks":            "热线：话务量与高峰",
	"Hotline: satisfaction and complaints": "热线：满意度与投诉",
	"Hotline: callbacks and surveys":       "热线：回访与调查",
	"Hotline: campaigns and pacing":        "热线：外呼活动与节奏",
	"Hotline: quality assurance":           "热线：质检",
	"Hotline: segmentation":                "热线：客户分群",
	"Hotline: agent performance":           "热线：坐席绩效",

	"Connection rate":                   "接通率",
	"Service level":                     "服务水平",
	"ASA":                               "平均应答速度",
	"Abandon rate":                      "放弃率",
	"Offered, answered, abandoned":      "进线、接通、放弃",
	"Connection rate and service level": "接通率与服务水平",
	"Occupancy":                         "坐席占用率",
	"Satisfaction after a claim":        "理赔后满意度",
	"Callback coverage 72 h":            "72 小时回访覆盖率",
	"Open complaints overdue":           "逾期未答复投诉",
	"Speed of answer":                   "应答速度",
	"Abandonment":                       "放弃",
	"Average handle time":               "平均处理时长",
	"By queue":                          "按队列",
	"First-call resolution":             "首次解决率",
	"Self-service rate":                 "IVR 自助率",
	"Inbound":                           "呼入",
	"Outbound":                          "呼出",
	"Total":                             "合计",
	"Self-served":                       "IVR 自助完成",
	"Inbound and outbound":              "呼入与呼出",
	"By business line":                  "按业务线",
	"CSAT":                              "满意度",
	"NPS":                               "净推荐值",
	"Complaints answered on time":       "投诉及时答复率",
	"CSAT and mean score":               "满意度与平均分",
	"Complaints registered":             "投诉量",
	"Complaints by category":            "投诉按类别",
	"Complaints by department":          "投诉按部门",
	"Complaints by channel":             "投诉按渠道",
	"Complaints by business line":       "投诉按业务线",
	"Complaint timeliness":              "投诉及时性",
	"Complaint rate":                    "投诉率",
	"First attempt within 24 h":         "24 小时内首次回访",
	"Feedback resolved within 48 h":     "反馈 48 小时内解决",
	"NPS after a claim":                 "理赔后净推荐值",
	"Callback coverage":                 "回访覆盖率",
	"Feedback resolution":               "反馈解决",
	"Survey responses":                  "调查回复",
	"Responses by kind":                 "回复按类型",
	"Contact rate":                      "接触率",
	"Outbound abandon rate":             "外呼放弃率",
	"Attempts":                          "外呼尝试",
	"Contacts":                          "接触",
	"Attempts and contacts":             "外呼尝试与接触",
	"By campaign":                       "按活动",
	"Attempts per hour by outcome":      "每小时外呼尝试（按结果）",
	"Outbound abandon rate, rolling 24 h and 30 d, by campaign (limit 3%)": "外呼放弃率，滚动 24 小时与 30 天，按活动（上限 3%）",
	"Occupancy of campaign agents":                                         "外呼坐席占用率",
	"Answering machines (AMD)":                                             "答录机（AMD）",
	"List penetration":                                                     "名单渗透率",
	"SMS delivered":                                                        "短信送达率",
	"List penetration by campaign":                                         "名单渗透率按活动",
	"Blocked attempts by rule":                                             "合规拦截按规则",
	"SMS delivery":                                                         "短信送达",
	"SMS by campaign":                                                      "短信按活动",
	"QA score":                                                             "质检得分",
	"Evaluations":                                                          "质检评估",
	"By agent":                                                             "按坐席",
	"By evaluator":                                                         "按质检员",
	"QA coverage":                                                          "质检覆盖率",
	"Calls evaluated":                                                      "已质检通话",
	"QA coverage per week":                                                 "每周质检覆盖率",
	"QA coverage by agent":                                                 "质检覆盖率按坐席",
	"Customers per quadrant (latest snapshot)":                             "各象限客户数（最新快照）",
	"Flags and scores per quadrant":                                        "各象限标记与得分",
	"Quadrant sizes over time":                                             "象限规模变化",
	"Movements between quadrants over the range":                           "所选时段内的象限迁移",
	"Surveys by channel":                                                   "调查按渠道",
	"Complaints by customer-facing line":                                   "投诉按客户业务线",
	"CSAT by campaign":                                                     "满意度按活动",
	"Volume and handle time by agent":                                      "坐席产量与处理时长",
	"Occupancy and talk ratio by agent":                                    "坐席占用率与通话率",
	"Outbound contacts by agent":                                           "坐席外呼接触",
	"Complaints against agents":                                            "针对坐席的投诉",
}

// varLabels are the dashboard variables' labels.
var varLabels = map[analytics.Dim]analytics.Text{
	analytics.DimTenant:   {En: "tenant", Zh: "中心"},
	analytics.DimQueue:    {En: "queue", Zh: "队列"},
	analytics.DimLine:     {En: "business line", Zh: "业务线"},
	analytics.DimAgent:    {En: "agent", Zh: "坐席"},
	analytics.DimCampaign: {En: "campaign", Zh: "活动"},
}

// title is a dashboard's or panel's title in lang.
func title(en, lang string) string {
	if lang == analytics.LangZh {
		if zh, ok := zhTitles[en]; ok {
			return zh
		}
	}
	return en
}

// uid is a dashboard's UID in lang: the Chinese ones end in -zh, so both can live in one Grafana.
func uid(en, lang string) string {
	if lang == analytics.LangZh {
		return en + "-zh"
	}
	return en
}

// description is a panel's description: the definition of each KPI it shows, as analytics
// words it with the settings the panel's SQL uses.
func description(ps PanelSpec, s analytics.Settings, lang string) (string, error) {
	if ps.Custom != nil {
		return analytics.Segmentation.In(lang), nil
	}
	var parts []string
	for _, name := range ps.Query.Metrics {
		m, err := analytics.MetricByName(name)
		if err != nil {
			return "", err
		}
		if len(ps.Query.Metrics) == 1 {
			return m.Definition(s, lang), nil
		}
		parts = append(parts, fmt.Sprintf("**%s**: %s", m.TitleIn(lang), m.Definition(s, lang)))
	}
	return strings.Join(parts, "\n\n"), nil
}

// CheckLang says whether lang is one the dashboards are offered in.
func CheckLang(lang string) error {
	for _, l := range analytics.Languages {
		if l == lang {
			return nil
		}
	}
	return fmt.Errorf("dashboards: --lang %q is not one of %v", lang, analytics.Languages)
}
