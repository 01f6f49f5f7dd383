package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The benchmark shares two cores with the broker and ClickHouse, so it reports where the CPU
// went: this process, and the local servers found by their command lines.

// selfCPU is the user+system CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU is the CPU time used so far by the local ClickHouse server and Kafka broker, keyed
// "clickhouse-server" and "kafka broker"; a server not running on this machine is absent.
func serverCPU() map[string]time.Duration {
	out := map[string]time.Duration{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmd, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil {
			continue
		}
		var name string
		switch {
		case bytes.Contains(cmd, []byte("clickhouse-server")) || bytes.HasPrefix(cmd, []byte("clickhouse\x00server")):
			name = "clickhouse-server"
		case bytes.Contains(cmd, []byte("kafka.Kafka")):
			name = "kafka broker"
		default:
			continue
		}
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses and may hold spaces.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		out[name] += time.Duration(utime+stime) * time.Second / clockTicks
	}
	return out
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100
