package chserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Server is a ClickHouse server made available by Start.
type Server struct {
	addr string
	done chan struct{}
	err  error
}

// Addr is the native-protocol address, e.g. "127.0.0.1:19000".
func (s *Server) Addr() string { return s.addr }

// Wait blocks until a supervised server has been stopped (after the Start context ended) and
// returns why supervision ended. If supervised mode found a server already running (one this
// process does not own), Wait just waits for the Start context to end and leaves it running.
// For a detached server it returns nil at once.
func (s *Server) Wait() error {
	if s.done == nil {
		return nil
	}
	<-s.done
	return s.err
}

// Start makes a ClickHouse server available on opts.Addr() and returns once it answers pings.
//
// It is idempotent: when a server already answers on the address, or the pid file names a live
// server that is still starting, Start waits for it and returns without launching another one.
// A file lock in the data dir keeps concurrent callers (parallel test binaries) from racing.
//
// Detached (opts.Detached): the server runs in its own session, survives the caller, and is
// stopped with Stop. Supervised: the server is a child process that is restarted if it dies and
// stopped with SIGTERM when ctx ends; call Wait to know when it is gone.
func Start(ctx context.Context, opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("starting clickhouse: %w", err)
	}
	if err := pingOnce(ctx, o.Addr()); err == nil {
		o.Logger.Debug("clickhouse already running", "addr", o.Addr())
		return notOwned(ctx, o), nil
	}
	bin, pre, err := o.command()
	if err != nil {
		return nil, fmt.Errorf("starting clickhouse: %w", err)
	}
	if err := writeConfig(o); err != nil {
		return nil, fmt.Errorf("starting clickhouse: %w", err)
	}
	unlock, err := lockFile(ctx, o.lockPath())
	if err != nil {
		return nil, fmt.Errorf("starting clickhouse: %w", err)
	}
	defer unlock()

	// Someone may have started it while we waited for the lock, or a previous start is still
	// coming up (18.16 loads all table metadata before it opens its ports).
	if pid, ok := livePID(o); ok {
		o.Logger.Info("clickhouse process already running, waiting for it", "pid", pid, "addr", o.Addr())
		if err := waitReady(ctx, o, nil); err != nil {
			return nil, fmt.Errorf("starting clickhouse: pid %d from %s: %w", pid, o.pidPath(), err)
		}
		return notOwned(ctx, o), nil
	}

	if o.Detached {
		if err := startDetached(ctx, o, bin, pre); err != nil {
			return nil, fmt.Errorf("starting clickhouse: %w", err)
		}
		return &Server{addr: o.Addr()}, nil
	}
	return startSupervised(ctx, o, bin, pre)
}

// notOwned describes a server someone else started. In supervised mode its Wait follows ctx,
// so that `hotline run` behaves the same whether or not it launched the server itself.
func notOwned(ctx context.Context, o Options) *Server {
	s := &Server{addr: o.Addr()}
	if !o.Detached {
		s.done = make(chan struct{})
		go func() { <-ctx.Done(); close(s.done) }()
	}
	return s
}

func newCmd(o Options, bin string, pre []string) (*exec.Cmd, error) {
	args := append(append([]string{}, pre...), "--config-file="+o.configPath())
	cmd := exec.Command(bin, args...)
	cmd.Dir = o.DataDir
	// Debian's build allocates with jemalloc, which by default hands freed pages back to the
	// kernel within 10 s and faults them in again on the next insert block; keeping them 30 s
	// cut the server's system CPU per inserted row by about 15% under steady ingest.
	cmd.Env = os.Environ()
	if os.Getenv("MALLOC_CONF") == "" {
		cmd.Env = append(cmd.Env, "MALLOC_CONF=dirty_decay_ms:30000,muzzy_decay_ms:30000")
	}
	// Its own log files carry everything useful; stdout/stderr only catch early crashes. Never
	// inherit the caller's stdout: `go test` waits for every holder of its pipe to exit.
	out, err := os.OpenFile(o.stdoutPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", o.stdoutPath(), err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd, nil
}

func startDetached(ctx context.Context, o Options, bin string, pre []string) error {
	cmd, err := newCmd(o, bin, pre)
	if err != nil {
		return err
	}
	defer cmd.Stdout.(*os.File).Close()
	// A new session: no controlling terminal, and Ctrl-C or the death of the caller's process
	// group (make, go test) does not reach the server.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running %s: %w", bin, err)
	}
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	// Reap the child if it exits while we live; otherwise it would linger as a zombie that
	// still answers kill(pid, 0) and fools Status and Stop in this process.
	go func() { exited <- cmd.Wait() }()
	if err := writePID(o.pidPath(), pid); err != nil {
		_ = cmd.Process.Kill()
		return err
	}
	o.Logger.Info("clickhouse started (detached)", "pid", pid, "addr", o.Addr(), "data_dir", o.DataDir)
	if err := waitReady(ctx, o, exited); err != nil {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = os.Remove(o.pidPath())
		return err
	}
	return nil
}

func startSupervised(ctx context.Context, o Options, bin string, pre []string) (*Server, error) {
	launch := func() (*exec.Cmd, chan error, error) {
		cmd, err := newCmd(o, bin, pre)
		if err != nil {
			return nil, nil, err
		}
		// If hotline dies without cleaning up (SIGKILL), the kernel sends the server SIGTERM.
		// Pdeathsig follows the OS thread that forked; Go does not retire threads that are not
		// locked, so in practice it follows the process.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
		if err := cmd.Start(); err != nil {
			cmd.Stdout.(*os.File).Close()
			return nil, nil, fmt.Errorf("running %s: %w", bin, err)
		}
		cmd.Stdout.(*os.File).Close() // the child holds its own copy
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if err := writePID(o.pidPath(), cmd.Process.Pid); err != nil {
			o.Logger.Warn("clickhouse pid file", "err", err)
		}
		return cmd, exited, nil
	}

	cmd, exited, err := launch()
	if err != nil {
		return nil, fmt.Errorf("starting clickhouse: %w", err)
	}
	o.Logger.Info("clickhouse started (supervised)", "pid", cmd.Process.Pid, "addr", o.Addr(), "data_dir", o.DataDir)
	if err := waitReady(ctx, o, exited); err != nil {
		terminate(o, cmd, exited)
		return nil, fmt.Errorf("starting clickhouse: %w", err)
	}

	s := &Server{addr: o.Addr(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer os.Remove(o.pidPath())
		backoff := time.Second
		started := time.Now()
		for {
			select {
			case <-ctx.Done():
				terminate(o, cmd, exited)
				return
			case err := <-exited:
				// A server that ran for a while before dying gets a quick restart; one that
				// crashes at startup is retried less and less often.
				if time.Since(started) > time.Minute {
					backoff = time.Second
				}
				o.Logger.Error("clickhouse exited, restarting", "pid", cmd.Process.Pid, "err", err,
					"in", backoff, "err_log", tail(o.errLogPath(), 5))
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(backoff*2, 30*time.Second)
				c, ex, err := launch()
				if err != nil {
					s.err = fmt.Errorf("restarting clickhouse: %w", err)
					o.Logger.Error("clickhouse restart failed, giving up", "err", err)
					return
				}
				cmd, exited, started = c, ex, time.Now()
				o.Logger.Info("clickhouse restarted", "pid", cmd.Process.Pid)
			}
		}
	}()
	return s, nil
}

// terminate stops a supervised child: SIGTERM, then SIGKILL after StopTimeout.
func terminate(o Options, cmd *exec.Cmd, exited <-chan error) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		o.Logger.Info("clickhouse stopped", "pid", cmd.Process.Pid)
	case <-time.After(o.StopTimeout):
		o.Logger.Warn("clickhouse did not stop after SIGTERM, killing", "pid", cmd.Process.Pid, "timeout", o.StopTimeout)
		_ = cmd.Process.Kill()
		<-exited
	}
}

// WaitReady polls addr until a native-protocol ping succeeds or ctx ends.
func WaitReady(ctx context.Context, addr string) error {
	var last error
	for {
		if last = pingOnce(ctx, addr); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for clickhouse on %s: %w (last ping: %v)", addr, ctx.Err(), last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitReady is WaitReady bounded by ReadyTimeout, failing fast if the process exits, with the
// tail of the server's error log in the error: that is where 18.16 says what it disliked.
func waitReady(ctx context.Context, o Options, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, o.ReadyTimeout)
	defer cancel()
	ready := make(chan error, 1)
	go func() { ready <- WaitReady(ctx, o.Addr()) }()
	select {
	case err := <-ready:
		if err != nil {
			return fmt.Errorf("%w\n%s", err, logTails(o))
		}
		return nil
	case err := <-exited:
		cancel()
		<-ready
		return fmt.Errorf("clickhouse-server exited during startup (%v)\n%s", err, logTails(o))
	}
}

func logTails(o Options) string {
	return fmt.Sprintf("--- tail of %s:\n%s\n--- tail of %s:\n%s",
		o.errLogPath(), tail(o.errLogPath(), 20), o.stdoutPath(), tail(o.stdoutPath(), 10))
}

func pingOnce(ctx context.Context, addr string) error {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{addr},
		DialTimeout: time.Second,
		ReadTimeout: 5 * time.Second,
	})
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return conn.Ping(ctx)
}

// Stop stops the server named by the pid file in opts.DataDir: SIGTERM, wait, SIGKILL after
// StopTimeout. A missing pid file or a dead process is not an error. A supervised server
// stopped this way is restarted by its supervisor.
func Stop(ctx context.Context, opts Options) error {
	o, err := opts.withDefaults()
	if err != nil {
		return fmt.Errorf("stopping clickhouse: %w", err)
	}
	pid, ok := livePID(o)
	if !ok {
		_ = os.Remove(o.pidPath())
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stopping clickhouse: signalling pid %d: %w", pid, err)
	}
	o.Logger.Info("clickhouse stopping", "pid", pid)
	deadline := time.Now().Add(o.StopTimeout)
	for alive(pid) {
		if time.Now().After(deadline) {
			o.Logger.Warn("clickhouse did not stop after SIGTERM, killing", "pid", pid, "timeout", o.StopTimeout)
			_ = syscall.Kill(pid, syscall.SIGKILL)
			deadline = time.Now().Add(10 * time.Second)
			for alive(pid) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopping clickhouse: pid %d: %w", pid, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if alive(pid) {
		return fmt.Errorf("stopping clickhouse: pid %d survived SIGKILL", pid)
	}
	_ = os.Remove(o.pidPath())
	return nil
}

// State describes a local server as seen by Status.
type State struct {
	Addr    string
	PID     int    // 0 if no live process is named by the pid file
	Running bool   // a process is named by the pid file and alive
	Ready   bool   // the address answers a native-protocol ping
	Version string // server version when Ready
}

// Status reports whether the server of opts.DataDir runs and answers. Not running is not an error.
func Status(ctx context.Context, opts Options) (State, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return State{}, fmt.Errorf("clickhouse status: %w", err)
	}
	st := State{Addr: o.Addr()}
	if pid, ok := livePID(o); ok {
		st.PID, st.Running = pid, true
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr: []string{o.Addr()}, DialTimeout: time.Second, ReadTimeout: 5 * time.Second,
	})
	if err != nil {
		return st, nil
	}
	defer conn.Close()
	if conn.Ping(ctx) == nil {
		st.Ready = true
		if v, err := conn.ServerVersion(); err == nil {
			st.Version = v.Version.String()
		}
	}
	return st, nil
}

func writePID(path string, pid int) error {
	if err := writeIfChanged(path, []byte(strconv.Itoa(pid)+"\n")); err != nil {
		return fmt.Errorf("writing pid file: %w", err)
	}
	return nil
}

// livePID returns the pid from the pid file if that process is alive and is a ClickHouse
// server: after a reboot the number may belong to something else.
func livePID(o Options) (int, bool) {
	b, err := os.ReadFile(o.pidPath())
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || !alive(pid) {
		return 0, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte("clickhouse")) {
		return 0, false
	}
	return pid, true
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// Format: pid (comm) state ...; comm may contain spaces and parentheses.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// lockFile takes an exclusive flock on path, polling so that ctx can cancel the wait.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for %s: %w", path, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// tail returns the last n lines of a file, or a note why it cannot.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
