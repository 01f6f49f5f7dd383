package dialer

import (
	"encoding/json"
	"testing"
)

// fuzzCampaign checks what any campaign the parsers accept must be: valid, encodable (every
// number finite), its id a safe file name, and held to the floors by Tighten.
func fuzzCampaign(t *testing.T, c Campaign, err error) {
	if err != nil {
		return
	}
	if verr := c.Validate(); verr != nil {
		t.Fatalf("accepted a campaign that does not validate: %v", verr)
	}
	if _, jerr := json.Marshal(c); jerr != nil {
		t.Fatalf("accepted a campaign that does not encode: %v", jerr)
	}
	if !validID(c.ID) {
		t.Fatalf("accepted id %q", c.ID)
	}
	f := DefaultFloors()
	if f.Check(c) == nil {
		r := f.Tighten(c.Type, *c.Rules)
		if r != *c.Rules {
			t.Fatalf("a campaign that passes the floors is changed by them: %+v -> %+v", *c.Rules, r)
		}
	}
}

var campaignSeeds = []string{
	"id: a\ntype: renewal\nscript: R\n",
	"id: tm\ntype: telemarketing\nscript: S\nlist: {source: requests}\nabandon_target: .nan\n",
	"id: tm\ntype: telemarketing\nscript: S\nrules: {window_start: \"00:00\", window_end: \"23:59\", max_attempts: 4, daily_cap: 3, abandon_lockout: 72h}\n",
	"id: ../x\ntype: renewal\nscript: R\n",
	"id: a\ntype: renewal\nscript: R\nretry: {busy: 1000000h}\nlines: 99999999999\n",
	`{"id":"j","type":"premium_due","script":"P","abandon_target":1e-320,"rules":{"window_start":"09:00","window_end":"21:00","max_attempts":3,"daily_cap":3,"abandon_lockout":"72h"}}`,
}

func FuzzParseCampaign(f *testing.F) {
	for _, s := range campaignSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCampaign("fuzz.yaml", data)
		fuzzCampaign(t, c, err)
	})
}

func FuzzParseCampaignJSON(f *testing.F) {
	for _, s := range campaignSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCampaignJSON("fuzz.json", data)
		fuzzCampaign(t, c, err)
	})
}
