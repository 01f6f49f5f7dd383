package routing

import (
	"fmt"
	"strings"

	"github.com/seed-1c4692e8/hotline/events"
)

// ivrSession is a call's walk through the menu.
type ivrSession struct {
	node    *Node
	attempt int
	path    []string
	later   bool // waiting for Engine.Input
}

func (e *Engine) startIVR(c *Call) {
	c.state = csIVR
	c.ivr = &ivrSession{}
	start := e.menu.Start
	if !e.menu.Hours.IsOpen(e.clk.Now()) {
		start = e.menu.After
	}
	e.enterNode(c, e.menu.Nodes[start])
}

func (e *Engine) enterNode(c *Call, n *Node) {
	s := c.ivr
	s.node, s.attempt = n, 0
	if n.Line != "" {
		c.Line = n.Line
	}
	switch n.Type {
	case NodeQueue:
		e.leaveIVR(c)
		for k, v := range n.Set {
			c.Data[k] = v
		}
		e.enqueue(c, e.byQueue[n.Queue])
	case NodeMessage:
		c.timers = append(c.timers[:0], e.clk.AfterFunc(n.Length, func() { e.endMessage(c, n) }))
	default:
		e.prompt(c)
	}
}

// endMessage ends the call once a message node's prompt has played.
func (e *Engine) endMessage(c *Call, n *Node) {
	out := n.Outcome
	if out == "" {
		out = events.OutcomeIVRAbandoned
		if c.taskDone {
			out = events.OutcomeSelfServed
		}
	}
	if out == events.OutcomeSelfServed && !c.taskDone {
		// An information message is the task (e.g. product details, office hours).
		c.taskDone = true
		c.rec.SelfService = n.ID
	}
	e.endIVR(c, out)
}

// MessagePlayed says a live call's message prompt has played to its end, sooner than the node's
// prompt_length: the call ends now, as it would have then.
func (e *Engine) MessagePlayed(callID string) error {
	c, err := e.call(callID)
	if err != nil {
		return err
	}
	if c.state != csIVR || c.ivr.node.Type != NodeMessage {
		return fmt.Errorf("message played for %s: not at a message: %w", callID, ErrState)
	}
	e.endMessage(c, c.ivr.node)
	return nil
}

// prompt plays the node's prompt and schedules what the caller does.
func (e *Engine) prompt(c *Call) {
	s := c.ivr
	n := s.node
	r := c.caller.Respond(c.info(), n, s.attempt)
	if r.Later {
		c.stopTimers()
		s.later = true
		return
	}
	wait := n.Length + r.After
	if !r.Hangup && (r.Input == "" || r.After > n.Timeout) {
		// No input, or too slow: the IVR times out and hears nothing.
		r.Input = ""
		wait = n.Length + n.Timeout
	}
	c.timers = append(c.timers[:0], e.clk.AfterFunc(wait, func() { e.respond(c, r) }))
}

func (e *Engine) respond(c *Call, r Response) {
	if c.state != csIVR {
		return
	}
	s := c.ivr
	n := s.node
	if r.Hangup {
		e.ivrHangup(c)
		return
	}
	switch n.Type {
	case NodeMenu:
		if next, ok := n.Choice[r.Input]; ok {
			s.path = append(s.path, r.Input)
			e.lifecycle(c, events.StageIVRSelection, nil, n.ID+":"+r.Input)
			e.enterNode(c, e.menu.Nodes[next])
			return
		}
		e.retry(c, n.OnFail)
	case NodeCollect:
		if r.Input == "" || len(r.Input) < n.MinDigits {
			e.retry(c, n.OnFail)
			return
		}
		found := e.selfService(c, n.Action, r.Input)
		s.path = append(s.path, "#")
		e.lifecycle(c, events.StageIVRSelection, nil, fmt.Sprintf("%s:%s:found=%t", n.ID, n.Action, found))
		if found {
			c.taskDone = true
			c.rec.SelfService = n.Action
			e.enterNode(c, e.menu.Nodes[n.Next])
			return
		}
		fail := n.NotFound
		if fail == "" {
			fail = n.OnFail
		}
		e.retry(c, fail)
	}
}

// Input is a live caller's answer to the prompt the engine asked about with Respond (which
// returned Later): the keys pressed, or no input when the caller's side timed out after the
// prompt. A hang-up goes through Abandon or Hangup instead.
func (e *Engine) Input(callID, keys string) error {
	c, err := e.call(callID)
	if err != nil {
		return err
	}
	if c.state != csIVR || !c.ivr.later {
		return fmt.Errorf("input for %s: no prompt is waiting for it: %w", callID, ErrState)
	}
	c.ivr.later = false
	e.respond(c, Response{Input: keys})
	return nil
}

// retry replays the prompt, or goes to fail once the retries are used up.
func (e *Engine) retry(c *Call, fail string) {
	s := c.ivr
	s.attempt++
	if s.attempt <= s.node.Retries {
		e.prompt(c)
		return
	}
	if fail == "" {
		e.endIVR(c, events.OutcomeIVRAbandoned)
		return
	}
	e.enterNode(c, e.menu.Nodes[fail])
}

// selfService runs a lookup; a real IVR would read the answer out with text-to-speech.
func (e *Engine) selfService(c *Call, action, input string) bool {
	if e.dir == nil {
		return false
	}
	switch action {
	case ActionClaimStatus:
		cl, ok := e.dir.Claim(input)
		if ok {
			c.Data["claim_id"], c.Data["claim_status"] = cl.Claim, cl.Status
		}
		return ok
	case ActionPolicyLookup, ActionPaymentLookup:
		p, ok := e.dir.Policy(input)
		if ok {
			c.Data["policy_id"], c.Data["policy_status"] = p.Policy, p.Status
		}
		return ok
	}
	return false
}

func (e *Engine) leaveIVR(c *Call) {
	now := e.clk.Now()
	c.rec.IVREndedAt = tp(now)
	c.rec.IVRSec = secs(now.Sub(c.rec.ArrivedAt))
	c.rec.IVRPath = strings.Join(c.ivr.path, ">")
	c.stopTimers()
}

func (e *Engine) ivrHangup(c *Call) {
	out := events.OutcomeIVRAbandoned
	if c.taskDone {
		out = events.OutcomeSelfServed
	}
	e.endIVR(c, out)
}

func (e *Engine) endIVR(c *Call, outcome string) {
	e.leaveIVR(c)
	c.rec.Outcome = outcome
	switch outcome {
	case events.OutcomeSelfServed:
		e.stats.SelfServed++
	case events.OutcomeAfterHours:
		e.stats.AfterHours++
	default:
		e.stats.IVRAbandoned++
	}
	if c.Line != "" {
		c.rec.Line = c.Line
	}
	e.endLine(c)
}

// IVRSnapshot reports where a call in the IVR is, for tests and supervisors.
func (e *Engine) IVRSnapshot(callID string) (node string, path string, ok bool) {
	c, err := e.call(callID)
	if err != nil || c.state != csIVR {
		return "", "", false
	}
	return c.ivr.node.ID, strings.Join(c.ivr.path, ">"), true
}
