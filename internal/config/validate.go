package config

import (
	"fmt"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Validate reports every setting whose value cannot work, as *Error values joined with
// errors.Join. Load calls it; call it yourself when you build a Config in code.
func (c Config) Validate() error {
	return joinErrors(c.problems())
}

// problems collects the problems of every section. A new section adds one line here.
func (c Config) problems() []*Error {
	var p problems
	if strings.TrimSpace(c.Tenant) == "" {
		p.add("tenant", "must not be empty: it is stamped on every event (e.g. \"HQ\")")
	}
	if strings.TrimSpace(c.DataDir) == "" {
		p.add("data_dir", "must not be empty (e.g. \"var\")")
	}
	p.section("kafka", c.Kafka.problems())
	p.section("clickhouse", c.ClickHouse.problems())
	p.section("ingest", c.Ingest.problems())
	p.section("http", c.HTTP.problems())
	p.section("accounts", c.Accounts.problems())
	p.section("telephony", c.Telephony.problems())
	p.section("analytics", analyticsProblems(c.Analytics))
	var floors problems
	for _, e := range c.CallingFloors.Problems() {
		floors.add(e.Field, e.Problem)
	}
	p.section("calling_floors", floors)
	p.section("privacy", c.Privacy.problems())
	var r problems
	for _, e := range c.Retention.Problems() {
		r.add(e.Field, e.Problem)
	}
	p.section("retention", r)
	return p
}

var topicPrefixRE = regexp.MustCompile(`^[A-Za-z0-9._-]*$`)

func (k Kafka) problems() problems {
	var p problems
	for i, b := range k.Brokers {
		if msg := checkHostPort(b, true, "kafka1:9092"); msg != "" {
			p.add("brokers", fmt.Sprintf("entry %d: %s", i+1, msg))
		}
	}
	if !topicPrefixRE.MatchString(k.TopicPrefix) {
		p.add("topic_prefix", fmt.Sprintf("%q may only contain letters, digits, '.', '_' and '-' (Kafka topic name characters)", k.TopicPrefix))
	}
	if k.Partitions < 1 {
		p.add("partitions", fmt.Sprintf("%d must be at least 1", k.Partitions))
	}
	if k.EmbeddedPort < 0 || k.EmbeddedPort > 65535 {
		p.add("embedded_port", fmt.Sprintf("%d is not a port (0..65535)", k.EmbeddedPort))
	}
	return p
}

func (c ClickHouse) problems() problems {
	var p problems
	if c.Addr != "" {
		if msg := checkHostPort(c.Addr, true, "clickhouse1:9000"); msg != "" {
			p.add("addr", msg)
		}
	}
	if strings.TrimSpace(c.Database) == "" {
		p.add("database", "must not be empty (e.g. \"hotline\")")
	}
	if c.LocalTCPPort < 1 || c.LocalTCPPort > 65535 {
		p.add("local_tcp_port", fmt.Sprintf("%d is not a port (1..65535)", c.LocalTCPPort))
	}
	return p
}

func (in Ingest) problems() problems {
	var p problems
	if strings.TrimSpace(in.GroupID) == "" {
		p.add("group_id", "must not be empty (e.g. \"hotline-ingest\")")
	}
	if in.BatchSize < 1 || in.BatchSize > 1_000_000 {
		p.add("batch_size", fmt.Sprintf("%d is out of range 1..1000000", in.BatchSize))
	}
	if in.FlushInterval <= 0 {
		p.add("flush_interval", fmt.Sprintf("%s must be greater than 0 (e.g. \"1s\")", in.FlushInterval))
	}
	return p
}

func (pr Privacy) problems() problems {
	var p problems
	for i, r := range pr.ExportRoles {
		if _, err := httpapi.ParseRole(r); err != nil {
			p.add("export_roles", fmt.Sprintf("entry %d: %v", i+1, err))
		}
	}
	return p
}

func (h HTTP) problems() problems {
	var p problems
	if msg := checkHostPort(h.Addr, false, "127.0.0.1:8080"); msg != "" {
		p.add("addr", msg)
	}
	if (h.TLSCert == "") != (h.TLSKey == "") {
		p.add("tls_cert", "tls_cert and tls_key go together: set both to serve HTTPS, or neither")
	}
	if h.MaxConnections < 1 || h.MaxConnections > 100_000 {
		p.add("max_connections", fmt.Sprintf("%d is out of range 1..100000", h.MaxConnections))
	}
	if !(h.RateLimit >= 0 && h.RateLimit <= 100_000) {
		p.add("rate_limit", fmt.Sprintf("%v is out of range 0..100000 requests a second", h.RateLimit))
	}
	if h.RateBurst < 1 || h.RateBurst > 1_000_000 {
		p.add("rate_burst", fmt.Sprintf("%d is out of range 1..1000000", h.RateBurst))
	}
	return p
}

func (a Accounts) problems() problems {
	var p problems
	if a.SessionIdle < time.Minute {
		p.add("session_idle", fmt.Sprintf("%s is shorter than a minute", a.SessionIdle))
	}
	if a.SessionMax < a.SessionIdle {
		p.add("session_max", fmt.Sprintf("%s is shorter than session_idle (%s)", a.SessionMax, a.SessionIdle))
	}
	if a.LockoutFailures < 1 || a.LockoutFailures > 100 {
		p.add("lockout_failures", fmt.Sprintf("%d is out of range 1..100", a.LockoutFailures))
	}
	if a.LockoutFor < time.Minute || a.LockoutFor > 24*time.Hour {
		p.add("lockout_for", fmt.Sprintf("%s is not between 1m and 24h", a.LockoutFor))
	}
	return p
}

func (t Telephony) problems() problems {
	var p problems
	switch t.Mode {
	case "sim":
		return p // the SIP settings are not used: a default or stale value must not stop the simulator
	case "sip":
	default:
		p.add("mode", fmt.Sprintf("%q is not sim or sip", t.Mode))
		return p
	}
	if t.UDP == "" && t.TCP == "" {
		p.add("udp", "udp and tcp are both empty: SIP needs at least one listen address")
	}
	for _, l := range []struct{ field, addr string }{{"udp", t.UDP}, {"tcp", t.TCP}} {
		if l.addr == "" {
			continue
		}
		if msg := checkHostPort(l.addr, false, "0.0.0.0:5060"); msg != "" {
			p.add(l.field, msg)
		} else if host, _, _ := net.SplitHostPort(l.addr); host != "" && net.ParseIP(host) == nil {
			p.add(l.field, fmt.Sprintf("%q: host %q is not an IP address", l.addr, host))
		}
	}
	if t.PublicAddr != "" {
		if ip := net.ParseIP(t.PublicAddr); ip == nil || ip.IsUnspecified() {
			p.add("public_addr", fmt.Sprintf("%q is not a reachable IP address (e.g. \"203.0.113.10\")", t.PublicAddr))
		}
	} else if unspecified(t.UDP) || unspecified(t.TCP) {
		p.add("public_addr", "must be set when a listen address is 0.0.0.0 or has no host: phones and the trunk need an address to send media to")
	}
	if strings.TrimSpace(t.Realm) == "" {
		p.add("realm", "must not be empty (e.g. \"hotline\")")
	}
	if t.RTPPortMin < 1024 || t.RTPPortMin > 65535 {
		p.add("rtp_port_min", fmt.Sprintf("%d is out of range 1024..65535", t.RTPPortMin))
	}
	if t.RTPPortMax < 1024 || t.RTPPortMax > 65535 {
		p.add("rtp_port_max", fmt.Sprintf("%d is out of range 1024..65535", t.RTPPortMax))
	} else if t.RTPPortMax < t.RTPPortMin+1 {
		p.add("rtp_port_max", fmt.Sprintf("%d leaves no room above rtp_port_min %d: a call needs 2 ports (RTP and RTCP)", t.RTPPortMax, t.RTPPortMin))
	}
	if strings.TrimSpace(t.AgentsFile) == "" {
		p.add("agents_file", "must be set in sip mode: without agents' phones no call can be answered")
	}
	for i, a := range t.TrunkAddrs {
		if _, _, err := net.ParseCIDR(a); err != nil && net.ParseIP(a) == nil {
			p.add("trunk_addrs", fmt.Sprintf("entry %d: %q is not an IP address or CIDR range", i+1, a))
		}
	}
	if t.RateLimit < 1 || t.RateLimit > 10000 {
		p.add("rate_limit", fmt.Sprintf("%d is out of range 1..10000", t.RateLimit))
	}
	return p
}

// unspecified reports whether a listen address listens on every interface.
func unspecified(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if addr == "" || err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "" || (ip != nil && ip.IsUnspecified())
}

// checkHostPort returns what is wrong with addr as a host:port, or "" when nothing is.
// requireHost is false for listen addresses, where ":8080" means all interfaces.
func checkHostPort(addr string, requireHost bool, example string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("%q is not host:port (e.g. %q)", addr, example)
	}
	if requireHost && host == "" {
		return fmt.Sprintf("%q has no host (e.g. %q)", addr, example)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Sprintf("%q: port %q is not a number in 0..65535", addr, port)
	}
	return ""
}

// problems accumulates validation errors with field paths relative to the section being checked.
type problems []*Error

func (p *problems) add(field, problem string) {
	*p = append(*p, &Error{Field: field, Problem: problem})
}

func (p *problems) section(name string, sub problems) {
	for _, e := range sub {
		e.Field = name + "." + e.Field
		*p = append(*p, e)
	}
}
