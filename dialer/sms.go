package dialer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// OutboundSMS is a text to send.
type OutboundSMS struct {
	Phone string // E.164
	Body  string
}

// SMSGateway is the SMS carrier. A real gateway implements it over its HTTP API; receipts and
// inbound replies come back through the SMSEvents it was given.
type SMSGateway interface {
	// Send submits a message and returns the gateway's message id.
	Send(ctx context.Context, m OutboundSMS) (id string, err error)
}

// SMSEvents receives what the gateway reports.
type SMSEvents interface {
	// Receipt reports delivery (status "delivered") or failure ("failed", with the gateway error).
	Receipt(id, status, errText string)
	// Reply reports an inbound message from phone.
	Reply(phone, body string)
}

// SimSMSGateway is a simulated carrier: most messages are delivered after a few seconds, some
// fail, and some customers answer survey texts.
type SimSMSGateway struct {
	clk          clock.Clock
	events       SMSEvents
	mu           sync.Mutex
	rng          *rand.Rand
	seq          int
	DeliveryRate float64 // default 0.96
	ReplyRate    float64 // share of survey texts answered, default 0.35
	OptOutRate   float64 // share of texts offering an opt-out answered TD, default 0.01
}

// NewSimSMSGateway returns a seeded simulated gateway reporting to ev.
func NewSimSMSGateway(clk clock.Clock, seed uint64, ev SMSEvents) *SimSMSGateway {
	return &SimSMSGateway{clk: clk, events: ev, rng: rand.New(rand.NewPCG(seed, 0x736d73)), DeliveryRate: 0.96, ReplyRate: 0.35, OptOutRate: 0.01}
}

func (g *SimSMSGateway) Send(_ context.Context, m OutboundSMS) (string, error) {
	if !events.IsE164(m.Phone) {
		return "", fmt.Errorf("sending sms: %q is not an E.164 number", m.Phone)
	}
	g.mu.Lock()
	g.seq++
	id := "sms-" + strconv.Itoa(g.seq)
	delivered := g.rng.Float64() < g.DeliveryRate
	lag := time.Duration(2+g.rng.IntN(10)) * time.Second
	// Survey texts ask for a score; reminders offer an opt-out, which a few take.
	answer := ""
	switch r := g.rng.Float64(); {
	case !delivered:
	case strings.Contains(m.Body, "Reply 1") && r < g.ReplyRate:
		score := 1 + g.rng.IntN(5)
		if g.rng.Float64() < 0.6 { // most customers who answer are satisfied
			score = 4 + g.rng.IntN(2)
		}
		answer = strconv.Itoa(score)
	case strings.Contains(m.Body, "Reply TD") && r < g.OptOutRate:
		answer = "TD"
	}
	replyLag := time.Duration(1+g.rng.IntN(120)) * time.Minute
	g.mu.Unlock()
	g.clk.AfterFunc(lag, func() {
		if delivered {
			g.events.Receipt(id, "delivered", "")
		} else {
			g.events.Receipt(id, "failed", "handset unreachable")
		}
	})
	if answer != "" {
		g.clk.AfterFunc(lag+replyLag, func() { g.events.Reply(m.Phone, answer) })
	}
	return id, nil
}

// Messenger sends a campaign's texts through a gateway and turns everything that happens to
// them into SMS events; a reply to a survey text becomes a survey response linked to the call,
// claim or complaint the survey follows.
type Messenger struct {
	mu      sync.Mutex
	gw      SMSGateway
	clk     clock.Clock
	emit    func(events.Payload, time.Time)
	sent    map[string]sentSMS // gateway id → what it was, until its receipt (survey texts: their reply)
	byPhone map[string]string  // last survey text per number, for replies
	// last is the last text per number: a reply that answers no survey answers it (an opt-out
	// is about its campaign).
	last     map[string]lastText
	onOptOut func(phone, campaign string)
	seq      int
}

type lastText struct{ id, campaign, customer string }

type sentSMS struct {
	meta     SMSMeta
	phone    string
	receipts bool // its receipt came
}

// forget drops a text that has had its receipt and can have no more reply; m.mu held.
func (m *Messenger) forget(id string) {
	if s, ok := m.sent[id]; ok && s.receipts && m.byPhone[s.phone] != id {
		delete(m.sent, id)
	}
}

// SMSMeta is what a text is about.
type SMSMeta struct {
	Kind        string // one of events.SMSKinds
	Campaign    string
	Customer    string
	CallID      string
	ClaimID     string
	ComplaintID string
	Agent       string
}

// NewMessenger returns a messenger; emit receives every SMS and survey event.
func NewMessenger(clk clock.Clock, emit func(events.Payload, time.Time)) *Messenger {
	return &Messenger{clk: clk, emit: emit, sent: map[string]sentSMS{}, byPhone: map[string]string{}, last: map[string]lastText{}}
}

// OnOptOut is called when a customer answers a text with an opt-out word (the reminders say
// "Reply TD to opt out"), with the campaign of the last text sent to that number.
func (m *Messenger) OnOptOut(f func(phone, campaign string)) {
	m.mu.Lock()
	m.onOptOut = f
	m.mu.Unlock()
}

// optOutWords are the replies that mean "stop": TD (退订, the Chinese carriers' convention) and
// the English ones.
var optOutWords = []string{"TD", "T", "退订", "STOP", "UNSUBSCRIBE"}

func isOptOut(body string) bool {
	return slices.Contains(optOutWords, strings.ToUpper(strings.TrimSpace(body)))
}

// SetGateway attaches the gateway (built with this messenger as its SMSEvents).
func (m *Messenger) SetGateway(gw SMSGateway) { m.mu.Lock(); m.gw = gw; m.mu.Unlock() }

// Texts of the messages hotline sends; a real deployment takes them from the campaign template.
func smsBody(kind, campaign string) string {
	switch kind {
	case "survey_link":
		return "Thank you for talking with us. How satisfied were you? Reply 1 (very dissatisfied) to 5 (very satisfied)."
	case "callback_notice":
		return "We tried to reach you about your policy. We will call again, or call us back at 95500."
	case "fallback":
		return "We could not reach you by phone (" + campaign + "). Please call 95500 or reply to this message."
	}
	return "Reminder from your insurer (" + campaign + "): please call 95500 for details. Reply TD to opt out."
}

// Send texts phone and records the "sent" event (or "failed" when the gateway refuses it).
func (m *Messenger) Send(ctx context.Context, phone string, meta SMSMeta) error {
	m.mu.Lock()
	gw := m.gw
	m.mu.Unlock()
	if gw == nil {
		return fmt.Errorf("sending sms: no gateway")
	}
	if !events.IsE164(phone) {
		// Not an event: the contract only carries E.164 numbers, and nothing was sent.
		return fmt.Errorf("sending sms: %q is not an E.164 number", phone)
	}
	body := smsBody(meta.Kind, meta.Campaign)
	now := m.clk.Now()
	id, err := gw.Send(ctx, OutboundSMS{Phone: phone, Body: body})
	ev := events.SMS{MessageID: id, Direction: events.Outbound, Kind: meta.Kind, Status: "sent", Campaign: meta.Campaign,
		Customer: meta.Customer, Phone: phone, Body: body, Segments: segments(body)}
	if err != nil {
		m.mu.Lock()
		m.seq++
		ev.MessageID = fmt.Sprintf("refused-%d", m.seq)
		m.mu.Unlock()
		ev.Status, ev.Error = "failed", err.Error()
		m.emit(ev, now)
		return fmt.Errorf("sending sms: %w", err)
	}
	m.mu.Lock()
	m.sent[id] = sentSMS{meta: meta, phone: phone}
	if meta.Kind == "survey_link" {
		prev, had := m.byPhone[phone]
		m.byPhone[phone] = id // a reply now answers this one
		if had {
			m.forget(prev)
		}
	}
	m.last[phone] = lastText{id: id, campaign: meta.Campaign, customer: meta.Customer}
	m.mu.Unlock()
	m.emit(ev, now)
	return nil
}

// segments is how many SMS parts a body bills as (70 characters each for Chinese-capable UCS-2).
func segments(body string) int {
	n := len([]rune(body))
	return max(1, (n+69)/70)
}

// Receipt implements SMSEvents.
func (m *Messenger) Receipt(id, status, errText string) {
	m.mu.Lock()
	s, ok := m.sent[id]
	if ok {
		// A text is forgotten at its receipt, unless it is a delivered survey text awaiting a
		// reply; an undelivered one gets none.
		s.receipts = true
		m.sent[id] = s
		if status != "delivered" && m.byPhone[s.phone] == id {
			delete(m.byPhone, s.phone)
		}
		m.forget(id)
	}
	m.mu.Unlock()
	if !ok {
		return
	}
	m.emit(events.SMS{MessageID: id, Direction: events.Outbound, Kind: s.meta.Kind, Status: status, Campaign: s.meta.Campaign,
		Customer: s.meta.Customer, Phone: s.phone, Error: errText}, m.clk.Now())
}

// Reply implements SMSEvents: the reply is an SMS event, and when it answers a survey text with
// a score, a survey response.
func (m *Messenger) Reply(phone, body string) {
	now := m.clk.Now()
	m.mu.Lock()
	m.seq++
	rid := fmt.Sprintf("in-%d", m.seq)
	orig, ok := m.byPhone[phone]
	var s sentSMS
	if ok {
		s = m.sent[orig]
		delete(m.byPhone, phone)
		m.forget(orig)
	}
	prev, optOut := m.last[phone], m.onOptOut
	m.mu.Unlock()
	if !ok { // a reply to a reminder, a notice or a fallback text: to the last one sent
		orig, s.meta.Campaign, s.meta.Customer = prev.id, prev.campaign, prev.customer
	}
	if isOptOut(body) {
		// Not a score, even to a survey text: the customer wants no more.
		ok = false
		if optOut != nil {
			optOut(phone, s.meta.Campaign)
		}
	}
	customer := s.meta.Customer
	if customer == "" {
		customer = phone
	}
	m.emit(events.SMS{MessageID: rid, Direction: events.Inbound, Kind: "reply", Status: "received", Campaign: s.meta.Campaign,
		Customer: customer, Phone: phone, Body: body, InReplyTo: orig}, now)
	if !ok {
		return
	}
	score, err := strconv.Atoi(strings.TrimSpace(body))
	if err != nil || score < 1 || score > 5 {
		return
	}
	m.emit(surveyResponse(rid, "sms", s.meta, &score, nil, nil), now)
}
