package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/routing"
	"github.com/seed-1c4692e8/hotline/telephony"
)

// newSIP builds the real-call side of `hotline run` (telephony mode sip): its own routing
// engine on the wall clock, the same menu and queues as the simulated centre, events through
// the state file's call journal "sip" (a restart closes the calls a stop interrupted), and
// recordings into the QA store. A bad agents file or prompt stops start-up naming the setting.
func newSIP(ctx context.Context, tc config.Telephony, dataDir string, state *statedb.DB, sink events.Sink,
	store *qa.Store, cal routing.Option, log *slog.Logger) (*telephony.Server, error) {
	agents, err := telephony.LoadAgents(tc.AgentsFile)
	if err != nil {
		return nil, err
	}
	menu := routing.DefaultMenu()
	prompts, err := telephony.LoadPrompts(menu, tc.PromptsDir, tc.SoundsDir)
	if err != nil {
		return nil, err
	}
	if state != nil {
		journal, err := routing.NewCallJournal(ctx, state, "sip")
		if err != nil {
			return nil, err
		}
		if _, closed, err := journal.Recover(ctx); err != nil {
			return nil, err
		} else if closed > 0 {
			log.Info("real calls interrupted by the last stop closed", "calls", closed)
		}
		sink = journal
	}
	tmp := filepath.Join(dataDir, "sip-calls")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("telephony: %w", err)
	}
	return telephony.New(telephony.Config{
		UDP: tc.UDP, TCP: tc.TCP, PublicAddr: tc.PublicAddr, Realm: tc.Realm, RTPPortMin: tc.RTPPortMin, RTPPortMax: tc.RTPPortMax,
		TrunkAddrs: tc.TrunkAddrs, RateLimit: tc.RateLimit, Agents: agents, Prompts: prompts,
	}, telephony.Deps{Routing: routing.DefaultConfig(), Menu: menu, Log: log, Sink: sink, Store: store, TmpDir: tmp,
		Options: []routing.Option{cal}})
}
