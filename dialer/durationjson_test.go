package dialer

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestCampaignJSONDurations: every duration of a campaign is written and read as a string such as
// "30s", round-trips unchanged, and a bare number or a bad string is refused naming the field.
func TestCampaignJSONDurations(t *testing.T) {
	c := Campaign{ID: "pv", Type: "renewal", Script: "R1", Pacing: MethodPreview,
		Preview: PreviewPolicy{Timeout: 45 * time.Second, OnTimeout: PreviewSkip},
		Retry:   RetryPolicy{Busy: 15 * time.Minute, NoAnswer: 4 * time.Hour, Dropped: 72 * time.Hour},
		Start:   time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	c.Normalize()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, want := range []string{`"timeout":"45s"`, `"busy":"15m0s"`, `"no_answer":"4h0m0s"`, `"dropped":"72h0m0s"`,
		`"abandon_lockout":"72h0m0s"`, `"start":"2026-03-02T09:00:00Z"`, `"on_timeout":"skip"`} {
		if !strings.Contains(out, want) {
			t.Errorf("campaign JSON lacks %s: %s", want, out)
		}
	}
	if strings.Contains(out, "45000000000") {
		t.Errorf("campaign JSON has a duration in nanoseconds: %s", out)
	}
	var back Campaign
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, c)
	}

	// Read as a client writes it; a field left out keeps its default.
	tests := []struct {
		name, body string
		want       time.Duration // preview.timeout read
		err        string        // the error names the field
	}{
		{"string", `{"preview": {"timeout": "45s"}}`, 45 * time.Second, ""},
		{"minutes", `{"preview": {"timeout": "2m"}}`, 2 * time.Minute, ""},
		{"null", `{"preview": {"timeout": null}}`, 0, ""},
		{"bare number", `{"preview": {"timeout": 45}}`, 0, `preview.timeout: 45 is not a duration; give one as a string such as "30s"`},
		{"bare number in retry", `{"retry": {"busy": 600}}`, 0, `retry.busy: 600 is not a duration`},
		{"bare number in rules", `{"rules": {"abandon_lockout": 259200}}`, 0, `rules.abandon_lockout: 259200 is not a duration`},
		{"no unit", `{"preview": {"timeout": "45"}}`, 0, `preview.timeout: "45" is not a duration`},
		{"not a number either", `{"lines": "many"}`, 0, `lines: got a JSON string, want int`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got Campaign
			err := json.Unmarshal([]byte(tc.body), &got)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s: error %v, want %q", tc.body, err, tc.err)
				}
				return
			}
			if err != nil || got.Preview.Timeout != tc.want {
				t.Fatalf("%s: timeout %s (%v), want %s", tc.body, got.Preview.Timeout, err, tc.want)
			}
		})
	}
}

// TestParseCampaignJSON: a campaign in JSON gets the same defaults and checks as in YAML, and is
// strict about unknown fields.
func TestParseCampaignJSON(t *testing.T) {
	j, err := ParseCampaignJSON("j", []byte(`{"id": "pv", "type": "renewal", "script": "R1", "pacing": "preview", "preview": {"timeout": "45s"}, "retry": {"busy": "15m"}}`))
	if err != nil {
		t.Fatal(err)
	}
	y, err := ParseCampaign("y", []byte("id: pv\ntype: renewal\nscript: R1\npacing: preview\npreview: {timeout: 45s}\nretry: {busy: 15m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(j, y) {
		t.Errorf("JSON and YAML differ:\nJSON %+v\nYAML %+v", j, y)
	}
	for body, want := range map[string]string{
		`{"id": "pv", "type": "renewal", "script": "R1", "colour": "red"}`:                                   `unknown field "colour"`,
		`{"id": "pv", "type": "renewal", "script": "R1", "preview": {"timeout": "45s", "after": "1m"}}`:      `unknown field "after"`,
		`{"id": "pv", "type": "renewal", "script": "R1"} {}`:                                                 "more than one JSON value",
		`{"id": "pv", "type": "renewal", "script": "R1", "pacing": "preview", "preview": {"timeout": "1s"}}`: "preview.timeout: 1s is outside",
	} {
		if _, err := ParseCampaignJSON("j", []byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", body, err, want)
		}
	}
}
