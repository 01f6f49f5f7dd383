package dialer

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

func TestSMSReceiptsRepliesAndSurveys(t *testing.T) {
	clk := clock.NewSim(base)
	var got []events.Payload
	m := NewMessenger(clk, func(p events.Payload, at time.Time) {
		if err := events.New(p, at, "dialer/test", "T").Validate(at); err != nil {
			t.Fatalf("%T does not validate: %v", p, err)
		}
		got = append(got, p)
	})
	gw := NewSimSMSGateway(clk, 3, m)
	gw.ReplyRate = 0.5
	m.SetGateway(gw)
	const n = 200
	for i := range n {
		meta := SMSMeta{Kind: "survey_link", Campaign: "cb", Customer: fmt.Sprintf("C%d", i), CallID: fmt.Sprintf("call-%d", i), ClaimID: fmt.Sprintf("CL%d", i)}
		if err := m.Send(context.Background(), fmt.Sprintf("+86139%08d", i), meta); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Send(context.Background(), "12345", SMSMeta{Kind: "reminder", Customer: "X"}); err == nil {
		t.Error("a bad number was accepted")
	}
	clk.Advance(6 * time.Hour)

	status := map[string]int{}
	receipts := map[string]int{}
	var surveys []events.SurveyResponse
	for _, p := range got {
		switch v := p.(type) {
		case events.SMS:
			status[v.Status]++
			if v.Status == "delivered" || v.Status == "failed" {
				receipts[v.MessageID]++
			}
			if v.Direction == events.Inbound && v.InReplyTo == "" {
				t.Errorf("reply %s not linked to the survey text", v.MessageID)
			}
		case events.SurveyResponse:
			surveys = append(surveys, v)
		}
	}
	if status["sent"] != n || status["failed"] == 0 || status["delivered"] == 0 {
		t.Errorf("statuses %v: want %d sent, some delivered and some failed (plus the refused one)", status, n)
	}
	for id, k := range receipts {
		if k != 1 {
			t.Errorf("message %s has %d receipts", id, k)
		}
	}
	if len(receipts) != n {
		t.Errorf("%d messages got a receipt, want %d", len(receipts), n)
	}
	if status["received"] == 0 || len(surveys) != status["received"] {
		t.Errorf("%d replies, %d survey responses: every numeric reply is a response", status["received"], len(surveys))
	}
	for _, s := range surveys {
		if s.Channel != "sms" || s.Kind != "post_claim" || s.CallID == "" || s.Claim == "" || s.CSAT == nil {
			t.Errorf("survey response not linked or empty: %+v", s)
		}
	}
}

func TestPostCallSurveyLinks(t *testing.T) {
	r := NewSimRespondent(1)
	r.Take = 1
	meta := SMSMeta{Campaign: "cf", Customer: "C1", CallID: "call-1", ComplaintID: "CP1", Agent: "A1"}
	resp, ok := PostCallSurvey(r, "s1", meta, base)
	if !ok {
		t.Fatal("respondent with Take=1 refused")
	}
	if err := resp.Validate(); err != nil {
		t.Fatal(err)
	}
	if resp.Kind != "complaint_followup" || resp.Complaint != "CP1" || resp.CallID != "call-1" || resp.Channel != "ivr" {
		t.Errorf("response %+v not linked to its complaint and call", resp)
	}
	r.Take = 0
	if _, ok := PostCallSurvey(r, "s2", meta, base); ok {
		t.Error("respondent with Take=0 answered")
	}
}

// fakeGateway accepts every text and reports nothing by itself: the test plays the carrier.
type fakeGateway struct{ n int }

func (g *fakeGateway) Send(context.Context, OutboundSMS) (string, error) {
	g.n++
	return fmt.Sprintf("m%d", g.n), nil
}

func TestSMSOptOutReplies(t *testing.T) {
	tests := []struct {
		name       string
		kind       string // of the text the customer answers
		reply      string
		wantOptOut bool
		wantSurvey bool
	}{
		{"TD to a reminder", "reminder", "TD", true, false},
		{"td with spaces", "reminder", " td ", true, false},
		{"退订", "fallback", "退订", true, false},
		{"STOP to a survey text is no score", "survey_link", "STOP", true, false},
		{"a score to a survey text", "survey_link", "5", false, true},
		{"words to a reminder", "reminder", "ok thanks", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewSim(base)
			var surveys, replies int
			m := NewMessenger(clk, func(p events.Payload, at time.Time) {
				switch v := p.(type) {
				case events.SurveyResponse:
					surveys++
				case events.SMS:
					if v.Direction == events.Inbound {
						replies++
						if v.Campaign != "renewal-30d" || v.InReplyTo != "m1" || v.Customer != "C1" {
							t.Errorf("reply recorded for campaign %q, text %q, customer %q; want the text it answers", v.Campaign, v.InReplyTo, v.Customer)
						}
					}
				}
			})
			m.SetGateway(&fakeGateway{})
			var optedOut []string
			m.OnOptOut(func(phone, campaign string) { optedOut = append(optedOut, phone+" "+campaign) })
			const phone = "+8613900000001"
			if err := m.Send(context.Background(), phone, SMSMeta{Kind: tc.kind, Campaign: "renewal-30d", Customer: "C1"}); err != nil {
				t.Fatal(err)
			}
			m.Receipt("m1", "delivered", "")
			m.Reply(phone, tc.reply)
			if got := len(optedOut) == 1 && optedOut[0] == phone+" renewal-30d"; got != tc.wantOptOut {
				t.Errorf("opt-outs %v, want one: %v", optedOut, tc.wantOptOut)
			}
			if (surveys == 1) != tc.wantSurvey || replies != 1 {
				t.Errorf("%d survey responses, %d replies; want survey %v and one reply", surveys, replies, tc.wantSurvey)
			}
			if len(m.sent) != 0 || len(m.byPhone) != 0 {
				t.Errorf("answered text still held: sent %d, by phone %d", len(m.sent), len(m.byPhone))
			}
		})
	}
}

func TestSMSForgetsTextsAtTheirReceipt(t *testing.T) {
	clk := clock.NewSim(base)
	var receipts int
	m := NewMessenger(clk, func(p events.Payload, _ time.Time) {
		if v, ok := p.(events.SMS); ok && v.Status != "sent" {
			receipts++
		}
	})
	m.SetGateway(&fakeGateway{})
	send := func(phone, kind string) {
		t.Helper()
		if err := m.Send(context.Background(), phone, SMSMeta{Kind: kind, Campaign: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	send("+8613900000001", "reminder")    // m1
	send("+8613900000002", "survey_link") // m2: delivered, awaits a reply
	send("+8613900000003", "survey_link") // m3: failed, no reply can come
	send("+8613900000002", "survey_link") // m4: a second survey text to the same number
	for id, status := range map[string]string{"m1": "delivered", "m2": "delivered", "m3": "failed", "m4": "delivered"} {
		m.Receipt(id, status, "")
	}
	if receipts != 4 {
		t.Errorf("%d receipts recorded, want 4", receipts)
	}
	if _, ok := m.sent["m4"]; len(m.sent) != 1 || !ok {
		t.Errorf("held texts %v, want only m4, the survey text a reply may still answer", m.sent)
	}
}

func TestSMSOptOutBlocksTheCampaign(t *testing.T) {
	_, svc, clk := newAPI(t)
	const phone = "+8613900000042"
	if err := svc.Messenger().Send(context.Background(), phone, SMSMeta{Kind: "reminder", Campaign: "renewal-30d", Customer: "C0042"}); err != nil {
		t.Fatal(err)
	}
	svc.Messenger().Reply(phone, "TD")
	now := clk.Now()
	for _, tc := range []struct {
		campaign, typ, want string
	}{
		{"renewal-30d", "renewal", RuleDNCCampaign},
		{"claim-callback", "claim_callback", ""}, // a claim callback is another campaign's call
	} {
		c := Contact{ID: "x", CustomerID: "C0042", Phone: phone, CampaignID: tc.campaign, CampaignType: tc.typ, Attempt: 1}
		if got := svc.Gate().Check(c, now); got != tc.want {
			t.Errorf("%s after TD: rule %q, want %q", tc.campaign, got, tc.want)
		}
	}
}

func TestSimSMSGatewayAnswersByText(t *testing.T) {
	tests := []struct {
		kind         string
		wantScores   bool
		wantOptOuts  bool
		maxReplyRate float64
	}{
		{kind: "survey_link", wantScores: true, maxReplyRate: 0.5},
		{kind: "reminder", wantOptOuts: true, maxReplyRate: 0.05}, // "Reply TD to opt out": a few do
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			clk := clock.NewSim(base)
			var scores, optOuts, other int
			m := NewMessenger(clk, func(p events.Payload, _ time.Time) {
				if v, ok := p.(events.SMS); ok && v.Direction == events.Inbound {
					switch _, err := strconv.Atoi(v.Body); {
					case err == nil:
						scores++
					case v.Body == "TD":
						optOuts++
					default:
						other++
					}
				}
			})
			m.SetGateway(NewSimSMSGateway(clk, 7, m))
			const n = 2000
			for i := range n {
				if err := m.Send(context.Background(), fmt.Sprintf("+86139%08d", i), SMSMeta{Kind: tc.kind, Campaign: "c"}); err != nil {
					t.Fatal(err)
				}
			}
			clk.Advance(6 * time.Hour)
			if (scores > 0) != tc.wantScores || (optOuts > 0) != tc.wantOptOuts || other != 0 {
				t.Errorf("%d scores, %d opt-outs, %d other replies; want scores %v, opt-outs %v", scores, optOuts, other, tc.wantScores, tc.wantOptOuts)
			}
			if r := float64(scores+optOuts) / n; r > tc.maxReplyRate {
				t.Errorf("reply rate %.3f, want at most %.2f", r, tc.maxReplyRate)
			}
		})
	}
}
