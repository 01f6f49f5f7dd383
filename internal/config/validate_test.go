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
