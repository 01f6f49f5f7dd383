package chserver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"
)

const usage = `usage: clickhouse <start|stop|status|run> [flags]

Manages the local clickhouse-server that hotline uses when HOTLINE_CLICKHOUSE_ADDR is not set
(and that tests and CI use). Config, data, logs and the pid file live under --data-dir; the
server listens on 127.0.0.1 only, user "default" without password.

  start    start a detached server (survives this command) and wait until it answers;
           does nothing if one already answers on --tcp-port
  stop     SIGTERM the server named by the pid file, SIGKILL after 30s; fine if not running
  status   print whether it runs and answers; exit status 1 if it does not answer
  run      run the server in the foreground, restarting it if it dies, until interrupted

flags:
`

// Command implements `hotline clickhouse start|stop|status|run`. args excludes the command
// name itself; ctx should be cancelled on SIGINT/SIGTERM.
func Command(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clickhouse", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var o Options
	fs.StringVar(&o.DataDir, "data-dir", DefaultDataDir, "directory for config, data, logs and pid file")
	fs.IntVar(&o.TCPPort, "tcp-port", DefaultTCPPort, "native protocol port on 127.0.0.1")
	fs.IntVar(&o.HTTPPort, "http-port", DefaultHTTPPort, "HTTP port on 127.0.0.1")
	timeout := fs.Duration("timeout", 90*time.Second, "how long start waits for the server to answer")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return errors.New("clickhouse: missing subcommand")
	}
	sub, rest := args[0], args[1:]
	if sub == "-h" || sub == "--help" || sub == "help" {
		fs.Usage()
		return nil
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("clickhouse %s: unexpected arguments %q", sub, fs.Args())
	}
	o.ReadyTimeout = *timeout
	o.Logger = slog.New(slog.NewTextHandler(stdout, nil))

	switch sub {
	case "start":
		o.Detached = true
		start := time.Now()
		s, err := Start(ctx, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "clickhouse ready on %s (%s)\n", s.Addr(), time.Since(start).Round(time.Millisecond))
		return nil
	case "run":
		s, err := Start(ctx, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "clickhouse ready on %s; interrupt to stop\n", s.Addr())
		return s.Wait()
	case "stop":
		if err := Stop(ctx, o); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "clickhouse stopped")
		return nil
	case "status":
		st, err := Status(ctx, o)
		if err != nil {
			return err
		}
		switch {
		case st.Ready:
			fmt.Fprintf(stdout, "clickhouse %s ready on %s (pid %d)\n", st.Version, st.Addr, st.PID)
			return nil
		case st.Running:
			return fmt.Errorf("clickhouse pid %d is running but %s does not answer", st.PID, st.Addr)
		default:
			return fmt.Errorf("clickhouse is not running on %s", st.Addr)
		}
	default:
		fs.Usage()
		return fmt.Errorf("clickhouse: unknown subcommand %q", sub)
	}
}
