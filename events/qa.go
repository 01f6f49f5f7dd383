package events

import "time"

// Types of the QA topics.
const (
	TypeQAEvaluation      Type = "qa.evaluation"
	TypeRecordingStored   Type = "recording.stored"
	TypeRecordingDeleted  Type = "recording.deleted"
	TypeRecordingAnalysis Type = "recording.analysis"
	TypeRecordingAccessed Type = "recording.accessed"
)

// Evaluation statuses and kinds.
var (
	EvaluationStatuses = []string{"submitted", "amended", "disputed", "upheld"}
	EvaluationKinds    = []string{"regular", "calibration"}
)

// SectionScore is a scorecard section's result inside an evaluation.
type SectionScore struct {
	Section string  `json:"section"`
	Score   float64 `json:"score"`            // 0..100 of the section
	Weight  float64 `json:"weight"`           // section weight in the scorecard, weights sum to 100
	Failed  bool    `json:"failed,omitempty"` // a critical item failed the section
}

// QAEvaluation is an evaluator's scoring of a call, or a change to one (amend, dispute, uphold).
type QAEvaluation struct {
	EvaluationID string         `json:"evaluation_id"`
	Status       string         `json:"status"` // one of EvaluationStatuses
	Kind         string         `json:"kind"`   // regular | calibration
	Calibration  string         `json:"calibration_id,omitempty"`
	Amends       string         `json:"amends_evaluation_id,omitempty"` // the evaluation an amendment replaces (kept for audit)
	CallID       string         `json:"call_id"`
	RecordingID  string         `json:"recording_id,omitempty"`
	Agent        string         `json:"agent_id"`     // agent evaluated
	Evaluator    string         `json:"evaluator_id"` // QA staff member
	Scorecard    string         `json:"scorecard_id"`
	Version      int            `json:"scorecard_version"`
	Score        float64        `json:"score"` // 0..100, 0 when a critical item failed
	CriticalFail bool           `json:"critical_failed,omitempty"`
	Sections     []SectionScore `json:"sections,omitempty"`
	Line         string         `json:"business_line,omitempty"`
	Answers      []ItemAnswer   `json:"answers,omitempty"` // per-item answers, for item-level reports
	Comment      string         `json:"comment,omitempty"` // evaluator's overall comment, or the reviewer's note
}

// ItemAnswer is an evaluator's answer to one scorecard item.
type ItemAnswer struct {
	Item    string  `json:"item"`
	Value   string  `json:"value"`             // yes | no | na | a scale value such as "4"
	Comment string  `json:"comment,omitempty"` // why, for the agent and the reviewer
	AtSec   float64 `json:"at_sec"`            // seconds into the recording of the evidence; -1 when none
}

func (QAEvaluation) EventType() Type { return TypeQAEvaluation }
func (e QAEvaluation) Key() string   { return e.CallID }

func (e QAEvaluation) Validate() error {
	var c check
	c.required("evaluation_id", e.EvaluationID)
	c.oneOf("status", e.Status, EvaluationStatuses)
	c.oneOf("kind", e.Kind, EvaluationKinds)
	if e.Kind == "calibration" {
		c.required("calibration_id", e.Calibration)
	}
	if e.Status == "amended" {
		c.required("amends_evaluation_id", e.Amends)
	}
	c.required("call_id", e.CallID)
	c.required("agent_id", e.Agent)
	c.required("evaluator_id", e.Evaluator)
	c.required("scorecard_id", e.Scorecard)
	c.rangeInt("scorecard_version", e.Version, 1, 1<<20)
	c.rangeFloat("score", e.Score, 0, 100)
	if e.CriticalFail && e.Score != 0 {
		c.fail("score", "%v on an evaluation with a failed critical item (must be 0)", e.Score)
	}
	for _, s := range e.Sections {
		c.required("sections.section", s.Section)
		c.rangeFloat("sections.score", s.Score, 0, 100)
		c.rangeFloat("sections.weight", s.Weight, 0, 100)
	}
	c.optionalOneOf("business_line", e.Line, BusinessLines)
	for _, a := range e.Answers {
		c.required("answers.item", a.Item)
		c.required("answers.value", a.Value)
		if a.AtSec < -1 {
			c.fail("answers.at_sec", "%v is before the recording (-1 means none)", a.AtSec)
		}
	}
	c.maxLen("comment", e.Comment, 4000)
	return c.err
}

// RecordingStored says a call recording was written to the store.
type RecordingStored struct {
	RecordingID  string    `json:"recording_id"` // content address: hex SHA-256 of the file
	CallID       string    `json:"call_id"`
	Agent        string    `json:"agent_id,omitempty"`
	CampaignType string    `json:"campaign_type,omitempty"` // decides retention (sales: at least 5 years)
	DurationSec  float64   `json:"duration_sec"`
	Channels     int       `json:"channels"`    // 1 mono, 2 stereo (agent left, customer right)
	SampleRate   int       `json:"sample_rate"` // Hz: 8000 or 16000
	Checksum     string    `json:"checksum"`    // "sha256:<hex>"
	Path         string    `json:"path"`        // relative to the store root
	SizeBytes    int64     `json:"size_bytes"`
	RetainUntil  time.Time `json:"retain_until"` // earliest deletion date
}

func (RecordingStored) EventType() Type { return TypeRecordingStored }
func (r RecordingStored) Key() string   { return r.CallID }

func (r RecordingStored) Validate() error {
	var c check
	c.required("recording_id", r.RecordingID)
	c.required("call_id", r.CallID)
	c.seconds("duration_sec", r.DurationSec)
	c.rangeInt("channels", r.Channels, 1, 2)
	if r.SampleRate != 8000 && r.SampleRate != 16000 {
		c.fail("sample_rate", "%d Hz is not supported (8000 or 16000)", r.SampleRate)
	}
	c.required("checksum", r.Checksum)
	c.required("path", r.Path)
	if r.SizeBytes <= 0 {
		c.fail("size_bytes", "%d is not positive", r.SizeBytes)
	}
	c.time("retain_until", r.RetainUntil)
	c.optionalOneOf("campaign_type", r.CampaignType, CampaignTypes)
	return c.err
}

// RecordingDeleted says a recording was removed from the store (retention or request).
type RecordingDeleted struct {
	RecordingID string `json:"recording_id"`
	CallID      string `json:"call_id"`
	Reason      string `json:"reason"` // retention | request | replaced
	By          string `json:"by,omitempty"`
}

func (RecordingDeleted) EventType() Type { return TypeRecordingDeleted }
func (r RecordingDeleted) Key() string   { return r.CallID }

func (r RecordingDeleted) Validate() error {
	var c check
	c.required("recording_id", r.RecordingID)
	c.required("call_id", r.CallID)
	c.oneOf("reason", r.Reason, []string{"retention", "request", "replaced"})
	return c.err
}

// RecordingAnalysis is the automatic audio analysis of a recording. Ratios are of call seconds,
// except AgentTalkShare, which is of all speech.
type RecordingAnalysis struct {
	RecordingID       string  `json:"recording_id"`
	CallID            string  `json:"call_id"`
	Agent             string  `json:"agent_id,omitempty"`
	DurationSec       float64 `json:"duration_sec"`
	AgentTalkSec      float64 `json:"agent_talk_sec"`
	CustomerTalkSec   float64 `json:"customer_talk_sec"`
	SilenceSec        float64 `json:"silence_sec"`   // neither side speaks (hold excluded)
	SilenceRatio      float64 `json:"silence_ratio"` // silence_sec / duration_sec
	LongestSilenceSec float64 `json:"longest_silence_sec"`
	SilencesOver4s    int     `json:"silences_over_4s"`
	OvertalkSec       float64 `json:"overtalk_sec"`   // both sides speak
	OvertalkRatio     float64 `json:"overtalk_ratio"` // overtalk_sec / duration_sec
	OvertalkCount     int     `json:"overtalk_count"`
	AgentTalkShare    float64 `json:"agent_talk_share"` // agent speech / all speech
	HoldSec           float64 `json:"hold_sec"`
	HoldSegments      int     `json:"hold_segments"`
	AgentLevelDBFS    float64 `json:"agent_level_dbfs"`    // RMS level of agent speech, dBFS (<= 0)
	CustomerLevelDBFS float64 `json:"customer_level_dbfs"` // RMS level of customer speech, dBFS (<= 0)
	ClippingRatio     float64 `json:"clipping_ratio"`      // share of samples at full scale
	Channels          int     `json:"channels,omitempty"`  // 1: mono, speech not attributable (all in agent_talk_sec, share 0); 2: stereo
}

func (RecordingAnalysis) EventType() Type { return TypeRecordingAnalysis }
func (a RecordingAnalysis) Key() string   { return a.CallID }

func (a RecordingAnalysis) Validate() error {
	var c check
	c.required("recording_id", a.RecordingID)
	c.required("call_id", a.CallID)
	for _, f := range []struct {
		n string
		v float64
	}{{"duration_sec", a.DurationSec}, {"agent_talk_sec", a.AgentTalkSec}, {"customer_talk_sec", a.CustomerTalkSec},
		{"silence_sec", a.SilenceSec}, {"longest_silence_sec", a.LongestSilenceSec}, {"overtalk_sec", a.OvertalkSec}, {"hold_sec", a.HoldSec}} {
		c.seconds(f.n, f.v)
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"silence_ratio", a.SilenceRatio}, {"overtalk_ratio", a.OvertalkRatio}, {"agent_talk_share", a.AgentTalkShare}, {"clipping_ratio", a.ClippingRatio}} {
		c.rangeFloat(f.n, f.v, 0, 1)
	}
	c.rangeFloat("agent_level_dbfs", a.AgentLevelDBFS, -200, 0)
	c.rangeFloat("customer_level_dbfs", a.CustomerLevelDBFS, -200, 0)
	return c.err
}

// RecordingAccessed is the audit trail of who listened to or downloaded a recording.
type RecordingAccessed struct {
	RecordingID string `json:"recording_id"`
	CallID      string `json:"call_id"`
	User        string `json:"user"`
	Role        string `json:"role"`
	Action      string `json:"action"` // play | download | peaks | analysis | metadata
	// Client is the address the request came from (empty in events written before it was kept).
	Client string `json:"client,omitempty"`
}

func (RecordingAccessed) EventType() Type { return TypeRecordingAccessed }
func (r RecordingAccessed) Key() string   { return r.CallID }

func (r RecordingAccessed) Validate() error {
	var c check
	c.required("recording_id", r.RecordingID)
	c.required("call_id", r.CallID)
	c.required("user", r.User)
	c.oneOf("role", r.Role, []string{"admin", "manager", "qa", "marketer", "agent"})
	c.oneOf("action", r.Action, []string{"play", "download", "peaks", "analysis", "metadata"})
	c.maxLen("client", r.Client, 64)
	return c.err
}
