package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

func TestCampaignFiles(t *testing.T) {
	defaults := len(dialer.DefaultCampaigns())
	tests := []struct {
		name    string
		files   map[string]string
		wantIDs map[string]string // id → script, for the campaigns to check
		wantN   int
		wantErr string
	}{
		{name: "no directory: the defaults", wantN: defaults, wantIDs: map[string]string{"renewal-30d": "RENEWAL-V1"}},
		{name: "a file replaces the default of its id and adds its own", wantN: defaults + 1,
			files: map[string]string{
				"renewal.yaml": "id: renewal-30d\ntype: renewal\nscript: RENEWAL-V2\n",
				"survey.yaml":  "id: survey-q1\ntype: satisfaction_survey\nscript: CSAT-1\nlist: {source: file, file: /srv/lists/q1.csv}\n",
			},
			wantIDs: map[string]string{"renewal-30d": "RENEWAL-V2", "survey-q1": "CSAT-1", "claim-callback": "CLAIM-CB-V1"}},
		{name: "a bad file stops start-up naming it", files: map[string]string{"bad.yaml": "id: x\ntype: bogus\nscript: S\n"},
			wantErr: `bad.yaml: type: "bogus"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "campaigns")
			for name, text := range tc.files {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cs, err := campaignFiles(dir, slog.New(slog.DiscardHandler))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != tc.wantN {
				t.Errorf("%d campaigns, want %d", len(cs), tc.wantN)
			}
			scripts := map[string]string{}
			for _, c := range cs {
				scripts[c.ID] = c.Script
			}
			for id, script := range tc.wantIDs {
				if scripts[id] != script {
					t.Errorf("campaign %s has script %q, want %q", id, scripts[id], script)
				}
			}
		})
	}
}

func TestLoadDNC(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{name: "no directory"},
		{name: "national and company lists", files: map[string]string{"national.txt": "13900000001\n", "company.txt": "+8613900000002\n"}},
		{name: "a bad line stops start-up naming the file", files: map[string]string{"company.txt": "call me\n"}, wantErr: "company.txt: do-not-call line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "dnc")
			for name, text := range tc.files {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			svc, err := dialer.NewService(dialer.ServiceConfig{}, dialer.Deps{Clock: clock.NewSim(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))})
			if err != nil {
				t.Fatal(err)
			}
			err = loadDNC(svc, dir, slog.New(slog.DiscardHandler))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
			for name := range tc.files {
				l := svc.Gate().National()
				phone := "+8613900000001"
				if name == "company.txt" {
					l, phone = svc.Gate().Company(), "+8613900000002"
				}
				if !l.Contains(phone, now) {
					t.Errorf("%s: %s not listed", name, phone)
				}
			}
		})
	}
}
