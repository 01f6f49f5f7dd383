package ingest

import (
	"strings"
	"testing"
)

func TestCheckPartition(t *testing.T) {
	p := position{Topic: "hotline.calls", Partition: 2}
	now := partitionState{topicID: "new-id", end: 300}
	tests := []struct {
		name     string
		e        epoch
		known    bool
		stored   int64
		wantBase int64
		refused  string // part of the reason; "" when read
	}{
		{"first read, nothing stored", epoch{}, false, -1, 0, ""},
		{"first read, stored below the end", epoch{}, false, 299, 0, ""},
		{"first read, stored past the end", epoch{}, false, 300, 0, "ends at offset 300 but ClickHouse holds offsets up to 300"},
		{"same topic", epoch{topicID: "new-id"}, true, 250, 0, ""},
		{"recreated", epoch{topicID: "old-id"}, true, 10, 0, "recreated: topic id new-id, was old-id"},
		{"recreated, stored nothing", epoch{topicID: "old-id"}, true, -1, 0, "recreated"},
		{"same topic, messages lost", epoch{topicID: "new-id"}, true, 900, 0, "the broker lost messages"},
		{"accepted epoch", epoch{n: 1, topicID: "new-id", base: 1000}, true, 1200, 1000, ""},
		{"accepted epoch, nothing new stored", epoch{n: 1, topicID: "new-id", base: 1000}, true, 999, 1000, ""},
		{"accepted epoch, lost again", epoch{n: 1, topicID: "new-id", base: 1000}, true, 1300, 0, "holds offsets up to 300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, why := checkPartition(p, now, tt.e, tt.known, tt.stored)
			if tt.refused == "" && (why != "" || base != tt.wantBase) {
				t.Errorf("got base %d, refused %q; want base %d, read", base, why, tt.wantBase)
			}
			if tt.refused != "" && !strings.Contains(why, tt.refused) {
				t.Errorf("refused %q, want a reason with %q", why, tt.refused)
			}
		})
	}
}
