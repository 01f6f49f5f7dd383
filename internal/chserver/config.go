// Package chserver runs a local clickhouse-server process for hotline: the embedded default
// behind `hotline run` (supervised child) and the server that scripts and tests use (detached
// daemon). It writes its own config under a data directory so that it never touches
// /etc/clickhouse-server or the system service, and it listens on loopback only.
//
// The config targets ClickHouse 18.16 (what Debian ships) and stays valid for current releases.
package chserver

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"text/template"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/atomicfile"
)

// Defaults for Options. The ports are not ClickHouse's usual 9000/8123 so that a system
// clickhouse-server (the Debian service) and this one can run side by side.
const (
	DefaultDataDir  = "var/clickhouse"
	DefaultTCPPort  = 19000
	DefaultHTTPPort = 18123
)

// Options configures a local ClickHouse server. The zero value is usable.
type Options struct {
	// DataDir holds config, data, logs and the pid file. Relative paths are resolved against
	// the working directory. Default DefaultDataDir.
	DataDir string
	// TCPPort is the native-protocol port on 127.0.0.1. Default DefaultTCPPort.
	TCPPort int
	// HTTPPort is the HTTP interface port on 127.0.0.1. Default DefaultHTTPPort.
	HTTPPort int
	// Binary is the server executable. Default: clickhouse-server from PATH, /usr/sbin or
	// /usr/bin, else `clickhouse server`.
	Binary string
	// Detached starts a daemon that outlives the caller (scripts, tests). Otherwise the server
	// is a child supervised until the context passed to Start ends (`hotline run`).
	Detached bool
	// ReadyTimeout bounds how long Start waits for the server to answer. Default 60s.
	ReadyTimeout time.Duration
	// StopTimeout is how long Stop waits after SIGTERM before SIGKILL. Default 30s.
	StopTimeout time.Duration
	// Logger receives lifecycle messages. Default slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.DataDir == "" {
		o.DataDir = DefaultDataDir
	}
	abs, err := filepath.Abs(o.DataDir)
	if err != nil {
		return o, fmt.Errorf("resolving data dir %q: %w", o.DataDir, err)
	}
	o.DataDir = abs
	if o.TCPPort == 0 {
		o.TCPPort = DefaultTCPPort
	}
	if o.HTTPPort == 0 {
		o.HTTPPort = DefaultHTTPPort
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	if o.StopTimeout == 0 {
		o.StopTimeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, o.Validate()
}

// Validate reports option values that cannot work.
func (o Options) Validate() error {
	for _, p := range []struct {
		name string
		v    int
	}{{"tcp port", o.TCPPort}, {"http port", o.HTTPPort}} {
		if p.v < 0 || p.v > 65535 {
			return fmt.Errorf("%s must be between 1 and 65535, got %d", p.name, p.v)
		}
	}
	if o.TCPPort != 0 && o.TCPPort == o.HTTPPort {
		return fmt.Errorf("tcp port and http port must differ, both are %d", o.TCPPort)
	}
	return nil
}

// Addr is the native-protocol address the server listens on.
func (o Options) Addr() string {
	port := o.TCPPort
	if port == 0 {
		port = DefaultTCPPort
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// Paths inside the data dir.
func (o Options) configPath() string { return filepath.Join(o.DataDir, "config.xml") }
func (o Options) usersPath() string  { return filepath.Join(o.DataDir, "users.xml") }
func (o Options) pidPath() string    { return filepath.Join(o.DataDir, "clickhouse-server.pid") }
func (o Options) lockPath() string   { return filepath.Join(o.DataDir, "start.lock") }
func (o Options) logDir() string     { return filepath.Join(o.DataDir, "log") }
func (o Options) errLogPath() string { return filepath.Join(o.logDir(), "clickhouse-server.err.log") }
func (o Options) stdoutPath() string { return filepath.Join(o.logDir(), "stdout.log") }

// ErrBinaryNotFound means no clickhouse-server executable was found.
var ErrBinaryNotFound = errors.New("clickhouse-server not found: install the Debian packages with " +
	"scripts/deps.sh (apt-get install clickhouse-server clickhouse-client)")

// command returns the executable and the arguments that precede --config-file.
func (o Options) command() (string, []string, error) {
	if o.Binary != "" {
		return o.Binary, nil, nil
	}
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, nil, nil
	}
	// Debian installs it in /usr/sbin, which is not on a normal user's PATH.
	for _, p := range []string{"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil, nil
		}
	}
	// Upstream packages ship one multi-call binary.
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return p, []string{"server"}, nil
	}
	return "", nil, ErrBinaryNotFound
}

// configTmpl is the server config. Notes for 18.16:
//   - every path must be absolute and end with a slash, or files land next to it;
//   - no interserver_http_port, so nothing listens beyond the two loopback ports;
//   - only 127.0.0.1 in listen_host: 18.16 refuses to start if one listen_host cannot be bound,
//     and CI containers often have no IPv6 loopback;
//   - caches are far below the defaults (5 GiB mark cache, 8 GiB uncompressed) because this
//     runs on 2-core CI machines next to a JVM;
//   - timezone is pinned to UTC so that hourly and daily rollups do not depend on the host.
var configTmpl = template.Must(template.New("config.xml").Parse(`<?xml version="1.0"?>
<!-- Written by hotline (internal/chserver); rewritten on every start, do not edit. -->
<yandex>
    <logger>
        <level>information</level>
        <log>{{.LogDir}}/clickhouse-server.log</log>
        <errorlog>{{.LogDir}}/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{{.TCPPort}}</tcp_port>
    <http_port>{{.HTTPPort}}</http_port>
    <max_connections>1024</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>134217728</mark_cache_size>
    <path>{{.DataDir}}/data/</path>
    <tmp_path>{{.DataDir}}/tmp/</tmp_path>
    <user_files_path>{{.DataDir}}/user_files/</user_files_path>
    <format_schema_path>{{.DataDir}}/format_schemas/</format_schema_path>
    <users_config>{{.UsersPath}}</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
    <max_table_size_to_drop>0</max_table_size_to_drop>
    <max_partition_size_to_drop>0</max_partition_size_to_drop>
</yandex>
`))

// usersXML: user default, no password, loopback only. max_memory_usage is per query.
const usersXML = `<?xml version="1.0"?>
<!-- Written by hotline (internal/chserver); rewritten on every start, do not edit. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
`

// writeConfig creates the directory tree and writes config.xml and users.xml.
func writeConfig(o Options) error {
	for _, d := range []string{o.DataDir, o.logDir(), filepath.Join(o.DataDir, "data"),
		filepath.Join(o.DataDir, "tmp"), filepath.Join(o.DataDir, "user_files"),
		filepath.Join(o.DataDir, "format_schemas")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	var buf bytes.Buffer
	err := configTmpl.Execute(&buf, map[string]any{
		"DataDir":   o.DataDir,
		"LogDir":    o.logDir(),
		"UsersPath": o.usersPath(),
		"TCPPort":   o.TCPPort,
		"HTTPPort":  o.HTTPPort,
	})
	if err != nil {
		return fmt.Errorf("rendering config.xml: %w", err)
	}
	if err := writeIfChanged(o.configPath(), buf.Bytes()); err != nil {
		return err
	}
	return writeIfChanged(o.usersPath(), []byte(usersXML))
}

// writeIfChanged leaves an identical file alone: a running server watches its config files
// and would reload them on every touch.
func writeIfChanged(path string, content []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
		return nil
	}
	return atomicfile.Write(path, content, 0o644)
}
