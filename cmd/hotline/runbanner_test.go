package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// The start-up banner names the campaigns that run: the defaults and those a campaign file
// adds, once each (a file that replaces a default keeps its id).
func TestDialerBannerNamesLoadedCampaigns(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"tm.yaml":      "id: tm-autumn\ntype: telemarketing\nscript: XSELL-HOME-1\nlist: {source: requests}\n",
		"renewal.yaml": "id: renewal-30d\ntype: renewal\nscript: RENEWAL-V2\npacing: predictive\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	campaigns, err := campaignFiles(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := dialer.NewService(dialer.ServiceConfig{Seed: 1, Campaigns: campaigns},
		dialer.Deps{Clock: clock.NewSim(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil { // as newPlatform does before the banner
		t.Fatal(err)
	}
	if st, _ := svc.Status("renewal-30d"); st.Campaign.Script != "RENEWAL-V2" || st.Campaign.Pacing != dialer.MethodHotline {
		t.Errorf("renewal-30d from its file: script %q pacing %q, want RENEWAL-V2 and predictive read as hotline", st.Campaign.Script, st.Campaign.Pacing)
	}
	got := dialerBanner(svc.Statuses(), dir)
	t.Log(got)
	ids := []string{"tm-autumn"}
	for _, c := range dialer.DefaultCampaigns() {
		ids = append(ids, c.ID)
	}
	for _, id := range ids {
		if strings.Count(got, id) != 1 {
			t.Errorf("banner %q names %s %d times, want once", got, id, strings.Count(got, id))
		}
	}
	if want := len(ids); !strings.Contains(got, "dialer: "+strconv.Itoa(want)+" campaigns") || !strings.Contains(got, dir) {
		t.Errorf("banner %q, want %d campaigns and the directory %s", got, want, dir)
	}
}
