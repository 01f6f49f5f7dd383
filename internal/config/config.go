// Package config is the configuration of the hotline binary: one struct, filled from defaults,
// an optional YAML file, environment variables and flags, in that order of precedence.
//
// Every setting is declared once, as a struct field whose tags give its YAML key, its
// environment variable, optionally a flag, and a one-line help text. Loading, error messages
// and the help text are all derived from those tags, so adding a section is: a struct type with
// tagged fields, a field of that type in Config, its defaults in Default, and a line in Validate.
package config

import (
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/retention"
)

// Config is everything the hotline binary needs to start. The zero value is not useful; start
// from Default or Load.
type Config struct {
	// Tenant is the call centre / branch code stamped on every event the process produces.
	Tenant string `yaml:"tenant" env:"HOTLINE_TENANT" flag:"tenant" help:"call centre / branch code stamped on events"`
	// DataDir is the directory (relative to the working directory or absolute) for local state:
	// the embedded ClickHouse data, recordings, and anything else a part keeps on disk.
	DataDir string `yaml:"data_dir" env:"HOTLINE_DATA_DIR" flag:"data-dir" help:"directory for local state (ClickHouse data, recordings)"`

	Kafka      Kafka      `yaml:"kafka"`
	ClickHouse ClickHouse `yaml:"clickhouse"`
	Ingest     Ingest     `yaml:"ingest"`
	HTTP       HTTP       `yaml:"http"`
	Accounts   Accounts   `yaml:"accounts"`
	Telephony  Telephony  `yaml:"telephony"`
	// Analytics are the KPI definitions' settings (thresholds, variants, windows, holiday
	// calendar, segmentation cut-offs); package analytics declares, defaults and checks them.
	Analytics analytics.Settings `yaml:"analytics"`
	// CallingFloors are the regulator's calling rules no campaign may relax; only this section,
	// deployed by an administrator, changes them (`hotline run` logs every change at start-up).
	CallingFloors dialer.Floors `yaml:"calling_floors"`
	// Retention is how long recordings and personal data are kept; package retention declares
	// the settings, their defaults and legal floors.
	Retention retention.Policy `yaml:"retention"`
	Privacy   Privacy          `yaml:"privacy"`
}

// Privacy says who may see personal data unmasked.
type Privacy struct {
	// ExportRoles may export full phone numbers (e.g. a segment's customers), each export with a
	// reason and audited. Empty: nobody; the dialer gets full numbers inside the server.
	ExportRoles []string `yaml:"export_roles" env:"HOTLINE_PRIVACY_EXPORT_ROLES" help:"comma-separated roles that may export full phone numbers, with a reason, audited (default none)"`
}

// Kafka says where the event log lives.
type Kafka struct {
	// Brokers are seed brokers as host:port. Empty means: start the embedded in-process broker.
	Brokers []string `yaml:"brokers" env:"HOTLINE_KAFKA_BROKERS" flag:"kafka-brokers" help:"comma-separated host:port seed brokers; empty starts the embedded broker"`
	// TopicPrefix is prepended to every topic name ("hotline." gives "hotline.calls").
	TopicPrefix string `yaml:"topic_prefix" env:"HOTLINE_TOPIC_PREFIX" flag:"topic-prefix" help:"prefix of every topic name"`
	// Partitions is the partition count used when hotline creates its topics (count, >= 1).
	Partitions int `yaml:"partitions" env:"HOTLINE_KAFKA_PARTITIONS" help:"partitions per topic when hotline creates topics"`
	// EmbeddedPort is the loopback port (0..65535, 0 = any free one) of the embedded broker
	// started when Brokers is empty.
	EmbeddedPort int `yaml:"embedded_port" env:"HOTLINE_KAFKA_EMBEDDED_PORT" help:"loopback port of the embedded broker started when no brokers are set (0: any free port)"`
}

// ClickHouse says where the analysis store lives.
type ClickHouse struct {
	// Addr is the native-protocol address host:port. Empty means: start and supervise a local
	// clickhouse-server with its data under DataDir.
	Addr string `yaml:"addr" env:"HOTLINE_CLICKHOUSE_ADDR" flag:"clickhouse-addr" help:"native-protocol host:port; empty starts a local clickhouse-server"`
	// Database is the database hotline's tables live in.
	Database string `yaml:"database" env:"HOTLINE_CLICKHOUSE_DATABASE" help:"database holding hotline's tables"`
	// User is the ClickHouse user name.
	User string `yaml:"user" env:"HOTLINE_CLICKHOUSE_USER" help:"ClickHouse user"`
	// Password is the ClickHouse password; never logged or shown in help (see Redacted).
	Password string `yaml:"password" env:"HOTLINE_CLICKHOUSE_PASSWORD" help:"ClickHouse password" secret:"true"`
	// LocalTCPPort is the loopback TCP port (1..65535) of the local server started when Addr is empty.
	LocalTCPPort int `yaml:"local_tcp_port" env:"HOTLINE_CLICKHOUSE_LOCAL_TCP_PORT" help:"native port of the local clickhouse-server started when addr is empty"`
}

// Ingest tunes the Kafka → ClickHouse writer.
type Ingest struct {
	// GroupID is the Kafka consumer group of the ingest writers.
	GroupID string `yaml:"group_id" env:"HOTLINE_INGEST_GROUP" help:"Kafka consumer group of the ingest writers"`
	// BatchSize is the most rows per ClickHouse insert (rows, 1..1000000); a batch flushes when
	// it reaches this size or FlushInterval passes, whichever comes first.
	BatchSize int `yaml:"batch_size" env:"HOTLINE_INGEST_BATCH_SIZE" help:"rows per ClickHouse insert (1..1000000)"`
	// FlushInterval is the longest a row waits in a batch before it is inserted (> 0), once
	// ingest has caught up; while it works off a backlog, batches fill up for up to 10 times it.
	FlushInterval time.Duration `yaml:"flush_interval" env:"HOTLINE_INGEST_FLUSH_INTERVAL" help:"longest a row waits before its batch is inserted (10x while working off a backlog)"`
}

// HTTP configures the one HTTP server all parts mount their endpoints on.
type HTTP struct {
	// Addr is the listen address host:port; an empty host listens on all interfaces.
	Addr string `yaml:"addr" env:"HOTLINE_HTTP_ADDR" flag:"http-addr" help:"HTTP listen address host:port"`
	// TokensFile is an optional YAML file of API tokens (tokens: [{token, user, role, agent_id,
	// tenant, expires}]). When set, `hotline run` creates no demo users or tokens.
	TokensFile string `yaml:"tokens_file" env:"HOTLINE_TOKENS_FILE" help:"YAML file of API tokens (token, user, role, agent_id, tenant, expires); when set, no demo accounts"`
	// TLSCert and TLSKey are PEM files of the server's certificate (chain) and private key; with
	// both set the server speaks only HTTPS and session cookies are Secure.
	TLSCert string `yaml:"tls_cert" env:"HOTLINE_TLS_CERT" help:"PEM certificate (chain) file: serve HTTPS (with tls_key)"`
	TLSKey  string `yaml:"tls_key" env:"HOTLINE_TLS_KEY" help:"PEM private key file of tls_cert" secret:"true"`
	// MaxConnections bounds the connections open at once, WebSockets included (1..100000).
	MaxConnections int `yaml:"max_connections" env:"HOTLINE_HTTP_MAX_CONNECTIONS" help:"most HTTP connections open at once, WebSockets included"`
	// RateLimit is the requests a second each user (or client address, without a token) may make
	// on average, RateBurst the burst above it; 0 turns the limit off.
	RateLimit float64 `yaml:"rate_limit" env:"HOTLINE_HTTP_RATE_LIMIT" help:"requests a second per user or client address (0: no limit)"`
	RateBurst int     `yaml:"rate_burst" env:"HOTLINE_HTTP_RATE_BURST" help:"requests a user or client address may make in a burst above rate_limit"`
}

// Accounts configures people's sessions and the lockout after wrong passwords.
type Accounts struct {
	// SessionIdle ends a session unused for this long (>= 1m).
	SessionIdle time.Duration `yaml:"session_idle" env:"HOTLINE_SESSION_IDLE" help:"a session unused this long ends (>= 1m)"`
	// SessionMax ends a session this long after sign-in (>= session_idle).
	SessionMax time.Duration `yaml:"session_max" env:"HOTLINE_SESSION_MAX" help:"a session ends this long after sign-in (>= session_idle)"`
	// LockoutFailures wrong passwords in a row lock the account (1..100) for LockoutFor (1m..24h).
	LockoutFailures int           `yaml:"lockout_failures" env:"HOTLINE_LOCKOUT_FAILURES" help:"wrong passwords in a row that lock an account (1..100)"`
	LockoutFor      time.Duration `yaml:"lockout_for" env:"HOTLINE_LOCKOUT_FOR" help:"how long a locked account stays locked (1m..24h)"`
}

// Telephony says whether calls are simulated or real, and how hotline speaks SIP when they are
// real (package telephony; docs/telephony.md).
type Telephony struct {
	// Mode is "sim" (the simulator plays callers and agents' phones) or "sip" (real calls).
	Mode string `yaml:"mode" env:"HOTLINE_TELEPHONY_MODE" flag:"telephony" help:"sim (simulated calls) or sip (real calls over SIP)"`
	// UDP and TCP are the SIP listen addresses host:port; empty turns the transport off (one is needed).
	UDP string `yaml:"udp" env:"HOTLINE_SIP_UDP" help:"SIP over UDP listen address host:port (empty: off)"`
	TCP string `yaml:"tcp" env:"HOTLINE_SIP_TCP" help:"SIP over TCP listen address host:port (empty: off)"`
	// PublicAddr is the IP address phones and the trunk reach hotline at, written in Contact and
	// SDP; empty takes the listen address (which must then not be 0.0.0.0).
	PublicAddr string `yaml:"public_addr" env:"HOTLINE_SIP_PUBLIC_ADDR" help:"IP address written in SIP Contact and SDP (empty: the listen address)"`
	// Realm is the digest authentication realm phones register in.
	Realm string `yaml:"realm" env:"HOTLINE_SIP_REALM" help:"SIP digest authentication realm"`
	// RTPPortMin..RTPPortMax is the UDP port range for media (1024..65535, at least 2 ports).
	RTPPortMin int `yaml:"rtp_port_min" env:"HOTLINE_RTP_PORT_MIN" help:"lowest UDP port for RTP media"`
	RTPPortMax int `yaml:"rtp_port_max" env:"HOTLINE_RTP_PORT_MAX" help:"highest UDP port for RTP media"`
	// AgentsFile is a YAML file of the agents' phones: agent id, extension, SIP user and password.
	AgentsFile string `yaml:"agents_file" env:"HOTLINE_SIP_AGENTS_FILE" help:"YAML file of agents' SIP phones (agent_id, extension, username, password); required in sip mode"`
	// TrunkAddrs are the IP addresses or CIDR ranges of the carrier's trunk: INVITEs from them
	// need no authentication. Everything else must authenticate as an agent's phone.
	TrunkAddrs []string `yaml:"trunk_addrs" env:"HOTLINE_SIP_TRUNK_ADDRS" help:"comma-separated IPs or CIDRs of the carrier trunk, allowed to send calls in"`
	// PromptsDir holds the IVR prompts as <menu node id>.wav and hold.wav (8 kHz mono 16-bit
	// PCM); a node without a file gets the default prompt built from SoundsDir.
	PromptsDir string `yaml:"prompts_dir" env:"HOTLINE_SIP_PROMPTS_DIR" help:"directory of IVR prompts <node id>.wav and hold.wav (8 kHz mono 16-bit)"`
	// SoundsDir is the directory of Debian's asterisk-core-sounds-en-wav, which the default prompts are built from.
	SoundsDir string `yaml:"sounds_dir" env:"HOTLINE_SIP_SOUNDS_DIR" help:"asterisk-core-sounds-en-wav directory the default prompts come from"`
	// RateLimit is how many SIP requests per second one source address may send (burst twice
	// that); requests beyond it are dropped, so scanners and floods cost almost nothing.
	RateLimit int `yaml:"rate_limit" env:"HOTLINE_SIP_RATE_LIMIT" help:"SIP requests per second one source address may send (1..10000)"`
}

// Default returns the configuration used when nothing else is given: embedded broker, local
// ClickHouse, HTTP on loopback.
func Default() Config {
	return Config{
		Tenant:  "HQ",
		DataDir: "var",
		Kafka: Kafka{
			TopicPrefix:  "hotline.",
			Partitions:   4,
			EmbeddedPort: 29092,
		},
		ClickHouse: ClickHouse{
			Database:     "hotline",
			User:         "default",
			LocalTCPPort: 19000,
		},
		Ingest: Ingest{
			GroupID:       "hotline-ingest",
			BatchSize:     50000,
			FlushInterval: time.Second,
		},
		HTTP: HTTP{
			Addr:           "127.0.0.1:8080",
			MaxConnections: 1024,
			RateLimit:      50,
			RateBurst:      200,
		},
		Accounts: Accounts{
			SessionIdle:     30 * time.Minute,
			SessionMax:      12 * time.Hour,
			LockoutFailures: 5,
			LockoutFor:      15 * time.Minute,
		},
		Telephony: Telephony{
			Mode:       "sim",
			UDP:        "0.0.0.0:5060",
			TCP:        "0.0.0.0:5060",
			Realm:      "hotline",
			RTPPortMin: 20000,
			RTPPortMax: 29999,
			SoundsDir:  "/usr/share/asterisk/sounds/en_US_f_Allison",
			RateLimit:  20,
		},
		Analytics:     analytics.DefaultSettings(),
		CallingFloors: dialer.DefaultFloors(),
		Retention:     retention.DefaultPolicy(),
	}
}

// Redacted returns a copy safe to log: secrets are replaced by "***" when set.
func (c Config) Redacted() Config {
	if c.ClickHouse.Password != "" {
		c.ClickHouse.Password = "***"
	}
	return c
}
