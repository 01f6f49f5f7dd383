package main

import (
	"context"
	"fmt"
	"io"

	"github.com/seed-1c4692e8/hotline/internal/config"
)

func migrateCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("migrate", "Creates the ClickHouse database and applies the schema migrations not applied yet (idempotent;\n"+
		"statements gated by server version so one schema serves ClickHouse 18.16 and current releases).", stdout)
	f := config.Register(fs)
	cfg, err := loadConfig(fs, f, args)
	if err != nil {
		return err
	}
	in, err := startInfra(ctx, cfg, infraNeeds{clickhouse: true})
	if err != nil {
		return err
	}
	defer in.close()
	fmt.Fprintf(stdout, "schema of %s on %s is up to date\n", in.clickhouse.Database, in.clickhouse.Addr)
	return nil
}
