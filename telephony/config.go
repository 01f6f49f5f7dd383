package telephony

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/routing"
)

// Config is what the SIP side needs; internal/config's telephony section fills it.
type Config struct {
	UDP, TCP   string   // listen host:port; "" = off
	PublicAddr string   // IP for Contact and SDP; "" = the listen host
	Realm      string   // digest realm
	RTPPortMin int      // media port range
	RTPPortMax int      //
	TrunkAddrs []string // IPs or CIDRs allowed to send INVITEs unauthenticated
	RateLimit  int      // requests per second per source (burst twice that)
	Agents     []Agent  // the agents' phones
	Prompts    *Prompts // IVR prompts and music on hold
	// RecordingWait is how long a call record waits for its recording to be stored before it
	// goes out without one (default 10 s).
	RecordingWait time.Duration
}

// Agent is one agent's phone: the SIP user it registers as, and the agent it logs in.
type Agent struct {
	AgentID   string         `yaml:"agent_id"`
	Name      string         `yaml:"name"`
	Extension string         `yaml:"extension"`
	Username  string         `yaml:"username"` // digest user; defaults to the extension
	Password  string         `yaml:"password"`
	Skills    map[string]int `yaml:"skills"` // default: routing.DefaultSkills
}

// FieldError is a bad setting: the configuration field (as in the YAML, e.g.
// "telephony.agents_file") and what is wrong.
type FieldError struct {
	Field   string
	Problem string
}

func (e *FieldError) Error() string { return "config: " + e.Field + ": " + e.Problem }

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, a...)}
}

// LoadAgents reads the agents' phones file:
//
//	agents:
//	  - {agent_id: a1, extension: "1001", password: "…", skills: {claims: 3}}
func LoadAgents(path string) ([]Agent, error) {
	const field = "telephony.agents_file"
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fieldErr(field, "reading agents' phones: %v", err)
	}
	var doc struct {
		Agents []Agent `yaml:"agents"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fieldErr(field, "%s: %v", path, err)
	}
	if len(doc.Agents) == 0 {
		return nil, fieldErr(field, "%s lists no agents (agents: [{agent_id, extension, password}])", path)
	}
	var errs []error
	seenAgent, seenUser := map[string]bool{}, map[string]bool{}
	for i := range doc.Agents {
		a := &doc.Agents[i]
		at := fmt.Sprintf("%s: agents[%d]", path, i)
		if a.Username == "" {
			a.Username = a.Extension
		}
		switch {
		case a.AgentID == "":
			errs = append(errs, fieldErr(field, "%s: agent_id missing", at))
		case a.Extension == "" || strings.ContainsAny(a.Extension, " @:;"):
			errs = append(errs, fieldErr(field, "%s (%s): extension %q is empty or not a SIP user part", at, a.AgentID, a.Extension))
		case len(a.Password) < 8:
			errs = append(errs, fieldErr(field, "%s (%s): password shorter than 8 characters", at, a.AgentID))
		case seenAgent[a.AgentID]:
			errs = append(errs, fieldErr(field, "%s: agent %s listed twice", at, a.AgentID))
		case seenUser[a.Username]:
			errs = append(errs, fieldErr(field, "%s (%s): username %q used twice", at, a.AgentID, a.Username))
		}
		for s, p := range a.Skills {
			if p < 1 || p > routing.MaxProficiency {
				errs = append(errs, fieldErr(field, "%s (%s): skill %s proficiency %d outside 1..%d", at, a.AgentID, s, p, routing.MaxProficiency))
			}
		}
		if a.Skills == nil {
			a.Skills = routing.DefaultSkills()
		}
		seenAgent[a.AgentID], seenUser[a.Username] = true, true
	}
	return doc.Agents, errors.Join(errs...)
}

// Prompts are the IVR's audio: one prompt per menu node and the music on hold, as 8 kHz mono
// 16-bit samples.
type Prompts struct {
	nodes map[string][]int16
	hold  []int16
	// The position announcement: "you are now first in line", or "you are currently caller
	// number" <n> "waiting to speak to a representative".
	next, callerNumber, waiting []int16
	numbers                     map[int][]int16 // 1..20, 30, 40, … 90
	// callbackOffer asks a caller who waited the queue's max wait to press 1 to be called back;
	// only from prompts_dir (callback_offer.wav): no stock recording says it, and without it no
	// call back is offered.
	callbackOffer []int16
}

// Position is the announcement of a caller's place in the queue, nil when it cannot be said.
func (p *Prompts) Position(n int) []int16 {
	if n == 1 {
		return p.next
	}
	var num []int16
	switch {
	case n <= 0 || n >= 100:
		return nil
	case n <= 20 || n%10 == 0:
		num = p.numbers[n]
	default:
		num = append(append([]int16(nil), p.numbers[n/10*10]...), p.numbers[n%10]...)
	}
	return append(append(append([]int16(nil), p.callerNumber...), num...), p.waiting...)
}

// Node is the prompt of a menu node.
func (p *Prompts) Node(id string) []int16 { return p.nodes[id] }

// Hold is the music on hold, played in a loop.
func (p *Prompts) Hold() []int16 { return p.hold }

// LoadPrompts reads <dir>/<node id>.wav for every node of menu and <dir>/hold.wav; what is
// missing (or everything, when dir is "") is built from Debian's asterisk-core-sounds-en-wav in
// sounds: a menu says "press <key>" for each choice, a number entry asks for the number
// followed by the pound key, a message thanks and says goodbye, and the hold loop is the
// queue's "all representatives are busy" announcement with ten seconds of quiet.
func LoadPrompts(menu *routing.Menu, dir, sounds string) (*Prompts, error) {
	p := &Prompts{nodes: map[string][]int16{}}
	var errs []error
	own := func(name string) ([]int16, bool, error) {
		if dir == "" {
			return nil, false, nil
		}
		path := filepath.Join(dir, name+".wav")
		s, err := readPrompt(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fieldErr("telephony.prompts_dir", "%v", err)
		}
		return s, true, nil
	}
	build := func(parts ...string) ([]int16, error) {
		var out []int16
		for _, part := range parts {
			if strings.HasPrefix(part, "pause:") {
				d, _ := time.ParseDuration(strings.TrimPrefix(part, "pause:"))
				out = append(out, make([]int16, int(d.Seconds()*8000))...)
				continue
			}
			s, err := readPrompt(filepath.Join(sounds, part+".wav"))
			if err != nil {
				return nil, fieldErr("telephony.sounds_dir", "%v (install the Debian package asterisk-core-sounds-en-wav, or give every prompt in prompts_dir)", err)
			}
			out = append(out, s...)
		}
		return out, nil
	}
	for id, n := range menu.Nodes {
		s, ok, err := own(id)
		if err == nil && !ok {
			var parts []string
			switch n.Type {
			case routing.NodeMenu:
				for _, k := range n.Keys() {
					parts = append(parts, "vm-press", "digits/"+digitName(k), "pause:300ms")
				}
			case routing.NodeCollect:
				parts = []string{"dir-pls-enter", "astcc-followed-by-the-pound-key"}
			case routing.NodeMessage:
				parts = []string{"auth-thankyou", "vm-goodbye"}
			default:
				continue // a queue node says nothing
			}
			s, err = build(parts...)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.nodes[id] = s
	}
	s, ok, err := own("hold")
	if err == nil && !ok {
		s, err = build("queue-periodic-announce", "pause:10s")
	}
	if err != nil {
		errs = append(errs, err)
	}
	p.hold = s
	// The position announcement, from a centre's own recordings of the same names when given.
	sound := func(name string) []int16 {
		s, ok, err := own(name)
		if err == nil && !ok {
			s, err = build(name)
		}
		if err != nil {
			errs = append(errs, err)
		}
		return s
	}
	p.next = sound("queue-youarenext")
	p.callerNumber = append(sound("queue-thereare"), make([]int16, 1600)...)
	p.waiting = append(append(make([]int16, 1600), sound("queue-callswaiting")...), make([]int16, 4000)...)
	if s, ok, err := own("callback_offer"); err != nil {
		errs = append(errs, err)
	} else if ok {
		p.callbackOffer = s
	}
	p.numbers = map[int][]int16{}
	for n := 1; n <= 90; n++ {
		if n <= 20 || n%10 == 0 {
			p.numbers[n] = sound("digits/" + strconv.Itoa(n))
		}
	}
	return p, errors.Join(errs...)
}

func digitName(k string) string {
	switch k {
	case "*":
		return "star"
	case "#":
		return "pound"
	}
	return k
}

// readPrompt reads an 8 kHz mono WAV (PCM or G.711) into samples.
func readPrompt(path string) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := qa.NewPCMReader(f)
	if err != nil {
		return nil, fmt.Errorf("prompt %s: %w", path, err)
	}
	if r.SampleRate != 8000 || r.Channels != 1 {
		return nil, fmt.Errorf("prompt %s is %d Hz with %d channels, want 8000 Hz mono (the rate of G.711 calls)", path, r.SampleRate, r.Channels)
	}
	out := make([]int16, 0, r.Frames)
	buf := make([]int16, 4096)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
	}
	return out, nil
}

// trunkMatcher says whether a source address belongs to the trunk.
type trunkMatcher []*net.IPNet

func newTrunkMatcher(addrs []string) (trunkMatcher, error) {
	var m trunkMatcher
	for i, a := range addrs {
		if _, n, err := net.ParseCIDR(a); err == nil {
			m = append(m, n)
			continue
		}
		ip := net.ParseIP(a)
		if ip == nil {
			return nil, fieldErr("telephony.trunk_addrs", "entry %d: %q is not an IP address or CIDR range", i+1, a)
		}
		bits := 32
		if ip.To4() == nil {
			bits = 128
		}
		m = append(m, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
	}
	return m, nil
}

func (m trunkMatcher) contains(ip net.IP) bool {
	for _, n := range m {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}
