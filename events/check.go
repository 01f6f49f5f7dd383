package events

import (
	"fmt"
	"slices"
	"time"
)

// check collects the first contract violation of a payload; later checks are no-ops once one
// failed, so Validate methods read as a flat list of rules.
type check struct{ err error }

func (c *check) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
	}
}

func (c *check) required(field, v string) {
	if v == "" {
		c.fail(field, "missing")
	}
}

func (c *check) maxLen(field, v string, n int) {
	if len(v) > n {
		c.fail(field, "%d bytes, longer than %d", len(v), n)
	}
}

func (c *check) oneOf(field, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		c.fail(field, "%q is not one of %v", v, allowed)
	}
}

func (c *check) optionalOneOf(field, v string, allowed []string) {
	if v != "" {
		c.oneOf(field, v, allowed)
	}
}

func (c *check) phone(field, v string) {
	if !IsE164(v) {
		c.fail(field, "%q is not an E.164 number (e.g. +8613800138000)", v)
	}
}

func (c *check) optionalPhone(field, v string) {
	if v != "" {
		c.phone(field, v)
	}
}

func (c *check) time(field string, t time.Time) {
	if t.IsZero() {
		c.fail(field, "missing")
	} else if t.Before(earliestOccurredAt) {
		c.fail(field, "%s is before %s", t.Format(time.RFC3339), earliestOccurredAt.Format("2006-01-02"))
	} else if !t.Before(latestPayloadTime) {
		c.fail(field, "%s is not before %s", t.Format(time.RFC3339), latestPayloadTime.Format("2006-01-02"))
	}
}

func (c *check) optionalTime(field string, t *time.Time) {
	if t != nil {
		c.time(field, *t)
	}
}

// notBefore checks that a later milestone, when given, lies in the range of every time and does
// not precede an earlier one.
func (c *check) notBefore(field string, t *time.Time, earlierField string, earlier time.Time) {
	c.optionalTime(field, t)
	if t != nil && !earlier.IsZero() && t.Before(earlier) {
		c.fail(field, "%s is before %s %s", t.Format(TimeFormat), earlierField, earlier.Format(TimeFormat))
	}
}

func (c *check) seconds(field string, v float64) {
	const maxSeconds = 7 * 24 * 3600 // a week: longer means a unit bug (ms sent as s)
	if v < 0 || v > maxSeconds || v != v {
		c.fail(field, "%v s is outside 0..%d", v, maxSeconds)
	}
}

// stateSeconds checks how long an agent stayed in a state. Unlike a call's durations it has no
// bound short of the impossible: an agent logging in after the National Day week or a long leave
// was really logged out for days or months. Event.Validate checks that the state did not begin
// before the earliest time an event may carry; this only keeps the number finite and sane.
func (c *check) stateSeconds(field string, v float64) {
	const maxSeconds = 100 * 365 * 24 * 3600
	if v < 0 || v > maxSeconds || v != v {
		c.fail(field, "%v s is outside 0..%d", v, maxSeconds)
	}
}

func (c *check) rangeInt(field string, v, lo, hi int) {
	if v < lo || v > hi {
		c.fail(field, "%d is outside %d..%d", v, lo, hi)
	}
}

func (c *check) rangeFloat(field string, v, lo, hi float64) {
	if v < lo || v > hi || v != v {
		c.fail(field, "%v is outside %v..%v", v, lo, hi)
	}
}

func (c *check) optionalRangeInt(field string, v *int, lo, hi int) {
	if v != nil {
		c.rangeInt(field, *v, lo, hi)
	}
}
