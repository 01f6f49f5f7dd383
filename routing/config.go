package routing

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/seed-1c4692e8/hotline/events"
)

// Routing strategies: how a queue picks among several available agents for one call.
const (
	StrategyLongestIdle     = "longest_idle"     // agent idle longest
	StrategyBestProficiency = "best_proficiency" // highest proficiency on the queue's skills, then longest idle
	StrategyLeastOccupied   = "least_occupied"   // lowest occupancy since login, then longest idle
	StrategyRoundRobin      = "round_robin"      // next member after the last one chosen
	StrategyFewestCalls     = "fewest_calls"     // fewest calls handled since login, then longest idle
)

// Strategies lists every strategy.
var Strategies = []string{StrategyLongestIdle, StrategyBestProficiency, StrategyLeastOccupied, StrategyRoundRobin, StrategyFewestCalls}

// MaxProficiency is the top of the proficiency scale (1 = trainee … 5 = expert).
const MaxProficiency = 5

// Config is the routing configuration: queues and the timers that apply to every agent.
type Config struct {
	Source string        `yaml:"source"` // event source, e.g. "routing/acd-1"
	Tenant string        `yaml:"tenant"` // call centre code stamped on events
	Queues []QueueConfig `yaml:"queues"`

	// OfferTimeout is how long an offered call rings at a desktop before it goes back to the
	// queue and the agent is set not ready (break, reason "no_answer").
	OfferTimeout time.Duration `yaml:"offer_timeout"`
	// MaxWrapUp ends after-call work that the agent did not end themselves.
	MaxWrapUp time.Duration `yaml:"max_wrap_up"`
	// LeaseTTL is how long an agent's desktop may stay silent before the agent is recovered:
	// logged out with reason desktop_lost (after the call in progress, if any). 0 disables leases.
	LeaseTTL time.Duration `yaml:"lease_ttl"`

	// Priority boosts added to a queue's base priority.
	VIPBoost      int            `yaml:"vip_boost"`      // customer segment "vip"
	EscalateBoost int            `yaml:"escalate_boost"` // complaint escalation (repeat complaint, flagged in the IVR)
	CallbackBoost int            `yaml:"callback_boost"` // caller returning on a callback they asked for
	TransferBoost int            `yaml:"transfer_boost"` // call transferred in from another queue
	WorkingDays   []time.Weekday `yaml:"-"`              // complaint due dates count these; Monday–Friday by default
}

// QueueConfig is one queue: a business line served by agents with the required skills.
type QueueConfig struct {
	Name     string     `yaml:"name"`
	Line     string     `yaml:"business_line"` // one of events.BusinessLines
	Skills   []SkillReq `yaml:"skills"`        // all required
	Strategy string     `yaml:"strategy"`      // one of Strategies; default longest_idle
	Priority int        `yaml:"priority"`      // base priority, higher first

	// Relax lowers the required proficiency as the wait grows (skill relaxation).
	Relax []RelaxStep `yaml:"relax"`
	// Overflow makes the call eligible in further queues as the wait grows; it stays in this one.
	Overflow []OverflowStep `yaml:"overflow"`
	// MaxWait is when a waiting caller is offered a call back (0: never).
	MaxWait time.Duration `yaml:"max_wait"`
	// Hours are the opening hours; nil means 24x7. Outside them a caller gets the after-hours
	// treatment: a call back request when AfterHoursCallback, else a closed message.
	Hours              *Hours `yaml:"hours"`
	AfterHoursCallback bool   `yaml:"after_hours_callback"`
}

// SkillReq requires a skill at a minimum proficiency.
type SkillReq struct {
	Skill string `yaml:"skill"`
	Min   int    `yaml:"min"` // 1..MaxProficiency
}

// RelaxStep lowers every required proficiency by Drop once a call has waited After.
type RelaxStep struct {
	After time.Duration `yaml:"after"`
	Drop  int           `yaml:"drop"`
}

// OverflowStep adds Queue as a target once a call has waited After.
type OverflowStep struct {
	After time.Duration `yaml:"after"`
	Queue string        `yaml:"queue"`
}

// Hours are daily opening hours in a time zone, on the listed weekdays (all when empty).
type Hours struct {
	Open  string   `yaml:"open"`  // "08:00"
	Close string   `yaml:"close"` // "20:00"
	Zone  string   `yaml:"zone"`  // IANA zone, default Asia/Shanghai
	Days  []string `yaml:"days"`  // "mon".."sun"

	open, close int // minutes after midnight
	loc         *time.Location
	days        [7]bool
}

// IsOpen reports whether t falls within the hours.
func (h *Hours) IsOpen(t time.Time) bool {
	if h == nil {
		return true
	}
	lt := t.In(h.loc)
	if !h.days[lt.Weekday()] {
		return false
	}
	m := lt.Hour()*60 + lt.Minute()
	if h.open <= h.close {
		return m >= h.open && m < h.close
	}
	return m >= h.open || m < h.close // overnight
}

// NextOpen is the first opening moment at or after t (t itself when open).
func (h *Hours) NextOpen(t time.Time) time.Time {
	if h.IsOpen(t) {
		return t
	}
	lt := t.In(h.loc).Truncate(time.Minute)
	for i := 0; i < 8*24*60; i += 1 {
		lt = lt.Add(time.Minute)
		if h.IsOpen(lt) {
			return lt
		}
	}
	return t
}

func (h *Hours) compile() error {
	var err error
	if h.open, err = parseClock(h.Open); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	if h.close, err = parseClock(h.Close); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	zone := h.Zone
	if zone == "" {
		zone = "Asia/Shanghai"
	}
	if h.loc, err = time.LoadLocation(zone); err != nil {
		return fmt.Errorf("zone: %q is not an IANA time zone", zone)
	}
	names := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	if len(h.Days) == 0 {
		h.days = [7]bool{true, true, true, true, true, true, true}
	}
	for _, d := range h.Days {
		i := slices.Index(names, d)
		if i < 0 {
			return fmt.Errorf("days: %q is not one of %v", d, names)
		}
		h.days[i] = true
	}
	return nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// withDefaults fills unset timers and boosts.
func (c Config) withDefaults() Config {
	if c.Source == "" {
		c.Source = "routing/acd-1"
	}
	if c.Tenant == "" {
		c.Tenant = "HQ"
	}
	if c.OfferTimeout == 0 {
		c.OfferTimeout = 15 * time.Second
	}
	if c.MaxWrapUp == 0 {
		c.MaxWrapUp = 2 * time.Minute
	}
	if c.VIPBoost == 0 {
		c.VIPBoost = 5
	}
	if c.EscalateBoost == 0 {
		c.EscalateBoost = 10
	}
	if c.CallbackBoost == 0 {
		c.CallbackBoost = 3
	}
	if c.TransferBoost == 0 {
		c.TransferBoost = 2
	}
	if len(c.WorkingDays) == 0 {
		c.WorkingDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	c.Queues = slices.Clone(c.Queues)
	for i := range c.Queues {
		if c.Queues[i].Strategy == "" {
			c.Queues[i].Strategy = StrategyLongestIdle
		}
	}
	return c
}

// Validate reports every problem, each naming the field.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("routing config: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if len(c.Queues) == 0 {
		bad("queues", "none defined")
	}
	if c.OfferTimeout < 0 || c.MaxWrapUp < 0 || c.LeaseTTL < 0 {
		bad("offer_timeout/max_wrap_up/lease_ttl", "negative duration")
	}
	names := map[string]bool{}
	for i, q := range c.Queues {
		f := fmt.Sprintf("queues[%d]", i)
		if q.Name == "" {
			bad(f+".name", "missing")
		} else if names[q.Name] {
			bad(f+".name", "%q defined twice", q.Name)
		}
		names[q.Name] = true
		if !slices.Contains(events.BusinessLines, q.Line) {
			bad(f+".business_line", "%q is not one of %v", q.Line, events.BusinessLines)
		}
		if q.Strategy != "" && !slices.Contains(Strategies, q.Strategy) {
			bad(f+".strategy", "%q is not one of %v", q.Strategy, Strategies)
		}
		if len(q.Skills) == 0 {
			bad(f+".skills", "none: a queue needs at least one skill")
		}
		for j, s := range q.Skills {
			if s.Skill == "" {
				bad(fmt.Sprintf("%s.skills[%d].skill", f, j), "missing")
			}
			if s.Min < 1 || s.Min > MaxProficiency {
				bad(fmt.Sprintf("%s.skills[%d].min", f, j), "%d is outside 1..%d", s.Min, MaxProficiency)
			}
		}
		var last time.Duration
		for j, r := range q.Relax {
			if r.After <= last || r.Drop < 1 {
				bad(fmt.Sprintf("%s.relax[%d]", f, j), "after must grow step by step and drop be at least 1 (after %s, drop %d)", r.After, r.Drop)
			}
			last = r.After
		}
		if q.MaxWait < 0 {
			bad(f+".max_wait", "negative")
		}
		if q.Hours != nil {
			if err := q.Hours.compile(); err != nil {
				bad(f+".hours", "%v", err)
			}
		}
	}
	for i, q := range c.Queues {
		for j, o := range q.Overflow {
			if !names[o.Queue] || o.Queue == q.Name {
				bad(fmt.Sprintf("queues[%d].overflow[%d].queue", i, j), "%q is not another defined queue", o.Queue)
			}
			if o.After <= 0 {
				bad(fmt.Sprintf("queues[%d].overflow[%d].after", i, j), "must be positive")
			}
		}
	}
	return errors.Join(errs...)
}

// LoadConfig reads a routing config from a YAML file.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading routing config: %w", err)
	}
	return ParseConfig(b)
}

// ParseConfig decodes and validates a YAML routing config.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("parsing routing config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

//go:embed menus/queues.yaml
var defaultQueues []byte

// DefaultConfig is the shipped queue set: one queue per inbound business line.
func DefaultConfig() Config {
	c, err := ParseConfig(defaultQueues)
	if err != nil {
		panic("routing: shipped queue config is invalid: " + err.Error()) // caught by TestDefaultConfig
	}
	return c
}
