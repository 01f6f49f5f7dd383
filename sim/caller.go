package sim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/routing"
)

// plans holds, per intent, the menu keys that lead from each node towards the intent's goal.
// Goals are found by searching the menu, so the simulator follows whatever menu is loaded.
type plans map[string][]map[string]string // intent → one route per matching goal: node → key

func buildPlans(m *routing.Menu) (plans, error) {
	goals := map[string]func(n *routing.Node) bool{
		IntentClaimsReport:  queueGoal(events.LineClaimsReport),
		IntentInquiry:       queueGoal(events.LineInquiry),
		IntentConsultation:  queueGoal(events.LineConsultation),
		IntentComplaint:     queueGoal(events.LineComplaint),
		IntentRenewal:       queueGoal(events.LineRenewal),
		IntentAppointment:   queueGoal(events.LineAppointment),
		IntentClaimStatus:   actionGoal(routing.ActionClaimStatus),
		IntentPolicyLookup:  actionGoal(routing.ActionPolicyLookup),
		IntentPaymentLookup: actionGoal(routing.ActionPaymentLookup),
		IntentProductInfo: func(n *routing.Node) bool {
			return n.Type == routing.NodeMessage && n.Outcome == events.OutcomeSelfServed
		},
	}
	out := plans{}
	for intent, goal := range goals {
		// Breadth-first over menu choices, keeping the key that reached each node.
		type step struct{ parent, key string }
		seen := map[string]step{m.Start: {}}
		order := []string{m.Start}
		for i := 0; i < len(order); i++ {
			n := m.Node(order[i])
			if n.Type != routing.NodeMenu {
				continue
			}
			for _, k := range n.Keys() {
				next := n.Choice[k]
				if _, ok := seen[next]; !ok {
					seen[next] = step{order[i], k}
					order = append(order, next)
				}
			}
		}
		for _, id := range order {
			if !goal(m.Node(id)) {
				continue
			}
			route := map[string]string{}
			for cur := id; cur != m.Start; cur = seen[cur].parent {
				route[seen[cur].parent] = seen[cur].key
			}
			out[intent] = append(out[intent], route)
		}
		if len(out[intent]) == 0 {
			return nil, fmt.Errorf("IVR menu %q offers no way to %s", m.Name, intent)
		}
	}
	return out, nil
}

func queueGoal(line string) func(n *routing.Node) bool {
	return func(n *routing.Node) bool { return n.Type == routing.NodeQueue && queueLine(n.Queue) == line }
}

// queueLine maps the shipped queue names to their lines; other menus name queues after lines too.
func queueLine(q string) string { return q }

func actionGoal(action string) func(n *routing.Node) bool {
	return func(n *routing.Node) bool { return n.Type == routing.NodeCollect && n.Action == action }
}

// caller is one simulated caller on one call.
type caller struct {
	s        *Sim
	intent   string
	customer string
	route    map[string]string
	number   string // claim or policy number for a self-service intent
	r        *rand.Rand
}

func (c *caller) Respond(_ routing.CallInfo, n *routing.Node, attempt int) routing.Response {
	p := &c.s.prof
	r := c.r
	if r.Float64() < p.IVRQuit {
		return routing.Response{Hangup: true, After: dur(1 + 3*r.Float64())}
	}
	switch n.Type {
	case routing.NodeCollect:
		if r.Float64() < p.Mistake*2 || c.number == "" {
			return routing.Response{Input: fmt.Sprintf("%010d", r.IntN(1e9)), After: dur(6 + 8*r.Float64())} // a wrong number
		}
		return routing.Response{Input: c.number, After: dur(6 + 8*r.Float64())}
	case routing.NodeMenu:
		key, onRoute := c.route[n.ID]
		if !onRoute {
			// Off the route: after self-service, ask for a person or say nothing (done).
			if _, ok := n.Choice["0"]; ok && c.s.isAfterService(n) && r.Float64() < p.WantsAgentAfterSelfService {
				return routing.Response{Input: "0", After: dur(1 + 2*r.Float64())}
			}
			return routing.Response{After: n.Timeout + time.Second}
		}
		if r.Float64() < p.Mistake {
			if r.IntN(2) == 0 {
				return routing.Response{After: n.Timeout + time.Second} // silence
			}
			return routing.Response{Input: "#", After: dur(1 + 2*r.Float64())} // a key with no meaning here
		}
		return routing.Response{Input: key, After: dur(0.5 + 3*r.Float64())}
	}
	return routing.Response{After: n.Timeout + time.Second}
}

func (c *caller) OfferCallback(routing.CallInfo) bool { return c.r.Float64() < c.s.prof.CallbackTake }

func dur(sec float64) time.Duration { return time.Duration(sec * float64(time.Second)) }
