package main

import (
	"testing"

	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/retention"
)

// The retention floors keep what the other parts' rules read back: the dialer's refusal lock
// is restored from stored calls, and QA refuses to delete a sales recording before its floor.
func TestRetentionFloorsCoverTheRules(t *testing.T) {
	if retention.PersonalDataFloor < dialer.SixMonths {
		t.Errorf("personal data floor %s is shorter than the dialer's refusal lock %s", retention.PersonalDataFloor, dialer.SixMonths)
	}
	r := qa.RetentionOf(retention.DefaultPolicy())
	if err := r.Validate(); err != nil {
		t.Errorf("default policy: %v", err)
	}
	if r.For("telemarketing") < qa.SalesRetentionMin || r.For("") != retention.DefaultPolicy().ServiceRecordings {
		t.Errorf("recordings policy %+v", r)
	}
}
