// Package cputime reads how much CPU this process has used, for benchmarks that share the
// machine with the servers they measure and so cannot trust wall time alone.
package cputime

import (
	"syscall"
	"time"
)

// Process is the user+system CPU time this process has used so far (0 where getrusage is
// unavailable).
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
