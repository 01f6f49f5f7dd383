package config

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

func TestEnvHelp(t *testing.T) {
	help := EnvHelp()
	for _, s := range settings() {
		if s.env != "" && !strings.Contains(help, s.env) {
			t.Errorf("EnvHelp does not mention %s", s.env)
		}
	}
	for _, want := range []string{
		"HOTLINE_CONFIG",
		`(default "hotline.")`,
		`(default "1s")`,
		"(flag --kafka-brokers)",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("EnvHelp lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "HOTLINE_CLICKHOUSE_PASSWORD  ClickHouse password (default") {
		t.Errorf("EnvHelp shows a default for a secret:\n%s", help)
	}
}

func TestRegisterFlags(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	Register(fs)
	for _, name := range []string{"config", "kafka-brokers", "clickhouse-addr", "topic-prefix", "tenant", "http-addr", "data-dir"} {
		if fs.Lookup(name) == nil {
			t.Errorf("flag --%s not registered", name)
		}
	}
	var out bytes.Buffer
	fs.SetOutput(&out)
	fs.PrintDefaults()
	if !strings.Contains(out.String(), `(default "127.0.0.1:8080")`) {
		t.Errorf("--help does not show the default HTTP address:\n%s", out.String())
	}
}

// Every leaf field must be reachable from somewhere and documented, or it cannot be set.
func TestSettingsAreTagged(t *testing.T) {
	for _, s := range settings() {
		if s.help == "" {
			t.Errorf("%s has no help tag", s.key)
		}
		if s.env == "" {
			t.Errorf("%s has no env tag", s.key)
		}
		if !strings.HasPrefix(s.env, "HOTLINE_") {
			t.Errorf("%s: env %s does not start with HOTLINE_", s.key, s.env)
		}
	}
}
