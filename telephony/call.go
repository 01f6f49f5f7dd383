package telephony

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/routing"
)

// call is one inbound call: the customer's leg, what routing asks of it, and later the agent's leg.
type call struct {
	id    string
	srv   *Server
	in    *diago.DialogServerSession
	cust  *leg
	asks  chan ask                  // prompts routing wants answered (Caller.Respond)
	steps chan events.CallLifecycle // routing's lifecycle steps of this call
	agent chan *agentLeg            // an agent's phone answered and routing connected it
	offer chan struct{}             // routing's max wait passed: offer a call back
}

type ask struct {
	node    *routing.Node
	attempt int
}

type agentLeg struct {
	agentID string
	d       *diago.DialogClientSession
	leg     *leg
	at      time.Time
}

// Respond implements routing.Caller: the answer comes later, from the keys pressed.
func (c *call) Respond(_ routing.CallInfo, n *routing.Node, attempt int) routing.Response {
	select {
	case c.asks <- ask{node: n, attempt: attempt}:
	default:
		c.srv.log.Error("prompt request dropped", "call_id", c.id, "node", n.ID)
	}
	return routing.Response{Later: true}
}

// OfferCallback implements routing.Caller: with a callback_offer prompt the caller hears it
// and may press 1 (Engine.RequestCallback); the answer is never immediate, so it returns false.
func (c *call) OfferCallback(routing.CallInfo) bool {
	if len(c.srv.cfg.Prompts.callbackOffer) > 0 {
		select {
		case c.offer <- struct{}{}:
		default:
		}
	}
	return false
}

// lifecycle gets routing's steps for this call; under the engine's lock, so it never blocks.
func (c *call) lifecycle(l events.CallLifecycle) {
	select {
	case c.steps <- l:
	default:
		c.srv.log.Error("call step dropped", "call_id", c.id, "stage", l.Stage)
	}
}

// handleInvite takes a new INVITE: from the trunk, or from an agent's phone that authenticates.
func (s *Server) handleInvite(in *diago.DialogServerSession) {
	req := in.InviteRequest
	ip := sourceIP(req)
	if !s.guard.trunk.contains(ip) && !s.authorizeInvite(in, ip) {
		return
	}
	_ = in.Trying()
	med, err := in.Answer(diago.AnswerOptions{})
	if err != nil {
		s.log.Warn("answering call", "source", req.Source(), "error", err)
		return
	}
	defer med.Close()
	cust, err := newLeg(med, &s.quality)
	if err != nil {
		s.log.Warn("call media", "source", req.Source(), "error", err)
		return
	}
	c := &call{
		id: uuid.NewString(), srv: s, in: in, cust: cust,
		asks: make(chan ask, 4), steps: make(chan events.CallLifecycle, 64), agent: make(chan *agentLeg, 1),
		offer: make(chan struct{}, 1),
	}
	ctx, cancel := context.WithCancel(in.Context())
	defer cancel()
	go cust.run(ctx)
	s.mu.Lock()
	s.calls[c.id] = c
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.calls, c.id)
		s.mu.Unlock()
	}()
	phone := ""
	if f := req.From(); f != nil {
		phone = f.Address.User
	}
	err = s.live.Do(func(e *routing.Engine) error {
		return e.Arrive(routing.Arrival{CallID: c.id, Phone: phone, Caller: c})
	})
	if err != nil {
		s.log.Error("routing a new call", "call_id", c.id, "error", err)
		return
	}
	c.run(ctx)
}

// authorizeInvite lets an agent's phone call in once it proves its password; anyone else is
// refused with 403 and logged once per source and minute.
func (s *Server) authorizeInvite(in *diago.DialogServerSession, ip net.IP) bool {
	req := in.InviteRequest
	user := ""
	if f := req.From(); f != nil {
		user = f.Address.User
	}
	a := s.byUser[user]
	if a == nil {
		s.guard.refuse(ip, "INVITE", "not from the trunk or an agent's phone", "from_user", maskUser(user))
		_ = in.Respond(sip.StatusForbidden, "Forbidden", nil)
		return false
	}
	err := s.auth.AuthorizeDialog(in, diago.DigestAuth{Username: a.Username, Password: a.Password, Realm: s.cfg.Realm, Expire: nonceLife})
	if err != nil {
		if req.GetHeader("Authorization") != nil {
			s.guard.refuse(ip, "INVITE", "wrong password", "user", a.Username)
		}
		return false
	}
	return true
}

// maskUser keeps the last four characters of what may be a phone number, for the log.
func maskUser(u string) string {
	if len(u) <= 4 {
		return u
	}
	return "***" + u[len(u)-4:]
}

// run follows the call until either side hangs up.
func (c *call) run(ctx context.Context) {
	s := c.srv
	var onHold *hold
	var message *playback // a message node's prompt: the line is released once it has played
	var ringing map[string]context.CancelFunc = map[string]context.CancelFunc{}
	stopOffer := func() {}
	defer func() {
		stopOffer()
		for _, cancel := range ringing {
			cancel()
		}
		// An agent who answered as the caller hung up is not left on the line.
		select {
		case a := <-c.agent:
			hangup(a.d)
			_ = a.leg.med.Close()
		default:
		}
	}()
	for {
		select {
		case <-ctx.Done():
			// The customer hung up (or the server stops).
			if err := s.live.Do(func(e *routing.Engine) error { return e.Hangup(c.id) }); err != nil && !errors.Is(err, routing.ErrUnknownCall) {
				s.log.Warn("hanging up in routing", "call_id", c.id, "error", err)
			}
			return
		case a := <-c.asks:
			keys, ok := c.prompt(ctx, a)
			if !ok {
				continue // hung up: ctx is done
			}
			if err := s.live.Do(func(e *routing.Engine) error { return e.Input(c.id, keys) }); err != nil {
				s.log.Warn("IVR input", "call_id", c.id, "error", err)
			}
		case st := <-c.steps:
			switch st.Stage {
			case events.StageIVRSelection:
				if n := c.entered(st.Detail); n != nil && n.Type == routing.NodeMessage {
					message = newPlayback(s.cfg.Prompts.Node(n.ID), false)
					c.cust.send(message)
					go func(p *playback) {
						select {
						case <-p.done:
							// Played: the call ends now rather than after the node's prompt_length.
							_ = s.live.Do(func(e *routing.Engine) error { return e.MessagePlayed(c.id) })
						case <-ctx.Done():
						}
					}(message)
				}
			case events.StageQueued:
				onHold = &hold{music: s.cfg.Prompts.Hold(), announce: c.position}
				c.cust.send(onHold)
			case events.StageOffered:
				stopOffer()
				rctx, cancel := context.WithCancel(ctx)
				ringing[st.Agent] = cancel
				go c.ring(rctx, st.Agent)
			case events.StageRejected, events.StageAbandoned:
				if cancel, ok := ringing[st.Agent]; ok {
					cancel()
					delete(ringing, st.Agent)
				}
			case events.StageEnded:
				// Routing released the line without an agent (IVR end, after hours, call back);
				// a message the caller is hearing is played to its end first.
				if message != nil {
					select {
					case <-message.done:
					case <-ctx.Done():
					case <-time.After(2 * time.Minute):
					}
				}
				c.cust.send(nil)
				hctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_ = c.in.Hangup(hctx)
				cancel()
				return
			}
		case <-c.offer:
			if onHold == nil {
				continue
			}
			stopOffer()
			stop := make(chan struct{})
			stopOffer = sync.OnceFunc(func() { close(stop) })
			go c.offerCallback(ctx, stop, onHold)
		case a := <-c.agent:
			delete(ringing, a.agentID)
			if onHold != nil {
				onHold.stop()
			}
			if !c.bridge(ctx, a) {
				return
			}
			// Blind transfer: the agent is gone, routing queues the call again (or releases the
			// line for a department outside the hotline); the steps that follow say which.
			onHold = nil
		}
	}
}

// entered is the menu node an IVR selection step (detail "node:key", or
// "node:action:found=true" for a number that was found) leads to, nil when it says none.
func (c *call) entered(detail string) *routing.Node {
	m := c.srv.menu
	if m == nil {
		return nil
	}
	id, rest, _ := strings.Cut(detail, ":")
	n := m.Node(id)
	if n == nil {
		return nil
	}
	switch {
	case n.Type == routing.NodeMenu:
		return m.Node(n.Choice[rest])
	case n.Type == routing.NodeCollect && strings.HasSuffix(rest, ":found=true"):
		return m.Node(n.Next)
	}
	return nil
}

// position is the announcement of the call's place in its queue.
func (c *call) position() []int16 {
	n, ok := 0, false
	_ = c.srv.live.Do(func(e *routing.Engine) error { n, ok = e.Position(c.id); return nil })
	if !ok {
		return nil
	}
	return c.srv.cfg.Prompts.Position(n)
}

// offerCallback plays the callback offer over the hold music and asks routing for a call back
// when the caller presses 1 within the node timeout; then the music goes on (unless something
// else took the line meanwhile).
func (c *call) offerCallback(ctx context.Context, stop <-chan struct{}, h *hold) {
	c.cust.drainDigits()
	p := newPlayback(c.srv.cfg.Prompts.callbackOffer, false)
	c.cust.send(p)
	defer c.cust.swap(p, h)
	defer p.stop()
	var timer <-chan time.Time
	done := p.done
	for {
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case <-done:
			done, timer = nil, time.After(5*time.Second)
		case <-timer:
			return
		case d := <-c.cust.digits:
			if d != '1' {
				continue
			}
			if err := c.srv.live.Do(func(e *routing.Engine) error { return e.RequestCallback(c.id) }); err != nil {
				c.srv.log.Warn("call back request", "call_id", c.id, "error", err)
			}
			return
		}
	}
}

// prompt plays the node's prompt and collects keys: one for a menu, digits up to '#' (or the
// timeout) for a number. A key stops the prompt. ok is false when the caller hung up.
func (c *call) prompt(ctx context.Context, a ask) (keys string, ok bool) {
	n := a.node
	c.cust.drainDigits()
	p := newPlayback(c.srv.cfg.Prompts.Node(n.ID), false)
	c.cust.send(p)
	defer p.stop()
	timeout := n.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	var timer <-chan time.Time
	var got []rune
	promptDone := p.done
	for {
		select {
		case <-ctx.Done():
			return "", false
		case <-promptDone:
			promptDone = nil
			timer = time.After(timeout)
		case d := <-c.cust.digits:
			p.stop()
			if n.Type != routing.NodeCollect {
				return string(d), true
			}
			if d == '#' {
				return string(got), true
			}
			got = append(got, d)
			timer = time.After(timeout) // time to the next key
			promptDone = nil
		case <-timer:
			return string(got), true
		}
	}
}

// ring calls the agent's registered phone. An answer connects the call; no answer before
// routing's offer timeout cancels the ring (routing puts the call back in its place and the
// agent on a not-ready break); a refusal or an unreachable phone makes the agent not ready.
func (c *call) ring(ctx context.Context, agentID string) {
	s := c.srv
	reg, err := s.contact(agentID)
	if err != nil {
		c.notReady(agentID, "phone_unregistered", err)
		return
	}
	d, med, err := s.dg.Invite(ctx, reg.contact, diago.InviteOptions{Transport: reg.transport})
	if err != nil {
		if ctx.Err() != nil {
			return // routing withdrew the offer (ring timeout, caller hung up)
		}
		c.notReady(agentID, "phone_refused", err)
		return
	}
	l, err := newLeg(med, &s.quality)
	if err != nil {
		hangup(d)
		med.Close()
		c.notReady(agentID, "phone_media", err)
		return
	}
	at := time.Now()
	if err := s.live.Do(func(e *routing.Engine) error { return e.Accept(agentID, c.id) }); err != nil {
		// The offer ended as the phone answered.
		hangup(d)
		med.Close()
		return
	}
	select {
	case c.agent <- &agentLeg{agentID: agentID, d: d, leg: l, at: at}:
	case <-ctx.Done(): // the caller hung up as the agent answered
		hangup(d)
		med.Close()
	}
}

func hangup(d *diago.DialogClientSession) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = d.Hangup(ctx)
	_ = d.Close()
}

func (c *call) notReady(agentID, reason string, err error) {
	c.srv.log.Warn("agent's phone did not take the call", "agent_id", agentID, "call_id", c.id, "reason", reason, "error", err)
	_ = c.srv.live.Do(func(e *routing.Engine) error { return e.Break(agentID, reason) })
}

// bridge connects customer and agent, records both, and ends the call when either hangs up. It
// returns true when the agent transferred the call instead: the customer's line stays up.
func (c *call) bridge(ctx context.Context, a *agentLeg) (transferred bool) {
	s := c.srv
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	go a.leg.run(actx)
	rec, err := newStereoRecorder(s.tmp, a.at)
	if err != nil {
		s.log.Error("call not recorded", "call_id", c.id, "error", err)
	}
	s.log.Info("call bridged", "call_id", c.id, "agent_id", a.agentID, "customer_codec", c.cust.codec.Name, "agent_codec", a.leg.codec.Name, "recorded", rec != nil)
	toAgent, toCust := &relay{}, &relay{}
	c.cust.listen(func(pcm []int16, at time.Time) {
		toAgent.push(pcm, at)
		if rec != nil {
			rec.add(chanCustomer, pcm, at)
		}
	})
	a.leg.listen(func(pcm []int16, at time.Time) {
		toCust.push(pcm, at)
		if rec != nil {
			rec.add(chanAgent, pcm, at)
		}
	})
	c.cust.send(toCust)
	a.leg.send(toAgent)
	var recDone chan string
	if rec != nil {
		recDone = make(chan string, 1)
		s.mu.Lock()
		s.recs[c.id] = recDone
		s.mu.Unlock()
	}
wait:
	for {
		select {
		case <-ctx.Done(): // the customer hung up
			hangup(a.d)
			break wait
		case <-a.d.Context().Done(): // the agent hung up
			hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = c.in.Hangup(hctx)
			hcancel()
			break wait
		case st := <-c.steps:
			if st.Stage == events.StageTransferred {
				transferred = true
				hangup(a.d)
				break wait
			}
		}
	}
	end := time.Now()
	c.cust.listen(nil)
	a.leg.listen(nil)
	c.cust.send(nil)
	if !transferred {
		if err := s.live.Do(func(e *routing.Engine) error { return e.Hangup(c.id) }); err != nil && !errors.Is(err, routing.ErrUnknownCall) {
			s.log.Warn("hanging up in routing", "call_id", c.id, "error", err)
		}
	}
	_ = a.leg.med.Close() // frees its RTP ports
	_ = a.d.Close()
	if rec != nil {
		go func() { recDone <- s.storeRecording(c.id, a, rec, end) }()
	}
	return transferred
}

// storeRecording writes the call's WAV into the QA store and returns its id ("" on failure).
func (s *Server) storeRecording(callID string, a *agentLeg, rec *stereoRecorder, end time.Time) string {
	f, err := os.CreateTemp(s.tmp, "call-*.wav")
	if err != nil {
		s.log.Error("storing recording", "call_id", callID, "error", err)
		return ""
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := rec.finish(f, end); err != nil {
		s.log.Error("storing recording", "call_id", callID, "error", err)
		return ""
	}
	if _, err := f.Seek(0, 0); err != nil {
		s.log.Error("storing recording", "call_id", callID, "error", err)
		return ""
	}
	if s.store == nil {
		return ""
	}
	ev, err := s.store.Put(context.Background(), f, qa.RecordingMeta{CallID: callID, Agent: a.agentID, RecordedAt: a.at})
	if err != nil {
		s.log.Error("storing recording", "call_id", callID, "error", fmt.Errorf("storing in QA: %w", err))
		return ""
	}
	return ev.RecordingID
}
