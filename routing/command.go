package routing

import (
	"context"
	"fmt"
	"io"

	"github.com/seed-1c4692e8/hotline/internal/cli"
)

// Command is `hotline routing <subcommand>`.
func Command(ctx context.Context, args []string, stdout io.Writer) error {
	usage := func() {
		fmt.Fprintln(stdout, "usage: hotline routing <command> [flags]")
		fmt.Fprintln(stdout, "\ncommands:")
		fmt.Fprintln(stdout, "  export-queue-log  write the stored call and agent history as an Asterisk queue_log")
		fmt.Fprintln(stdout, "  check             validate a routing config and an IVR menu (YAML)")
	}
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		usage()
		return nil
	}
	switch args[0] {
	case "export-queue-log":
		return ExportQueueLogCommand(ctx, args[1:], stdout)
	case "check":
		return checkCommand(args[1:], stdout)
	}
	usage()
	return fmt.Errorf("routing: unknown command %q", args[0])
}

func checkCommand(args []string, stdout io.Writer) error {
	fs := cli.NewFlags("check", stdout, "hotline routing check [--config queues.yaml] [--menu menu.yaml]",
		"Validates queues and menu together and lists them.")
	cfgPath := fs.String("config", "", "routing config YAML (default: the shipped queues)")
	menuPath := fs.String("menu", "", "IVR menu YAML (default: the shipped insurance menu)")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	cfg := DefaultConfig()
	var err error
	if *cfgPath != "" {
		if cfg, err = LoadConfig(*cfgPath); err != nil {
			return err
		}
	}
	menu := DefaultMenu()
	if *menuPath != "" {
		if menu, err = LoadMenu(*menuPath); err != nil {
			return err
		}
	}
	if _, err := New(cfg, nil, WithMenu(menu)); err != nil {
		return err
	}
	for _, q := range cfg.Queues {
		fmt.Fprintf(stdout, "queue %-14s line %-14s strategy %-16s priority %3d skills %v\n", q.Name, q.Line, q.Strategy, q.Priority, q.Skills)
	}
	fmt.Fprintf(stdout, "menu %s: %d nodes, start %s\nok\n", menu.Name, len(menu.Nodes), menu.Start)
	return nil
}
