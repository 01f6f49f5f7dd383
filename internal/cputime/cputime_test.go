package cputime

import (
	"testing"
	"time"
)

func TestProcessGrowsWithWork(t *testing.T) {
	before := Process()
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	if used := Process() - before; used < 20*time.Millisecond {
		t.Errorf("50 ms of busy work used %s of CPU (x=%d)", used, x)
	}
}
