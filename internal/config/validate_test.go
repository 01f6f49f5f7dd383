package config

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(c *Config)
		want   string // "" for valid
	}{
		{"defaults", func(c *Config) {}, ""},
		{"listen on all interfaces", func(c *Config) { c.HTTP.Addr = ":8080" }, ""},
		{"IPv6 broker", func(c *Config) { c.Kafka.Brokers = []string{"[::1]:9092"} }, ""},
		{"empty prefix", func(c *Config) { c.Kafka.TopicPrefix = "" }, ""},
		{"empty tenant", func(c *Config) { c.Tenant = "" }, `config: tenant: must not be empty`},
		{"broker without host", func(c *Config) { c.Kafka.Brokers = []string{":9092"} }, `config: kafka.brokers: entry 1: ":9092" has no host`},
		{"broker port out of range", func(c *Config) { c.Kafka.Brokers = []string{"k:70000"} }, `config: kafka.brokers: entry 1: "k:70000": port "70000" is not a number in 0..65535`},
		{"prefix with slash", func(c *Config) { c.Kafka.TopicPrefix = "a/b" }, `config: kafka.topic_prefix: "a/b" may only contain`},
		{"zero partitions", func(c *Config) { c.Kafka.Partitions = 0 }, `config: kafka.partitions: 0 must be at least 1`},
		{"clickhouse addr", func(c *Config) { c.ClickHouse.Addr = "clickhouse" }, `config: clickhouse.addr: "clickhouse" is not host:port`},
		{"empty database", func(c *Config) { c.ClickHouse.Database = "" }, `config: clickhouse.database: must not be empty`},
		{"negative flush", func(c *Config) { c.Ingest.FlushInterval = -1 }, `config: ingest.flush_interval: -1ns must be greater than 0`},
		{"empty group", func(c *Config) { c.Ingest.GroupID = "" }, `config: ingest.group_id: must not be empty`},
		{"http addr", func(c *Config) { c.HTTP.Addr = "" }, `config: http.addr: "" is not host:port`},
		{"tls cert without key", func(c *Config) { c.HTTP.TLSCert = "cert.pem" }, `config: http.tls_cert: tls_cert and tls_key go together`},
		{"short session", func(c *Config) { c.Accounts.SessionIdle = 0 }, `config: accounts.session_idle: 0s is shorter than a minute`},
		{"session max below idle", func(c *Config) { c.Accounts.SessionMax = 10 * time.Minute }, `config: accounts.session_max: 10m0s is shorter than session_idle (30m0s)`},
		{"no lockout", func(c *Config) { c.Accounts.LockoutFailures = 0 }, `config: accounts.lockout_failures: 0 is out of range 1..100`},
		{"endless lockout", func(c *Config) { c.Accounts.LockoutFor = 48 * time.Hour }, `config: accounts.lockout_for: 48h0m0s is not between 1m and 24h`},
		{"unknown telephony mode", func(c *Config) { c.Telephony.Mode = "pstn" }, `config: telephony.mode: "pstn" is not sim or sip`},
		{"sim ignores sip settings", func(c *Config) { c.Telephony.RTPPortMin = 5 }, ""},
		{"sip", sip(nil), ""},
		{"sip without agents", sip(func(t *Telephony) { t.AgentsFile = "" }), `config: telephony.agents_file: must be set in sip mode`},
		{"sip on all interfaces without public address", sip(func(t *Telephony) { t.PublicAddr = "" }), `config: telephony.public_addr: must be set when a listen address is 0.0.0.0`},
		{"sip public address not an IP", sip(func(t *Telephony) { t.PublicAddr = "pbx.example" }), `config: telephony.public_addr: "pbx.example" is not a reachable IP address`},
		{"sip no transport", sip(func(t *Telephony) { t.UDP, t.TCP = "", "" }), `config: telephony.udp: udp and tcp are both empty`},
		{"sip udp host name", sip(func(t *Telephony) { t.UDP = "pbx:5060" }), `config: telephony.udp: "pbx:5060": host "pbx" is not an IP address`},
		{"sip tcp not host:port", sip(func(t *Telephony) { t.TCP = "5060" }), `config: telephony.tcp: "5060" is not host:port`},
		{"rtp range inverted", sip(func(t *Telephony) { t.RTPPortMax = 19000 }), `config: telephony.rtp_port_max: 19000 leaves no room above rtp_port_min 20000`},
		{"rtp privileged port", sip(func(t *Telephony) { t.RTPPortMin = 80 }), `config: telephony.rtp_port_min: 80 is out of range 1024..65535`},
		{"trunk address", sip(func(t *Telephony) { t.TrunkAddrs = []string{"10.0.0.0/8", "carrier"} }), `config: telephony.trunk_addrs: entry 2: "carrier" is not an IP address or CIDR range`},
		{"no rate limit", sip(func(t *Telephony) { t.RateLimit = 0 }), `config: telephony.rate_limit: 0 is out of range 1..10000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.modify(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v, want no error", err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate succeeded, want %q", tt.want)
			case tt.want != "" && !strings.HasPrefix(err.Error(), tt.want):
				t.Errorf("Validate:\n got %v\nwant prefix %s", err, tt.want)
			}
		})
	}
}

func TestRedacted(t *testing.T) {
	c := Default()
	c.ClickHouse.Password = "s3cret"
	if got := c.Redacted().ClickHouse.Password; got != "***" {
		t.Errorf("Redacted password = %q", got)
	}
	if c.ClickHouse.Password != "s3cret" {
		t.Error("Redacted modified its receiver")
	}
}

// sip turns the defaults into a working sip mode, then applies f.
func sip(f func(t *Telephony)) func(c *Config) {
	return func(c *Config) {
		c.Telephony.Mode = "sip"
		c.Telephony.PublicAddr = "192.0.2.7"
		c.Telephony.AgentsFile = "agents.yaml"
		if f != nil {
			f(&c.Telephony)
		}
	}
}
