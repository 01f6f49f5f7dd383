package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/accounts"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// A first start without a tokens file creates the head-office admin and the demo users and
// prints their passwords once; a restart creates and prints none; with a tokens file nothing
// is created, printed or available to sign in with.
func TestFirstStartAccounts(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T) *accounts.Store {
		db, err := statedb.Open(ctx, filepath.Join(t.TempDir(), "hotline.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		cfg := accountsConfig(config.Default().Accounts)
		cfg.Hash = accounts.HashParams{Time: 1, Memory: 64, Threads: 1}
		acc, err := accounts.Open(ctx, db, clock.Real{}, cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return acc
	}
	t.Run("no tokens file", func(t *testing.T) {
		acc := open(t)
		first, err := firstStart(ctx, acc, "", "GD")
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		signInBanner(&out, first, "", "http://127.0.0.1:8080")
		for _, c := range first {
			if !strings.Contains(out.String(), c.User) || !strings.Contains(out.String(), c.Password) {
				t.Errorf("banner does not show %s's password:\n%s", c.User, out.String())
			}
		}
		if !strings.Contains(out.String(), "  admin ") || !strings.Contains(out.String(), "demo-agent") || strings.Contains(out.String(), "demo-admin") {
			t.Errorf("banner:\n%s\nwant the head-office admin and demo users but no demo admin", out.String())
		}
		again, err := firstStart(ctx, acc, "", "GD")
		if err != nil || len(again) != 0 {
			t.Errorf("restart created %v, %v", again, err)
		}
		out.Reset()
		signInBanner(&out, again, "", "http://127.0.0.1:8080")
		if strings.Contains(out.String(), first[0].Password) {
			t.Errorf("restart banner shows a password again:\n%s", out.String())
		}
	})
	t.Run("tokens file", func(t *testing.T) {
		acc := open(t)
		first, err := firstStart(ctx, acc, "/etc/hotline/tokens.yaml", "GD")
		if err != nil || len(first) != 0 {
			t.Fatalf("with a tokens file: %v, %v", first, err)
		}
		if n, _ := acc.CountUsers(ctx); n != 0 {
			t.Errorf("with a tokens file %d users were created", n)
		}
		var out bytes.Buffer
		signInBanner(&out, first, "/etc/hotline/tokens.yaml", "http://127.0.0.1:8080")
		if !strings.Contains(out.String(), "no demo accounts") {
			t.Errorf("banner with a tokens file:\n%s", out.String())
		}
	})
}
