package dialer

import (
	"context"
	"fmt"
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
