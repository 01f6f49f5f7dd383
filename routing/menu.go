package routing

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/seed-1c4692e8/hotline/events"
)

// IVR node types.
const (
	NodeMenu    = "menu"    // prompt, then one key chooses the next node
	NodeCollect = "collect" // prompt for digits (a case or policy number), then a self-service action
	NodeQueue   = "queue"   // leave the IVR for a queue, with the data collected
	NodeMessage = "message" // play a prompt and end the call
)

// Self-service actions a collect node can run.
const (
	ActionClaimStatus   = "claim_status"   // claim by case number: filed / calculated / pre-paid / closed
	ActionPolicyLookup  = "policy_lookup"  // policy by number: status and cover dates
	ActionPaymentLookup = "payment_lookup" // policy by number: premium and next due date
)

// Menu is an IVR menu: a graph of nodes, loaded from YAML.
type Menu struct {
	Name  string           `yaml:"name"`
	Start string           `yaml:"start"`
	Hours *Hours           `yaml:"hours"`       // nil: always open
	After string           `yaml:"after_hours"` // node when closed
	Nodes map[string]*Node `yaml:"nodes"`
}

// Node is one step of the menu.
type Node struct {
	ID     string            `yaml:"-"`
	Type   string            `yaml:"type"`
	Prompt string            `yaml:"prompt"`
	Length time.Duration     `yaml:"prompt_length"` // how long the prompt plays; default 5s
	Line   string            `yaml:"business_line"` // the branch's business line, for calls that end here
	Choice map[string]string `yaml:"choices"`       // menu: key → node
	// Timeout waits for input after the prompt; Retries replays it after a timeout or an invalid
	// key; then the call goes to OnFail (a hang-up when empty).
	Timeout time.Duration `yaml:"timeout"`
	Retries int           `yaml:"retries"`
	OnFail  string        `yaml:"on_fail"`
	// collect
	Action    string `yaml:"action"`
	MinDigits int    `yaml:"min_digits"`
	Next      string `yaml:"next"`      // after a successful action
	NotFound  string `yaml:"not_found"` // after retries of numbers not found
	// queue
	Queue string            `yaml:"queue"`
	Set   map[string]string `yaml:"set"` // data attached to the call
	// message
	Outcome string `yaml:"outcome"` // self_served (default when a task was done), after_hours, ivr_abandoned
}

// Keys returns a menu node's choice keys in order.
func (n *Node) Keys() []string {
	keys := make([]string, 0, len(n.Choice))
	for k := range n.Choice {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Node returns a node by id.
func (m *Menu) Node(id string) *Node { return m.Nodes[id] }

//go:embed menus/insurance.yaml
var defaultMenu []byte

// DefaultMenu is the shipped insurance hotline menu: claims reporting, inquiries (with the
// self-service claim status, policy and payment lookups), consultation, complaints, renewals and
// appointments.
func DefaultMenu() *Menu {
	m, err := ParseMenu(defaultMenu)
	if err != nil {
		panic("routing: shipped menu is invalid: " + err.Error()) // caught by TestDefaultMenu
	}
	return m
}

// LoadMenu reads a menu from a YAML file.
func LoadMenu(path string) (*Menu, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading IVR menu: %w", err)
	}
	m, err := ParseMenu(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ParseMenu decodes and validates a YAML menu.
func ParseMenu(b []byte) (*Menu, error) {
	var m Menu
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parsing IVR menu: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks the menu's graph; queue names are checked when an engine takes the menu.
func (m *Menu) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("IVR menu: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	ref := func(field, id string, optional bool) {
		if id == "" && optional {
			return
		}
		if _, ok := m.Nodes[id]; !ok {
			bad(field, "node %q is not defined", id)
		}
	}
	ref("start", m.Start, false)
	if m.Hours != nil {
		if err := m.Hours.compile(); err != nil {
			bad("hours", "%v", err)
		}
		ref("after_hours", m.After, false)
	}
	ids := make([]string, 0, len(m.Nodes))
	for id := range m.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := m.Nodes[id]
		if n == nil {
			bad("nodes."+id, "empty")
			continue
		}
		n.ID = id
		f := "nodes." + id
		if n.Length == 0 {
			n.Length = 5 * time.Second
		}
		if n.Timeout == 0 {
			n.Timeout = 5 * time.Second
		}
		if n.Retries < 0 || n.Retries > 5 {
			bad(f+".retries", "%d is outside 0..5", n.Retries)
		}
		if n.Line != "" && !slices.Contains(events.BusinessLines, n.Line) {
			bad(f+".business_line", "%q is not one of %v", n.Line, events.BusinessLines)
		}
		switch n.Type {
		case NodeMenu:
			if len(n.Choice) == 0 {
				bad(f+".choices", "a menu needs at least one choice")
			}
			for k, t := range n.Choice {
				if len(k) != 1 || !isKey(k[0]) {
					bad(f+".choices", "key %q is not one of 0-9 * #", k)
				}
				ref(f+".choices."+k, t, false)
			}
			ref(f+".on_fail", n.OnFail, true)
		case NodeCollect:
			if !slices.Contains([]string{ActionClaimStatus, ActionPolicyLookup, ActionPaymentLookup}, n.Action) {
				bad(f+".action", "%q is not claim_status, policy_lookup or payment_lookup", n.Action)
			}
			ref(f+".next", n.Next, false)
			ref(f+".not_found", n.NotFound, true)
			ref(f+".on_fail", n.OnFail, true)
		case NodeQueue:
			if n.Queue == "" {
				bad(f+".queue", "missing")
			}
		case NodeMessage:
			if n.Outcome != "" && !slices.Contains([]string{events.OutcomeSelfServed, events.OutcomeAfterHours, events.OutcomeIVRAbandoned}, n.Outcome) {
				bad(f+".outcome", "%q is not self_served, after_hours or ivr_abandoned", n.Outcome)
			}
		default:
			bad(f+".type", "%q is not menu, collect, queue or message", n.Type)
		}
	}
	return errors.Join(errs...)
}

func isKey(b byte) bool { return (b >= '0' && b <= '9') || b == '*' || b == '#' }

// check verifies the queue names against an engine's queues.
func (m *Menu) check(queues map[string]*queue) error {
	var errs []error
	for _, id := range sortedKeys(m.Nodes) {
		n := m.Nodes[id]
		if n.Type == NodeQueue {
			if _, ok := queues[n.Queue]; !ok {
				errs = append(errs, fmt.Errorf("IVR menu: nodes.%s.queue: %q is not a configured queue", id, n.Queue))
			}
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
