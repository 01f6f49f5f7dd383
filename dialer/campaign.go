package dialer

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/seed-1c4692e8/hotline/events"
)

// Campaign is an outbound campaign as a marketer or manager defines it (YAML or the API).
type Campaign struct {
	ID       string `yaml:"id" json:"id"`
	Name     string `yaml:"name" json:"name"`
	Type     string `yaml:"type" json:"type"`     // one of events.CampaignTypes
	Script   string `yaml:"script" json:"script"` // agent script id
	Priority int    `yaml:"priority" json:"priority"`
	// Pacing is the dialling method: preview, progressive, predictive (hotline's predictive
	// pacer; Normalize writes it as hotline) or a VICIdial baseline (adapt_hard_limit,
	// adapt_tapered, adapt_average).
	Pacing        string  `yaml:"pacing" json:"pacing"`
	AbandonTarget float64 `yaml:"abandon_target" json:"abandon_target"` // default 0.03
	Lines         int     `yaml:"lines" json:"lines"`                   // trunk lines, default 30
	// Channel is call (dial, with SMS as fallback and reminder) or sms (texts only).
	Channel string `yaml:"channel" json:"channel"`
	// Agents is the size of the simulated team in `hotline run` (default: the service's TeamSize).
	Agents  int           `yaml:"agents,omitempty" json:"agents,omitempty"`
	Machine MachineAction `yaml:"machine" json:"machine"` // hangup | message | retry
	// Outcomes are the disposition codes agents may choose; defaults per type.
	Outcomes []string    `yaml:"outcomes" json:"outcomes"`
	Rules    *RuleSet    `yaml:"rules,omitempty" json:"rules,omitempty"` // default: DefaultRules(Type)
	List     ListRule    `yaml:"list" json:"list"`
	Retry    RetryPolicy `yaml:"retry" json:"retry"`
	SMS      SMSPolicy   `yaml:"sms" json:"sms"`
	Survey   string      `yaml:"survey,omitempty" json:"survey,omitempty"` // "", "ivr" (post-call CSAT/NPS/resolved) or "sms"
	// Preview is how long a record waits on a person's desk, and what then (preview pacing only).
	Preview PreviewPolicy `yaml:"preview,omitempty" json:"preview,omitzero"`
	Start   time.Time     `yaml:"start,omitempty" json:"start,omitzero"`
	End     time.Time     `yaml:"end,omitempty" json:"end,omitzero"`
	Owner   string        `yaml:"-" json:"owner,omitempty"` // who created it
}

// ListRule says who a campaign calls.
type ListRule struct {
	// Source is book (the book of business, by the campaign type's rule), file (a CSV list),
	// clickhouse (a query returning customer_id, phone[, priority]), segment (a named analytics
	// segment, resolved when the campaign starts) or requests (virtual-hold callbacks and other
	// contacts added as they come). Naming a segment without a source means segment.
	Source string `yaml:"source" json:"source"`
	// ExpiringInDays: renewal reminders for policies ending within N days (default 30).
	ExpiringInDays int `yaml:"expiring_in_days,omitempty" json:"expiring_in_days,omitempty"`
	// DueInDays: premium reminders for instalments due within N days (default 7).
	DueInDays int `yaml:"due_in_days,omitempty" json:"due_in_days,omitempty"`
	// File is a CSV list: customer_id,phone[,priority] (file source).
	File string `yaml:"file,omitempty" json:"file,omitempty"`
	// Query is a ClickHouse query returning customer_id, phone[, priority] (clickhouse source);
	// segments from analytics arrive this way.
	Query string `yaml:"query,omitempty" json:"query,omitempty"`
	// Segment names an analytics segment (a satisfaction × loyalty quadrant: loyal, mercenary,
	// hostage, at_risk), segment source.
	Segment string `yaml:"segment,omitempty" json:"segment,omitempty"`
}

// SMSPolicy is the campaign's text messages.
type SMSPolicy struct {
	Reminder bool `yaml:"reminder" json:"reminder"` // send a reminder with the first call
	// FallbackAfter sends a text after this many failed calls (0: never); same as retry.sms_fallback_after.
	FallbackAfter int    `yaml:"fallback_after" json:"fallback_after"`
	Template      string `yaml:"template,omitempty" json:"template,omitempty"`
}

// PacingPredictive is the name users give the predictive mode; the campaign runs it with
// hotline's predictive pacer (MethodHotline), the name the rest of the dialer uses.
const PacingPredictive = "predictive"

// Pacing methods a campaign may use (after Normalize, predictive reads hotline).
var campaignPacings = []string{MethodPreview, MethodProgressive, MethodHotline, MethodHardLimit, MethodTapered, MethodAverage}

// pacingNames are the pacing names a campaign file or request may give, for error messages.
const pacingNames = "preview, progressive, predictive (or hotline), adapt_hard_limit, adapt_tapered, adapt_average"

// DefaultOutcomes are the disposition codes of a campaign type.
func DefaultOutcomes(campaignType string) []string {
	return slices.Concat(kindOf(campaignType).outcomes, []string{DispositionCallback, DispositionWrongNumber, DispositionDoNotCall})
}

// ParseCampaign reads a campaign from YAML, applies defaults and validates it. name is the file
// name errors mention.
func ParseCampaign(name string, data []byte) (Campaign, error) {
	var c Campaign
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Campaign{}, fmt.Errorf("%s: parsing campaign: %w", name, err)
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return Campaign{}, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

// Normalize fills defaults.
func (c *Campaign) Normalize() {
	k := kindOf(c.Type)
	if c.Name == "" {
		// The list and status show names; the id is what the campaign was created as and what
		// its endpoints take, so a manager recognises it.
		c.Name = c.ID
	}
	if c.Pacing == "" {
		c.Pacing = cmp.Or(k.pacing, MethodHotline)
	}
	if c.Pacing == PacingPredictive {
		c.Pacing = MethodHotline
	}
	if c.AbandonTarget == 0 {
		c.AbandonTarget = 0.03
	}
	if c.Channel == "" {
		c.Channel = "call"
	}
	if c.Lines == 0 {
		c.Lines = 30
	}
	if c.Machine == "" {
		c.Machine = MachineMessage
		if !k.service {
			c.Machine = MachineHangup
		}
	}
	if len(c.Outcomes) == 0 {
		c.Outcomes = DefaultOutcomes(c.Type)
	}
	if c.Rules == nil {
		r := DefaultRules(c.Type)
		c.Rules = &r
	}
	if c.List.Source == "" && c.List.Segment != "" {
		c.List.Source = "segment"
	}
	if c.List.Source == "" {
		c.List.Source = cmp.Or(k.list, "book")
	}
	if c.List.Source == "book" && c.Type == events.CampaignRenewal && c.List.ExpiringInDays == 0 {
		c.List.ExpiringInDays = 30
	}
	if c.List.Source == "book" && c.Type == events.CampaignPremiumDue && c.List.DueInDays == 0 {
		c.List.DueInDays = 7
	}
	if c.Pacing == MethodPreview {
		c.Preview.defaults()
	}
	if c.SMS.FallbackAfter > 0 && c.Retry.MaxFailedCalls == 0 {
		c.Retry.MaxFailedCalls = c.SMS.FallbackAfter
	}
}

// Validate reports the first problem, naming the field. The regulator's floors are checked
// apart (Floors.Check), against the floors the service runs with.
func (c Campaign) Validate() error {
	switch {
	case c.ID == "":
		return fmt.Errorf("id: missing")
	case !validID(c.ID):
		return fmt.Errorf("id: %q is not 1 to %d letters, digits, '.', '_' or '-' starting with a letter or digit (it names files and URLs)", clip(c.ID), maxIDLen)
	case !knownKind(c.Type):
		return fmt.Errorf("type: %q is not one of %v", c.Type, events.CampaignTypes)
	case len(c.Name) > maxNameLen:
		return fmt.Errorf("name: %d bytes, at most %d", len(c.Name), maxNameLen)
	case c.Script == "":
		return fmt.Errorf("script: missing (the agent script id)")
	case len(c.Script) > maxIDLen:
		return fmt.Errorf("script: %q is longer than %d bytes", clip(c.Script), maxIDLen)
	case c.Priority < 0 || c.Priority > 100:
		return fmt.Errorf("priority: %d is outside 0..100", c.Priority)
	case len(c.Outcomes) > maxOutcomes:
		return fmt.Errorf("outcomes: %d codes, at most %d", len(c.Outcomes), maxOutcomes)
	case len(c.SMS.Template) > maxTemplateLen:
		return fmt.Errorf("sms.template: %d bytes, at most %d", len(c.SMS.Template), maxTemplateLen)
	case c.SMS.FallbackAfter < 0 || c.SMS.FallbackAfter > 100:
		return fmt.Errorf("sms.fallback_after: %d is outside 0..100", c.SMS.FallbackAfter)
	case c.List.ExpiringInDays < 0 || c.List.ExpiringInDays > 3660 || c.List.DueInDays < 0 || c.List.DueInDays > 3660:
		return fmt.Errorf("list: expiring_in_days and due_in_days must be in 0..3660")
	case len(c.List.Segment) > maxIDLen:
		return fmt.Errorf("list.segment: %q is longer than %d bytes", clip(c.List.Segment), maxIDLen)
	case !slices.Contains(campaignPacings, c.Pacing):
		return fmt.Errorf("pacing: %q is not one of %s", c.Pacing, pacingNames)
	case !(c.AbandonTarget > 0 && c.AbandonTarget <= 1): // also true for NaN
		return fmt.Errorf("abandon_target: %v is not a rate in (0, 1]; the calling floors cap it further (3%% by default)", c.AbandonTarget)
	case c.Lines < 1 || c.Lines > 10000:
		return fmt.Errorf("lines: %d is outside 1..10000", c.Lines)
	case !c.End.IsZero() && !c.End.After(c.Start):
		return fmt.Errorf("end: %s is not after start %s", c.End.Format(time.RFC3339), c.Start.Format(time.RFC3339))
	case c.Channel != "call" && c.Channel != "sms":
		return fmt.Errorf("channel: %q is not one of call, sms", c.Channel)
	case c.Agents < 0 || c.Agents > 10000:
		return fmt.Errorf("agents: %d is outside 0..10000", c.Agents)
	case c.Survey != "" && c.Survey != "ivr" && c.Survey != "sms":
		return fmt.Errorf("survey: %q is not one of ivr, sms", c.Survey)
	}
	switch c.Machine {
	case MachineHangup, MachineMessage, MachineRetry:
	default:
		return fmt.Errorf("machine: %q is not one of hangup, message, retry", c.Machine)
	}
	if c.Rules != nil {
		if err := c.Rules.Validate(); err != nil {
			return fmt.Errorf("rules.%w", err)
		}
	}
	if err := c.Retry.Validate(); err != nil {
		return err
	}
	if c.Pacing != MethodPreview && c.Preview != (PreviewPolicy{}) {
		return fmt.Errorf("preview: set but pacing is %s; the preview timeout applies to preview campaigns only", c.Pacing)
	}
	if c.Pacing == MethodPreview {
		if err := c.Preview.Validate(); err != nil {
			return fmt.Errorf("preview.%w", err)
		}
	}
	switch c.List.Source {
	case "book":
		if !kindOf(c.Type).book {
			return fmt.Errorf("list.source: the book has no list rule for %s campaigns; use file, clickhouse or requests", c.Type)
		}
	case "file":
		if c.List.File == "" {
			return fmt.Errorf("list.file: missing for a file list")
		}
	case "clickhouse":
		if c.List.Query == "" {
			return fmt.Errorf("list.query: missing for a clickhouse list")
		}
	case "segment":
		if c.List.Segment == "" {
			return fmt.Errorf("list.segment: missing for a segment list (name one)")
		}
	case "requests":
	default:
		return fmt.Errorf("list.source: %q is not one of book, file, clickhouse, segment, requests", c.List.Source)
	}
	if c.List.Segment != "" && c.List.Source != "segment" {
		return fmt.Errorf("list.segment: %q is named but list.source is %s, not segment", c.List.Segment, c.List.Source)
	}
	for _, o := range c.Outcomes {
		if o == "" || len(o) > maxIDLen || strings.ContainsAny(o, " ,") {
			return fmt.Errorf("outcomes: %q is not a code (up to %d bytes, no spaces or commas)", clip(o), maxIDLen)
		}
	}
	return nil
}

// Bounds of a campaign's text: an id (and a script, an outcome code), a name, the outcome codes,
// a text message template.
const (
	maxIDLen       = 64
	maxNameLen     = 200
	maxOutcomes    = 50
	maxTemplateLen = 1000
)

// validID reports whether id may name a campaign: its files (<id>.yaml, <id>.csv) and its URLs,
// so no path separator, no leading dot, nothing a URL must escape.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLen || id[0] == '.' || id[0] == '-' || id[0] == '_' {
		return false
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// clip shortens a value from a request for an error message or a log line.
func clip(s string) string {
	if len(s) > maxIDLen {
		return s[:maxIDLen] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

// MaxAttempts is the campaign's attempt limit.
func (c Campaign) MaxAttempts() int {
	if c.Rules != nil {
		return c.Rules.MaxAttempts
	}
	return DefaultRules(c.Type).MaxAttempts
}

// LoadCampaigns reads every *.yaml / *.yml campaign file in dir, in name order.
func LoadCampaigns(dir string) ([]Campaign, error) {
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, fmt.Errorf("listing campaign files: %w", err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	var out []Campaign
	seen := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading campaign: %w", err)
		}
		c, err := ParseCampaign(f, data)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("%s: id %q is already used by %s", f, c.ID, prev)
		}
		seen[c.ID] = f
		out = append(out, c)
	}
	return out, nil
}
