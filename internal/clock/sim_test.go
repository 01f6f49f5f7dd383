package clock

import (
	"testing"
	"time"
)

func TestSimRunsInTimeOrderAndStops(t *testing.T) {
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	s := NewSim(start)
	var got []string
	s.AfterFunc(3*time.Second, func() { got = append(got, "c") })
	s.AfterFunc(time.Second, func() {
		got = append(got, "a")
		s.AfterFunc(time.Second, func() { got = append(got, "b") }) // due at 2 s, before c
	})
	cancelled := s.AfterFunc(2*time.Second, func() { got = append(got, "x") })
	s.AfterFunc(3*time.Second, func() { got = append(got, "d") }) // same time as c: scheduling order
	if !cancelled.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	if cancelled.Stop() {
		t.Fatal("second Stop reported true")
	}
	s.RunUntil(start.Add(10 * time.Second))
	want := "abcd"
	if s := join(got); s != want {
		t.Fatalf("ran %q, want %q", s, want)
	}
	if !s.Now().Equal(start.Add(10 * time.Second)) {
		t.Fatalf("clock at %v after RunUntil", s.Now())
	}
}

func join(ss []string) string {
	out := ""
	for _, s := range ss {
		out += s
	}
	return out
}
