package telephony

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/seed-1c4692e8/hotline/routing"
)

func TestLoadAgents(t *testing.T) {
	got, err := LoadAgents("testdata/agents.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Username != "1001" || got[1].Username != "wang" || got[0].Skills["claims"] != 4 || got[1].Skills["service"] != 3 {
		t.Fatalf("agents %+v", got)
	}
	for _, c := range []struct{ file, want string }{
		{"testdata/bad_agents.yaml", "password shorter than 8"},
		{"testdata/bad_agents.yaml", `extension "10 02"`},
		{"testdata/bad_agents.yaml", "agent a1 listed twice"},
		{"testdata/bad_agents.yaml", "skill claims proficiency 9"},
		{"testdata/missing.yaml", "reading agents' phones"},
		{"testdata/agents_typo.yaml", "field pasword not found"},
	} {
		if c.file == "testdata/agents_typo.yaml" {
			c.file = filepath.Join(t.TempDir(), "typo.yaml")
			_ = os.WriteFile(c.file, []byte("agents:\n  - {agent_id: a1, extension: \"1\", pasword: x}\n"), 0o644)
		}
		_, err := LoadAgents(c.file)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "telephony.agents_file" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a telephony.agents_file error saying %q", c.file, err, c.want)
		}
	}
}

func TestLoadPrompts(t *testing.T) {
	menu := routing.DefaultMenu()
	p, err := LoadPrompts(menu, "", sounds)
	if err != nil {
		t.Fatal(err)
	}
	// The main menu says "press <key>" for its 7 choices; a queue node says nothing.
	if n := len(p.Node("main")); n < 7*8000/2 {
		t.Errorf("main menu prompt %d samples, want several seconds", n)
	}
	if p.Node("q_claims") != nil || len(p.Hold()) < 10*8000 {
		t.Errorf("queue node prompt %d samples, hold %d samples", len(p.Node("q_claims")), len(p.Hold()))
	}
	// The place in the queue: "first in line", or "caller number" n "waiting".
	digits := func(n int) int {
		s, _ := readPrompt(filepath.Join(sounds, "digits", fmt.Sprint(n)+".wav"))
		return len(s)
	}
	frame := len(p.callerNumber) + len(p.waiting)
	for _, c := range []struct{ n, want int }{
		{1, len(p.next)}, {3, frame + digits(3)}, {20, frame + digits(20)}, {25, frame + digits(20) + digits(5)}, {0, 0}, {120, 0},
	} {
		if got := len(p.Position(c.n)); got != c.want || (c.want > 0 && digits(5) == 0) {
			t.Errorf("position %d: %d samples, want %d", c.n, got, c.want)
		}
	}
	// A centre's own recording replaces a default; a wrong format names the setting and file.
	dir := t.TempDir()
	own, _ := os.ReadFile(filepath.Join(sounds, "goodbye.wav"))
	_ = os.WriteFile(filepath.Join(dir, "main.wav"), own, 0o644)
	p, err = LoadPrompts(menu, dir, sounds)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := readPrompt(filepath.Join(sounds, "goodbye.wav"))
	if len(p.Node("main")) != len(want) {
		t.Errorf("own main prompt not used: %d samples, want %d", len(p.Node("main")), len(want))
	}
	_ = os.WriteFile(filepath.Join(dir, "hold.wav"), []byte("not audio"), 0o644)
	if _, err := LoadPrompts(menu, dir, sounds); err == nil || !strings.Contains(err.Error(), "telephony.prompts_dir") || !strings.Contains(err.Error(), "hold.wav") {
		t.Errorf("bad hold.wav: %v", err)
	}
	if _, err := LoadPrompts(menu, "", t.TempDir()); err == nil || !strings.Contains(err.Error(), "telephony.sounds_dir") || !strings.Contains(err.Error(), "asterisk-core-sounds-en-wav") {
		t.Errorf("no sounds: %v", err)
	}
}

// A phone is rung where its REGISTER came from, never at another host its Contact names.
func TestReachable(t *testing.T) {
	for _, c := range []struct{ transport, want string }{
		{"UDP", "sip:1001@127.0.0.2:5071"},
		{"TCP", "sip:1001@127.0.0.2:5099"},
	} {
		req := sip.NewRequest(sip.REGISTER, sip.Uri{Host: "127.0.0.1"})
		req.SetSource("127.0.0.2:5071")
		req.SetTransport(c.transport)
		got := reachable(sip.Uri{Scheme: "sip", User: "1001", Host: "198.51.100.9", Port: 5099}, req)
		if got.String() != c.want {
			t.Errorf("%s: ring %s, want %s", c.transport, got.String(), c.want)
		}
	}
}
