package chdb

import "testing"

func TestWithoutLowCardinality(t *testing.T) {
	tests := []struct{ in, want string }{
		{"tenant LowCardinality(String), x UInt8", "tenant String, x UInt8"},
		{"a LowCardinality(Nullable(String)), b LowCardinality(FixedString(2))", "a Nullable(String), b FixedString(2)"},
		{"SELECT toLowCardinality(x) AS y", "SELECT toLowCardinality(x) AS y"},
		{"no such type here", "no such type here"},
		{"broken LowCardinality(String", "broken LowCardinality(String"},
	}
	for _, tt := range tests {
		if got := WithoutLowCardinality(tt.in); got != tt.want {
			t.Errorf("WithoutLowCardinality(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
