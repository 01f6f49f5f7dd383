package dialer_test

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/docsection"
)

var updateRulesDoc = flag.Bool("update-rules-doc", false, "rewrite the defaults table of docs/dialing-rules.md")

const (
	rulesDocPath = "../docs/dialing-rules.md"
	rulesDocCmd  = "go test ./dialer -run TestDialingRulesDoc -update-rules-doc"
)

// TestDialingRulesDoc fails when docs/dialing-rules.md's table of each campaign type's defaults
// differs from what the dialer applies (DefaultRules, Campaign.Normalize, the type's skill and
// line), so the document cannot drift from the code.
func TestDialingRulesDoc(t *testing.T) {
	var b strings.Builder
	b.WriteString("\n| campaign type | kind | consent | calling window | holidays | max attempts | daily cap per number | abandon lockout | refusal lockout | default pacing | answering machine | agents' skill | business line |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, typ := range events.CampaignTypes {
		r := dialer.DefaultRules(typ)
		c := dialer.Campaign{ID: "x", Type: typ}
		c.Normalize()
		kind := "service"
		if r.Sales {
			kind = "sales"
		} else if !dialer.ServiceCampaign(typ) {
			kind = "marketing"
		}
		pacing := c.Pacing
		if pacing == dialer.MethodHotline {
			pacing = dialer.PacingPredictive // what campaign files and the README call it
		}
		refusal := "—"
		if r.Sales {
			refusal = fmt.Sprintf("%d days", int(r.RefusalLockout.Hours()/24))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s–%s | %s | %d | %d | %d h | %s | %s | %s | %s | %s |\n",
			typ, kind, yesNo(r.NeedsConsent, "required", "—"), r.WindowStart, r.WindowEnd, yesNo(r.NoHolidays, "off", "called"),
			r.MaxAttempts, r.DailyCap, int(r.AbandonLockout.Hours()), refusal, pacing, c.Machine, dialer.SkillFor(typ), dialer.LineFor(typ))
	}
	if err := docsection.Sync(rulesDocPath, rulesDocCmd, b.String(), *updateRulesDoc); err != nil {
		t.Error(err)
	}
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
