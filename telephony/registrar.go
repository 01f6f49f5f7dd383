package telephony

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/seed-1c4692e8/hotline/routing"
)

// registration is where an agent's phone can be reached.
type registration struct {
	contact   sip.Uri
	transport string
	expires   time.Time
	source    string
}

const (
	minExpiry     = 60 * time.Second
	maxExpiry     = time.Hour
	defaultExpiry = time.Hour
	nonceLife     = time.Minute
)

// register is the registrar. Unknown users and known ones are answered alike until the
// credentials are checked (a 401 challenge), so a scanner cannot tell which extensions exist;
// a wrong password or an unknown user then gets 403 and one log line per source and minute.
// A phone's first registration logs its agent in, ready; its expiry or removal logs them out.
func (s *Server) register(req *sip.Request, tx sip.ServerTransaction) {
	ip := sourceIP(req)
	realm := s.cfg.Realm
	h := req.GetHeader("Authorization")
	if h == nil {
		res, err := s.auth.AuthorizeRequest(req, diago.DigestAuth{Realm: realm, Expire: nonceLife})
		if err != nil {
			s.log.Error("digest challenge", "error", err)
		}
		_ = tx.Respond(res)
		return
	}
	forbid := func(reason string, attrs ...any) {
		s.guard.refuse(ip, "REGISTER", reason, attrs...)
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil {
		forbid("malformed credentials")
		return
	}
	a := s.byUser[cred.Username]
	if a == nil || req.To() == nil || req.To().Address.User != a.Username {
		forbid("unknown user", "user", cred.Username)
		return
	}
	res, err := s.auth.AuthorizeRequest(req, diago.DigestAuth{Username: a.Username, Password: a.Password, Realm: realm, Expire: nonceLife})
	if err != nil || res.StatusCode != sip.StatusOK {
		if res != nil && res.StatusCode == sip.StatusUnauthorized && err == diago.ErrDigestAuthNoChallenge {
			// A stale nonce (ours expired): challenge again rather than refuse.
			res, _ = s.auth.AuthorizeRequest(removeAuth(req), diago.DigestAuth{Realm: realm, Expire: nonceLife})
			_ = tx.Respond(res)
			return
		}
		forbid("wrong password", "user", a.Username)
		return
	}
	expiry := defaultExpiry
	if e := req.GetHeader("Expires"); e != nil {
		if n, err := strconv.Atoi(e.Value()); err == nil {
			expiry = time.Duration(n) * time.Second
		}
	}
	contact := req.Contact()
	if contact != nil {
		if v, ok := contact.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				expiry = time.Duration(n) * time.Second
			}
		}
	}
	ok := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	if expiry == 0 || contact == nil {
		s.unregister(a.AgentID, "phone_unregistered")
		_ = tx.Respond(ok)
		return
	}
	expiry = min(max(expiry, minExpiry), maxExpiry)
	ok.AppendHeader(contact.Clone())
	ok.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expiry.Seconds()))))
	s.mu.Lock()
	_, had := s.regs[a.AgentID]
	s.regs[a.AgentID] = &registration{contact: reachable(contact.Address, req), transport: req.Transport(), expires: s.clk.Now().Add(expiry), source: req.Source()}
	s.mu.Unlock()
	_ = tx.Respond(ok)
	if !had {
		s.log.Info("agent's phone registered", "agent_id", a.AgentID, "extension", a.Extension, "source", req.Source())
		s.login(a)
	}
}

func removeAuth(req *sip.Request) *sip.Request {
	r := req.Clone()
	r.RemoveHeader("Authorization")
	return r
}

// login puts a registered phone's agent into routing, ready, unless they are logged in already
// (from the desktop).
func (s *Server) login(a *Agent) {
	err := s.live.Do(func(e *routing.Engine) error {
		if info, err := e.Agent(a.AgentID); err == nil && info.State != "logged_out" {
			return nil
		}
		return e.Login(routing.Login{Agent: a.AgentID, Name: a.Name, Skills: a.Skills, Ready: true})
	})
	if err != nil {
		s.log.Error("logging in agent of registered phone", "agent_id", a.AgentID, "error", err)
	}
}

func (s *Server) unregister(agentID, reason string) {
	s.mu.Lock()
	_, had := s.regs[agentID]
	delete(s.regs, agentID)
	s.mu.Unlock()
	if !had {
		return
	}
	s.log.Info("agent's phone unregistered", "agent_id", agentID, "reason", reason)
	_ = s.live.Do(func(e *routing.Engine) error { return e.Logout(agentID, reason) })
}

// expireLoop drops registrations that were not renewed.
func (s *Server) expireLoop(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.clk.Now()
		var gone []string
		s.mu.Lock()
		for id, r := range s.regs {
			if now.After(r.expires) {
				gone = append(gone, id)
			}
		}
		s.mu.Unlock()
		for _, id := range gone {
			s.unregister(id, "registration_expired")
		}
	}
}

// contact is where agentID's phone is registered.
func (s *Server) contact(agentID string) (*registration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.regs[agentID]
	if !ok {
		return nil, fmt.Errorf("agent %s has no registered phone", agentID)
	}
	c := *r
	return &c, nil
}

// reachable is where to ring a phone: its Contact, but at the address the REGISTER came from.
// A phone behind NAT gets its calls (as with rport), and a phone that authenticated cannot make
// hotline call some other host: the registrar is no relay.
func reachable(contact sip.Uri, req *sip.Request) sip.Uri {
	c := *contact.Clone()
	host, port, err := net.SplitHostPort(req.Source())
	if err != nil {
		return c
	}
	c.Host = host
	if strings.EqualFold(req.Transport(), "udp") {
		c.Port, _ = strconv.Atoi(port)
	}
	return c
}
