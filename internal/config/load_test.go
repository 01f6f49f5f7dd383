package config

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/retention"
)

// load runs Load the way a subcommand does: register, parse args, load with a fake environment.
func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parsing flags %v: %v", args, err)
	}
	return Load(f, func(k string) string { return env[k] })
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(c *Config) // edits Default() into the expected result
	}{
		{
			name: "defaults",
			want: func(c *Config) {},
		},
		{
			name: "empty file",
			args: []string{"--config", "testdata/empty.yaml"},
			want: func(c *Config) {},
		},
		{
			name: "file of comments only",
			env:  map[string]string{"HOTLINE_CONFIG": "testdata/comments_only.yaml"},
			want: func(c *Config) {},
		},
		{
			name: "full file",
			args: []string{"--config", "testdata/full.yaml"},
			want: func(c *Config) {
				*c = Config{
					Tenant:     "SH01",
					DataDir:    "/var/lib/hotline",
					Kafka:      Kafka{Brokers: []string{"kafka1:9092", "kafka2:9092"}, TopicPrefix: "prod.hotline.", Partitions: 12, EmbeddedPort: 29093},
					ClickHouse: ClickHouse{Addr: "clickhouse1:9000", Database: "hotline_prod", User: "hotline", Password: "s3cret", LocalTCPPort: 19001},
					Ingest:     Ingest{GroupID: "hotline-ingest-prod", BatchSize: 100000, FlushInterval: 2 * time.Second},
					HTTP:       HTTP{Addr: "0.0.0.0:8443", TokensFile: "/etc/hotline/tokens.yaml", TLSCert: "/etc/hotline/tls/cert.pem", TLSKey: "/etc/hotline/tls/key.pem", MaxConnections: 2000, RateLimit: 20.5, RateBurst: 100},
					Accounts:   Accounts{SessionIdle: 20 * time.Minute, SessionMax: 10 * time.Hour, LockoutFailures: 3, LockoutFor: 30 * time.Minute},
					Telephony: Telephony{Mode: "sip", UDP: "10.1.2.3:5060", PublicAddr: "203.0.113.10", Realm: "sh01.hotline", RTPPortMin: 30000, RTPPortMax: 30999,
						AgentsFile: "/etc/hotline/phones.yaml", TrunkAddrs: []string{"198.51.100.0/28", "198.51.100.77"}, PromptsDir: "/etc/hotline/prompts",
						SoundsDir: "/usr/share/asterisk/sounds/en", RateLimit: 50},
					Analytics: analytics.Settings{SLThresholdSec: 30, ShortAbandonSec: 3, SLVariant: "all_abandons", ShortAbandon: "include",
						FCRWindow: 48 * time.Hour, CallbackWindow: 48 * time.Hour, FirstAttemptLimit: 12 * time.Hour, FeedbackWindow: 24 * time.Hour,
						Calendar:          analytics.Calendar{Holidays: []string{"2026-10-01", "2026-10-02"}, Workdays: []string{"2026-10-10"}},
						ComplaintWorkdays: 5,
						Segments: analytics.SegmentSettings{SatisfactionCut: 65, LoyaltyCut: 55.5, UseMedians: true, LookbackDays: 180,
							NeutralSatisfaction: 50, FrequentClaims: 4, HighLossRatio: 1.2}},
					CallingFloors: dialer.Floors{WindowStart: "08:30", WindowEnd: "20:00", PermittedDaysOnly: true, MarketingConsent: true,
						RefusalLockout: 8784 * time.Hour, AbandonLockout: 96 * time.Hour, AbandonCap: 0.02},
					Privacy: Privacy{ExportRoles: []string{"manager"}},
					Retention: retention.Policy{ServiceRecordings: 3 * retention.Year, SalesRecordings: 10 * retention.Year,
						PersonalData: 400 * retention.Day, AuditLog: 7 * retention.Year, CampaignContacts: 30 * retention.Day},
				}
			},
		},
		{
			name: "file path from env, brokers as a comma-separated string",
			env:  map[string]string{"HOTLINE_CONFIG": "testdata/partial.yaml"},
			want: func(c *Config) {
				c.Tenant = "BJ02"
				c.Kafka.Brokers = []string{"kafka1:9092", "kafka2:9092"}
				c.Ingest.BatchSize = 1000
			},
		},
		{
			name: "flag --config wins over HOTLINE_CONFIG",
			args: []string{"--config", "testdata/partial.yaml"},
			env:  map[string]string{"HOTLINE_CONFIG": "testdata/does-not-exist.yaml"},
			want: func(c *Config) {
				c.Tenant = "BJ02"
				c.Kafka.Brokers = []string{"kafka1:9092", "kafka2:9092"}
				c.Ingest.BatchSize = 1000
			},
		},
		{
			name: "env overrides file",
			args: []string{"--config", "testdata/partial.yaml"},
			env: map[string]string{
				"HOTLINE_TENANT":                "GZ03",
				"HOTLINE_KAFKA_BROKERS":         "k9:9092",
				"HOTLINE_INGEST_BATCH_SIZE":     "7",
				"HOTLINE_INGEST_FLUSH_INTERVAL": "250ms",
				"HOTLINE_KAFKA_PARTITIONS":      "2",
				"HOTLINE_CLICKHOUSE_PASSWORD":   "pw",
			},
			want: func(c *Config) {
				c.Tenant = "GZ03"
				c.Kafka.Brokers = []string{"k9:9092"}
				c.Kafka.Partitions = 2
				c.Ingest.BatchSize = 7
				c.Ingest.FlushInterval = 250 * time.Millisecond
				c.ClickHouse.Password = "pw"
			},
		},
		{
			name: "empty env var counts as unset",
			args: []string{"--config", "testdata/partial.yaml"},
			env:  map[string]string{"HOTLINE_TENANT": ""},
			want: func(c *Config) {
				c.Tenant = "BJ02"
				c.Kafka.Brokers = []string{"kafka1:9092", "kafka2:9092"}
				c.Ingest.BatchSize = 1000
			},
		},
		{
			name: "flags override env and file",
			args: []string{
				"--config", "testdata/full.yaml",
				"--tenant", "CD04",
				"--kafka-brokers", "a:1,b:2",
				"--clickhouse-addr", "ch:9000",
				"--topic-prefix", "t.",
				"--http-addr", ":9090",
				"--data-dir", "/tmp/h",
			},
			env: map[string]string{"HOTLINE_TENANT": "GZ03", "HOTLINE_HTTP_ADDR": "127.0.0.1:1"},
			want: func(c *Config) {
				*c = Config{
					Tenant:     "CD04",
					DataDir:    "/tmp/h",
					Kafka:      Kafka{Brokers: []string{"a:1", "b:2"}, TopicPrefix: "t.", Partitions: 12, EmbeddedPort: 29093},
					ClickHouse: ClickHouse{Addr: "ch:9000", Database: "hotline_prod", User: "hotline", Password: "s3cret", LocalTCPPort: 19001},
					Ingest:     Ingest{GroupID: "hotline-ingest-prod", BatchSize: 100000, FlushInterval: 2 * time.Second},
					HTTP:       HTTP{Addr: ":9090", TokensFile: "/etc/hotline/tokens.yaml", TLSCert: "/etc/hotline/tls/cert.pem", TLSKey: "/etc/hotline/tls/key.pem", MaxConnections: 2000, RateLimit: 20.5, RateBurst: 100},
					Accounts:   Accounts{SessionIdle: 20 * time.Minute, SessionMax: 10 * time.Hour, LockoutFailures: 3, LockoutFor: 30 * time.Minute},
					Telephony: Telephony{Mode: "sip", UDP: "10.1.2.3:5060", PublicAddr: "203.0.113.10", Realm: "sh01.hotline", RTPPortMin: 30000, RTPPortMax: 30999,
						AgentsFile: "/etc/hotline/phones.yaml", TrunkAddrs: []string{"198.51.100.0/28", "198.51.100.77"}, PromptsDir: "/etc/hotline/prompts",
						SoundsDir: "/usr/share/asterisk/sounds/en", RateLimit: 50},
					Analytics: analytics.Settings{SLThresholdSec: 30, ShortAbandonSec: 3, SLVariant: "all_abandons", ShortAbandon: "include",
						FCRWindow: 48 * time.Hour, CallbackWindow: 48 * time.Hour, FirstAttemptLimit: 12 * time.Hour, FeedbackWindow: 24 * time.Hour,
						Calendar:          analytics.Calendar{Holidays: []string{"2026-10-01", "2026-10-02"}, Workdays: []string{"2026-10-10"}},
						ComplaintWorkdays: 5,
						Segments: analytics.SegmentSettings{SatisfactionCut: 65, LoyaltyCut: 55.5, UseMedians: true, LookbackDays: 180,
							NeutralSatisfaction: 50, FrequentClaims: 4, HighLossRatio: 1.2}},
					CallingFloors: dialer.Floors{WindowStart: "08:30", WindowEnd: "20:00", PermittedDaysOnly: true, MarketingConsent: true,
						RefusalLockout: 8784 * time.Hour, AbandonLockout: 96 * time.Hour, AbandonCap: 0.02},
					Privacy: Privacy{ExportRoles: []string{"manager"}},
					Retention: retention.Policy{ServiceRecordings: 3 * retention.Year, SalesRecordings: 10 * retention.Year,
						PersonalData: 400 * retention.Day, AuditLog: 7 * retention.Year, CampaignContacts: 30 * retention.Day},
				}
			},
		},
		{
			name: "analytics settings from env",
			env:  map[string]string{"HOTLINE_ANALYTICS_SL_THRESHOLD_SEC": "15", "HOTLINE_ANALYTICS_HOLIDAYS": "2026-01-01, 2026-05-01", "HOTLINE_ANALYTICS_USE_MEDIANS": "true"},
			want: func(c *Config) {
				c.Analytics.SLThresholdSec = 15
				c.Analytics.Calendar.Holidays = []string{"2026-01-01", "2026-05-01"}
				c.Analytics.Segments.UseMedians = true
			},
		},
		{
			name: "retention periods from env, in days and years",
			env:  map[string]string{"HOTLINE_RETENTION_PERSONAL_DATA": "365d", "HOTLINE_RETENTION_SALES_RECORDINGS": "6y"},
			want: func(c *Config) {
				c.Retention.PersonalData = 365 * retention.Day
				c.Retention.SalesRecordings = 6 * retention.Year
			},
		},
		{
			name: "an unset flag does not hide env",
			args: []string{},
			env:  map[string]string{"HOTLINE_HTTP_ADDR": "127.0.0.1:9999"},
			want: func(c *Config) { c.HTTP.Addr = "127.0.0.1:9999" },
		},
		{
			name: "empty broker flag means embedded broker even when env has brokers",
			args: []string{"--kafka-brokers", ""},
			env:  map[string]string{"HOTLINE_KAFKA_BROKERS": "k:9092"},
			want: func(c *Config) { c.Kafka.Brokers = nil },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(t, tt.args, tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // each line of the error, in order
	}{
		{
			name: "env not an integer",
			env:  map[string]string{"HOTLINE_INGEST_BATCH_SIZE": "abc"},
			want: []string{`config: env HOTLINE_INGEST_BATCH_SIZE: "abc" is not an integer`},
		},
		{
			name: "env not a duration",
			env:  map[string]string{"HOTLINE_INGEST_FLUSH_INTERVAL": "5x"},
			want: []string{`config: env HOTLINE_INGEST_FLUSH_INTERVAL: "5x" is not a duration (e.g. "500ms", "2s", "90d", "5y")`},
		},
		{
			name: "env out of range",
			env:  map[string]string{"HOTLINE_INGEST_BATCH_SIZE": "2000000"},
			want: []string{`config: env HOTLINE_INGEST_BATCH_SIZE: 2000000 is out of range 1..1000000`},
		},
		{
			name: "env zero duration",
			env:  map[string]string{"HOTLINE_INGEST_FLUSH_INTERVAL": "0s"},
			want: []string{`config: env HOTLINE_INGEST_FLUSH_INTERVAL: 0s must be greater than 0 (e.g. "1s")`},
		},
		{
			name: "env bad broker",
			env:  map[string]string{"HOTLINE_KAFKA_BROKERS": "kafka1:9092,localhost"},
			want: []string{`config: env HOTLINE_KAFKA_BROKERS: entry 2: "localhost" is not host:port (e.g. "kafka1:9092")`},
		},
		{
			name: "file not a duration, with line",
			args: []string{"--config", "testdata/bad_duration.yaml"},
			want: []string{`config: testdata/bad_duration.yaml:3: ingest.flush_interval: "5x" is not a duration (e.g. "500ms", "2s", "90d", "5y")`},
		},
		{
			name: "file not an integer",
			args: []string{"--config", "testdata/bad_int.yaml"},
			want: []string{`config: testdata/bad_int.yaml:2: kafka.partitions: "four" is not an integer`},
		},
		{
			name: "file unknown key",
			args: []string{"--config", "testdata/unknown_key.yaml"},
			want: []string{`config: testdata/unknown_key.yaml:2: ingest.batchsize: unknown key (known keys here: batch_size, flush_interval, group_id)`},
		},
		{
			name: "file unknown section",
			args: []string{"--config", "testdata/unknown_section.yaml"},
			want: []string{`config: testdata/unknown_section.yaml:2: grafana: unknown key (known keys here: accounts, analytics, calling_floors, clickhouse, data_dir, http, ingest, kafka, privacy, retention, telephony, tenant)`},
		},
		{
			name: "file syntax error",
			args: []string{"--config", "testdata/bad_syntax.yaml"},
			want: []string{`config: testdata/bad_syntax.yaml:2: invalid YAML: did not find expected ',' or ']'`},
		},
		{
			name: "file section is not a mapping",
			args: []string{"--config", "testdata/not_mapping.yaml"},
			want: []string{`config: testdata/not_mapping.yaml:1: kafka: expected a mapping of keys, got "kafka1:9092"`},
		},
		{
			name: "file duplicate key",
			args: []string{"--config", "testdata/duplicate_key.yaml"},
			want: []string{`config: testdata/duplicate_key.yaml:2: tenant: set twice in the same mapping`},
		},
		{
			name: "file missing",
			env:  map[string]string{"HOTLINE_CONFIG": "testdata/does-not-exist.yaml"},
			want: []string{`config: testdata/does-not-exist.yaml: reading config file: open testdata/does-not-exist.yaml: no such file or directory`},
		},
		{
			name: "file validation errors, all reported with their lines",
			args: []string{"--config", "testdata/bad_values.yaml"},
			want: []string{
				`config: testdata/bad_values.yaml:1: tenant: must not be empty: it is stamped on every event (e.g. "HQ")`,
				`config: testdata/bad_values.yaml:4: kafka.brokers: entry 2: "localhost" is not host:port (e.g. "kafka1:9092")`,
				`config: testdata/bad_values.yaml:6: kafka.topic_prefix: "hot line/" may only contain letters, digits, '.', '_' and '-' (Kafka topic name characters)`,
				`config: testdata/bad_values.yaml:8: ingest.batch_size: 0 is out of range 1..1000000`,
			},
		},
		{
			name: "calling floors name the line, the field and the problem",
			args: []string{"--config", "testdata/bad_floors.yaml"},
			want: []string{
				`config: testdata/bad_floors.yaml:2: calling_floors.window_start: "9am" is not a time of day like 09:00`,
				`config: testdata/bad_floors.yaml:3: calling_floors.abandon_cap: 2 is not in (0, 1]`,
				`config: testdata/bad_floors.yaml:5: privacy.export_roles: entry 2: unknown role "root" (want one of admin, manager, qa, marketer, agent, auditor)`,
			},
		},
		{
			name: "NaN and infinities are no numbers",
			args: []string{"--config", "testdata/bad_nan.yaml"},
			want: []string{
				`config: testdata/bad_nan.yaml:2: calling_floors.abandon_cap: "NaN" is not a number`,
				`config: testdata/bad_nan.yaml:5: analytics.segments.loyalty_cut: "-Inf" is not a number`,
			},
		},
		{
			name: "file analytics errors name the line, the field and the problem",
			args: []string{"--config", "testdata/bad_analytics.yaml"},
			want: []string{
				`config: testdata/bad_analytics.yaml:2: analytics.sl_variant: "eighty_twenty" is not one of [abandons_against ignore_abandons all_abandons abandons_within_good]`,
				`config: testdata/bad_analytics.yaml:3: analytics.fcr_window: 30m0s is shorter than an hour`,
				`config: testdata/bad_analytics.yaml:5: analytics.calendar.holidays: entry 2: "1 Oct" is not a date YYYY-MM-DD`,
				`config: testdata/bad_analytics.yaml:7: analytics.segments.loyalty_cut: 150 is not in 0..100`,
			},
		},
		{
			name: "env analytics value checked by analytics",
			env:  map[string]string{"HOTLINE_ANALYTICS_SHORT_ABANDON_SEC": "25"},
			want: []string{`config: env HOTLINE_ANALYTICS_SHORT_ABANDON_SEC: 25 is not in 0..sl_threshold_sec (20)`},
		},
		{
			name: "file analytics value of the wrong type",
			args: []string{"--config", "testdata/bad_int.yaml"},
			env:  map[string]string{"HOTLINE_ANALYTICS_COMPLAINT_WORKDAYS": "seven"},
			want: []string{
				`config: testdata/bad_int.yaml:2: kafka.partitions: "four" is not an integer`,
				`config: env HOTLINE_ANALYTICS_COMPLAINT_WORKDAYS: "seven" is not an integer`,
			},
		},
		{
			name: "flag bad address",
			args: []string{"--http-addr", "localhost"},
			want: []string{`config: flag --http-addr: "localhost" is not host:port (e.g. "127.0.0.1:8080")`},
		},
		{
			name: "flag bad port",
			args: []string{"--clickhouse-addr", "ch:ninety"},
			want: []string{`config: flag --clickhouse-addr: "ch:ninety": port "ninety" is not a number in 0..65535`},
		},
		{
			name: "flag empty tenant",
			args: []string{"--tenant", " "},
			want: []string{`config: flag --tenant: must not be empty: it is stamped on every event (e.g. "HQ")`},
		},
		{
			name: "parse errors from several sources are all reported",
			args: []string{"--config", "testdata/bad_duration.yaml"},
			env:  map[string]string{"HOTLINE_KAFKA_PARTITIONS": "x"},
			want: []string{
				`config: testdata/bad_duration.yaml:3: ingest.flush_interval: "5x" is not a duration (e.g. "500ms", "2s", "90d", "5y")`,
				`config: env HOTLINE_KAFKA_PARTITIONS: "x" is not an integer`,
			},
		},
		{
			name: "retention below the legal floors stops start-up with the reason",
			args: []string{"--config", "testdata/bad_retention.yaml"},
			env:  map[string]string{"HOTLINE_RETENTION_PERSONAL_DATA": "30d"},
			want: []string{
				`config: testdata/bad_retention.yaml:2: retention.sales_recordings: 3y is shorter than 5y: sales call recordings must be kept at least 5 years`,
				`config: env HOTLINE_RETENTION_PERSONAL_DATA: 30d is shorter than 183d: the dialer's lockouts (refusals: 6 months) are restored from stored calls`,
				`config: testdata/bad_retention.yaml:3: retention.audit_log: 90d is shorter than 180d: the Cybersecurity Law requires logs to be kept at least six months`,
			},
		},
		{
			name: "retention period not a whole number of days",
			env:  map[string]string{"HOTLINE_RETENTION_AUDIT_LOG": "1.5y"},
			want: []string{`config: env HOTLINE_RETENTION_AUDIT_LOG: "1.5y" is not a duration (e.g. "500ms", "2s", "90d", "5y")`},
		},
		{
			name: "local port out of range",
			env:  map[string]string{"HOTLINE_CLICKHOUSE_LOCAL_TCP_PORT": "0"},
			want: []string{`config: env HOTLINE_CLICKHOUSE_LOCAL_TCP_PORT: 0 is not a port (1..65535)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.args, tt.env)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Errorf("error %v does not unwrap to *config.Error", err)
			}
		})
	}
}

func TestLoadBeforeParse(t *testing.T) {
	f := Register(flag.NewFlagSet("test", flag.ContinueOnError))
	if _, err := Load(f, func(string) string { return "" }); err == nil {
		t.Fatal("Load before Parse succeeded, want an error")
	}
}

func TestLoadWithoutFlags(t *testing.T) {
	got, err := Load(nil, func(k string) string {
		return map[string]string{"HOTLINE_TENANT": "XA05"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Tenant != "XA05" {
		t.Errorf("Tenant = %q, want XA05", got.Tenant)
	}
}
