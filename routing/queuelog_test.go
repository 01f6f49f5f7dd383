package routing

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestQueueLog(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.login("a", map[string]int{"service": 1})
	f.login("b", map[string]int{"complaints": 1})
	f.must(f.eng.Break("b", "training"))
	f.arrive("k1", "inq", nil)
	f.clk.Advance(3 * time.Second)
	f.must(f.eng.Accept("a", "k1"))
	f.clk.Advance(60 * time.Second)
	f.must(f.eng.Transfer("a", TransferQueue, "cmp"))
	f.clk.Advance(4 * time.Second)
	f.must(f.eng.Ready("b"))
	f.clk.Advance(2 * time.Second)
	f.must(f.eng.Accept("b", "k1"))
	f.clk.Advance(30 * time.Second)
	f.must(f.eng.Hangup("k1"))
	f.must(f.eng.Wrapup("a", Wrapup{Disposition: "x"}))
	f.must(f.eng.Wrapup("b", Wrapup{Disposition: "x"}))
	f.arrive("k2", "cmp", nil) // b is available: offered at once
	f.clk.Advance(15 * time.Second)
	f.arrive("k3", "inq", nil)
	f.must(f.eng.Break("a", "lunch"))
	f.clk.Advance(10 * time.Second)
	_, _ = f.eng.Abandon("k3")
	_, _ = f.eng.Abandon("k2")
	got := queueLogFrom(f.sink.evs)
	base := t0.Unix()
	// Same-second rows of different calls and agents are ordered by id ("a" < "b" < "k2").
	want := []string{
		"%d|NONE|inq|a|ADDMEMBER|",
		"%d|NONE|cmp|b|ADDMEMBER|",
		"%d|NONE|cmp|b|PAUSE|training",
		"%d|k1|inq|NONE|ENTERQUEUE||+8613800000000|1",
		"%d|k1|inq|a|CONNECT|3|k1|3",
		"%d|k1|inq|a|TRANSFER|cmp|queue|3|60|1",
		"%d|k1|cmp|NONE|ENTERQUEUE||+8613800000000|1",
		"%d|NONE|cmp|b|UNPAUSE|",
		"%d|k1|cmp|b|CONNECT|6|k1|2", // waited 6 s in the second queue, rang 2 s
		"%d|k1|cmp|NONE|COMPLETECALLER|6|30|1",
		"%d|k2|cmp|NONE|ENTERQUEUE||+8613800000000|1",
		"%d|NONE|inq|a|PAUSE|lunch",
		"%d|NONE|cmp|b|PAUSE|no_answer",
		"%d|k2|cmp|b|RINGNOANSWER|15000",
		"%d|k3|inq|NONE|ENTERQUEUE||+8613800000000|1",
		"%d|k3|inq|a|RINGNOANSWER|0", // a went on a break while k3 rang
		"%d|k2|cmp|NONE|ABANDON|1|1|25",
		"%d|k3|inq|NONE|ABANDON|1|1|10",
	}
	at := []int64{0, 0, 0, 0, 3, 63, 63, 67, 69, 99, 99, 114, 114, 114, 114, 114, 124, 124}
	var w strings.Builder
	for i, l := range want {
		w.WriteString(strings.Replace(l, "%d", itoa(base+at[i]), 1) + "\n")
	}
	if got != w.String() {
		t.Fatalf("queue_log:\n%s\nwant:\n%s", got, w.String())
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
