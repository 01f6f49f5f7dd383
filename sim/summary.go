package sim

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/seed-1c4692e8/hotline/events"
)

// Summary is a run's headline figures, from the simulator's own counts.
type Summary struct {
	Calls, Records, Offered, Answered, Abandoned, SelfServed int
	ConnectionRate, SelfServiceRate                          float64
}

// Summarise computes the headline figures of the counts.
func (c Counts) Summarise() Summary {
	o := c.Outcomes
	s := Summary{Calls: c.Calls, Records: c.Records, Answered: o[events.OutcomeAnswered], Abandoned: o[events.OutcomeAbandoned], SelfServed: o[events.OutcomeSelfServed]}
	s.Offered = s.Answered + s.Abandoned + o[events.OutcomeCallbackRequested]
	if s.Offered > 0 {
		s.ConnectionRate = float64(s.Answered) / float64(s.Offered)
	}
	if c.Records > 0 {
		s.SelfServiceRate = float64(s.SelfServed) / float64(c.Records)
	}
	return s
}

// Print writes the counts as a table.
func (c Counts) Print(w io.Writer) {
	s := c.Summarise()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "calls placed\t%d\t(%d repeat calls)\n", c.Calls, c.Redials)
	fmt.Fprintf(tw, "busiest hour\t%d\tcalls placed\n", c.PeakHour)
	fmt.Fprintf(tw, "call records\t%d\t(calls with two records: %d)\n", c.Records, c.DoubleEnded)
	outs := make([]string, 0, len(c.Outcomes))
	for k := range c.Outcomes {
		outs = append(outs, k)
	}
	sort.Strings(outs)
	for _, k := range outs {
		fmt.Fprintf(tw, "  %s\t%d\n", k, c.Outcomes[k])
	}
	fmt.Fprintf(tw, "offered to queues\t%d\n", s.Offered)
	fmt.Fprintf(tw, "connection rate\t%.1f%%\tanswered / offered\n", s.ConnectionRate*100)
	fmt.Fprintf(tw, "self-service rate\t%.1f%%\tself-served / all calls\n", s.SelfServiceRate*100)
	fmt.Fprintf(tw, "callbacks requested\t%d\n", c.Callbacks)
	fmt.Fprintf(tw, "transfers\t%d\n", c.Transfers)
	fmt.Fprintf(tw, "complaints registered\t%d\n", c.Complaints)
	fmt.Fprintf(tw, "claims filed\t%d\n", c.ClaimsFiled)
	fmt.Fprintf(tw, "desktops lost\t%d\t(agents recovered by lease expiry)\n", c.DesktopsLost)
	fmt.Fprintf(tw, "agent state events\t%d\n", c.AgentStates)
	fmt.Fprintf(tw, "book events\t%d\n", c.BookEvents)
	fmt.Fprintf(tw, "events\t%d\n", c.Events)
	tw.Flush()
}
