package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
	"github.com/seed-1c4692e8/hotline/qa"
)

// hostile is one bad request: what it sends to an endpoint, by whom.
type hostile struct {
	name  string
	role  httpapi.Role // "" : the endpoint's first role
	path  string       // "" : the endpoint's path with its parameters set to "1"
	query string
	body  string
}

// big is 100 KB of text: an id, a reason, a name no one writes.
var big = strings.Repeat("9", 100_000)

// hostileInputs are the well-formed but malicious requests of each endpoint that reads more than
// a body's syntax: out-of-range and non-finite numbers, dates outside what the store holds,
// oversized text, the audit's own attacks. Every endpoint also gets the generic ones
// (genericInputs).
var hostileInputs = map[string][]hostile{
	"GET /api/segments": {
		{name: "from 1900", query: "from=1900-01-01"}, {name: "to 2200", query: "to=2200-01-01"},
		{name: "to before from", query: "from=2026-03-01&to=2026-02-01"}, {name: "no such day", query: "to=2026-02-30"},
	},
	"GET /api/segments/{quadrant}": {
		{name: "as_of 1900", path: "/api/segments/loyal", query: "as_of=1900-01-01"},
		{name: "negative limit", path: "/api/segments/loyal", query: "limit=-1"},
		{name: "limit 1e99", path: "/api/segments/loyal", query: "limit=1e99"},
		{name: "export=maybe", path: "/api/segments/loyal", query: "export=maybe"},
		{name: "export without the permission", path: "/api/segments/loyal", query: "export=1&reason=because+I+want+them+all", role: httpapi.RoleMarketer},
	},
	"POST /api/segments/{quadrant}/campaign": {
		{name: "100 KB campaign id", path: "/api/segments/loyal/campaign", body: `{"campaign_id":"` + big + `","campaign_type":"telemarketing"}`},
		{name: "path in the id", path: "/api/segments/loyal/campaign", body: `{"campaign_id":"../../etc/passwd","campaign_type":"telemarketing"}`},
		{name: "priority a billion", path: "/api/segments/loyal/campaign", body: `{"campaign_id":"x1","campaign_type":"telemarketing","priority":1000000000}`},
		{name: "priority 1e400", path: "/api/segments/loyal/campaign", body: `{"campaign_id":"x2","campaign_type":"telemarketing","priority":1e400}`},
	},
	"GET /api/reports":            dateAttacks("by=century"),
	"GET /api/kpis":               dateAttacks("metrics=nope"),
	"GET /api/volume":             dateAttacks(""),
	"GET /api/agents/performance": dateAttacks(""),
	"GET /api/kpis/definitions": {
		{name: "lang klingon", query: "lang=tlh"}, {name: "100 KB lang", query: "lang=" + big},
	},
	"POST /api/campaigns": {
		{name: "abandon_target .nan", role: httpapi.RoleMarketer, body: "id: h1\ntype: telemarketing\nscript: S\nlist: {source: requests}\nabandon_target: .nan\n"},
		{name: "abandon_target .inf", role: httpapi.RoleMarketer, body: "id: h2\ntype: telemarketing\nscript: S\nlist: {source: requests}\nabandon_target: .inf\n"},
		{name: "lines 1e12", role: httpapi.RoleMarketer, body: "id: h3\ntype: telemarketing\nscript: S\nlist: {source: requests}\nlines: 1000000000000\n"},
		{name: "100 KB id", role: httpapi.RoleMarketer, body: "id: " + big + "\ntype: telemarketing\nscript: S\nlist: {source: requests}\n"},
		{name: "window 00:00-23:59 without consent or holidays", role: httpapi.RoleMarketer, body: "id: h4\ntype: telemarketing\nscript: S\nlist: {source: requests}\n" +
			`rules: {sales: true, needs_consent: false, no_holidays: false, window_start: "00:00", window_end: "23:59", max_attempts: 4, daily_cap: 3, abandon_lockout: 72h, refusal_lockout: 4392h}` + "\n"},
		{name: "retry in 200 years", role: httpapi.RoleManager, body: `{"id":"h5","type":"renewal","script":"S","retry":{"busy":"1752000h"}}`},
		{name: "a file list over the API", role: httpapi.RoleManager, body: `{"id":"h6","type":"renewal","script":"S","list":{"source":"file","file":"/etc/passwd"}}`},
	},
	"POST /api/dnc": {
		{name: "900 KB reason", body: `{"phone":"13800000001","reason":"` + strings.Repeat("r", 900_000) + `"}`},
		{name: "until year 99999", body: `{"phone":"13800000001","until":"99999-01-01"}`},
		{name: "until 2200", body: `{"phone":"13800000001","until":"2200-01-01"}`},
		{name: "phone NaN", body: `{"phone":"NaN"}`},
		{name: "100 KB phone", body: `{"phone":"` + big + `"}`},
	},
	"GET /api/qa/scorecards/{id}": {
		{name: "version NaN", query: "version=NaN"}, {name: "version -1", query: "version=-1"}, {name: "version 1e99", query: "version=1e99"},
	},
	"GET /api/qa/recordings/{id}/peaks": {
		{name: "buckets 1e12", query: "buckets=1000000000000"}, {name: "buckets -5", query: "buckets=-5"}, {name: "buckets NaN", query: "buckets=NaN"},
	},
	"POST /api/qa/scorecards": {
		{name: "weight .nan", body: "id: h\nversion: 1\nname: h\nsections: [{id: s, name: s, weight: .nan, items: [{id: i, text: i, type: yes_no}]}]\n"},
		{name: "weight 1e308", body: "id: h\nversion: 1\nname: h\nsections: [{id: s, name: s, weight: 100, items: [{id: i, text: i, type: yes_no, weight: 1e308}]}]\n"},
		{name: "version 1e99", body: "id: h\nversion: 1e99\nname: h\nsections: [{id: s, name: s, weight: 100, items: [{id: i, text: i, type: yes_no}]}]\n"},
	},
	"POST /api/qa/evaluations": {
		{name: "a call that does not exist", body: `{"call_id":"made-up","agent_id":"A0001","scorecard_id":"insurance-hotline","answers":[]}`},
		{name: "a timestamp of 1e308 s", body: `{"call_id":"made-up","agent_id":"A0001","scorecard_id":"insurance-hotline","answers":[{"item":"greeting","value":"yes","at_sec":1e308}]}`},
		{name: "100 KB comment", body: `{"call_id":"made-up","agent_id":"A0001","scorecard_id":"insurance-hotline","comment":"` + big + `"}`},
	},
	"POST /api/qa/sample": {
		{name: "a made-up candidate", body: `{"candidates":[{"call_id":"fake","agent_id":"A0001"}],"evaluators":["q"]}`},
		{name: "10,000 evaluators", body: `{"candidates":[{"call_id":"fake","agent_id":"A0001"}],"evaluators":[` + strings.TrimSuffix(strings.Repeat(`"e",`, 10_000), ",") + `]}`},
	},
	"POST /api/qa/calibrations": {
		{name: "10,000 evaluators", body: `{"call_id":"x","agent_id":"A0001","scorecard_id":"insurance-hotline","evaluators":[` + strings.TrimSuffix(strings.Repeat(`"e",`, 10_000), ",") + `]}`},
		{name: "a call that does not exist", body: `{"call_id":"made-up","agent_id":"A0001","scorecard_id":"insurance-hotline","evaluators":["a","b"]}`},
	},
	"POST /api/agent/break": {
		{name: "1 MB reason", body: `{"reason":"` + strings.Repeat("x", 1_000_000) + `"}`},
		{name: "65-byte reason", body: `{"reason":"` + strings.Repeat("x", 65) + `"}`},
	},
}

// dateAttacks are the period attacks of a report endpoint, plus extra (a bad option) if given.
func dateAttacks(extra string) []hostile {
	out := []hostile{
		{name: "from 1900", query: "from=1900-01-01"},
		{name: "from 2150 to 2200", query: "from=2150-01-01&to=2200-01-01"},
		{name: "to before from", query: "from=2026-03-01&to=2026-02-01"},
		{name: "not a date", query: "from=yesterday"},
	}
	if extra != "" {
		out = append(out, hostile{name: extra, query: extra})
	}
	return out
}

// inputFree endpoints read nothing from a request that could be malformed: no path parameter,
// no query parameter they act on, no body. The walk checks each other endpoint gets at least one
// hostile request, so a new endpoint is either attacked or listed here on purpose.
var inputFree = []string{
	"GET /healthz", "GET /metrics", "GET /api/endpoints", "GET /api/campaigns", "GET /api/qa/scorecards",
	"GET /api/qa/calibrations", "GET /api/qa/calibrations/report", "GET /api/qa/assignments", "GET /api/qa/evaluations",
	"GET /api/agent/state", "GET /api/agent/ws", "GET /api/agent/preview", "GET /api/routing/agents", "GET /api/routing/queues",
	"GET /api/complaints/overdue",
}

// genericInputs are the syntax attacks every endpoint gets: an oversized path parameter, and for
// those taking a body, malformed, wrongly typed, oversized and deeply nested ones.
func genericInputs(e httpapi.Endpoint) []hostile {
	var out []hostile
	if strings.Contains(e.Path, "{") {
		out = append(out, hostile{name: "100 KB path parameter", path: fillPath(e.Path, big)})
	}
	if e.Method == http.MethodPost || e.Method == http.MethodPut || e.Method == http.MethodPatch {
		out = append(out,
			hostile{name: "malformed JSON", body: `{"a":`},
			hostile{name: "a list for an object", body: `[1,2,3]`},
			hostile{name: "2 MB body", body: `{"x":"` + strings.Repeat("a", 2<<20) + `"}`},
			hostile{name: "100,000-deep nesting", body: strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)},
			hostile{name: "a number past float64", body: `{"priority": 1e400, "weight": 1e400}`},
		)
	}
	return out
}

func fillPath(pattern, v string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(pattern, '{')
		if i < 0 {
			b.WriteString(pattern)
			return b.String()
		}
		j := strings.IndexByte(pattern[i:], '}')
		b.WriteString(pattern[:i])
		b.WriteString(v)
		pattern = pattern[i+j+1:]
	}
}

// storeState is what a refused request must leave as it was: campaigns, evaluations,
// calibrations, scorecards, QA queues, the do-not-call list and every file under the data dir.
func storeState(t *testing.T, p *platform, dataDir string) string {
	t.Helper()
	var b strings.Builder
	for _, st := range p.dialer.Statuses() {
		fmt.Fprintln(&b, "campaign", st.Campaign.ID, st.State)
	}
	fmt.Fprintln(&b, "evaluations", len(p.qa.Evals.List(qa.Filter{IncludeCalibration: true})))
	fmt.Fprintln(&b, "calibrations", len(p.qa.Evals.Calibrations("")))
	for _, sc := range p.qa.Cards.List() {
		fmt.Fprintln(&b, "scorecard", sc.ID, sc.Version)
	}
	for _, who := range []string{"q", "e", "hostile-qa", "hostile-manager"} {
		fmt.Fprintln(&b, "queue", who, len(p.qa.Sampler.Queue(who)))
	}
	now := time.Now()
	fmt.Fprintln(&b, "dnc", p.dialer.Gate().Company().Contains("+8613800000001", now))
	filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			fmt.Fprintln(&b, "file", strings.TrimPrefix(path, dataDir), info.Size())
		}
		return nil
	})
	return b.String()
}

// TestHostileInputsEveryEndpoint walks every endpoint `hotline run` mounts with malformed,
// oversized, non-finite and out-of-range values, as a role allowed to call it, and checks each
// is refused with a 4xx carrying a short message, and that nothing was stored.
func TestHostileInputsEveryEndpoint(t *testing.T) {
	ctx := context.Background()
	addr := testenv.ClickHouse(t)
	conn, err := chdb.Open(ctx, chdb.Options{Addr: addr, Database: testenv.NewDatabase(t, addr)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	p, err := newPlatform(ctx, platformConfig{profile: "province", seed: 1, tenant: "HQ", dataDir: dataDir, sink: &memSink{}, conn: conn})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New()
	p.register(srv, conn, dataDir)
	before := storeState(t, p, dataDir)

	attacked, refused := 0, 0
	for _, e := range srv.Endpoints() {
		cases := append(genericInputs(e), hostileInputs[e.Pattern()]...)
		if len(cases) == 0 {
			if !slices.Contains(inputFree, e.Pattern()) {
				t.Errorf("%s: no hostile request tries it; add some to hostileInputs, or list it in inputFree", e.Pattern())
			}
			continue
		}
		for _, h := range cases {
			attacked++
			role := h.role
			if role == "" {
				role = e.Roles[0]
			}
			path := cmp.Or(h.path, fillPath(e.Path, "1"))
			if h.query != "" {
				path += "?" + h.query
			}
			pr := httpapi.Principal{User: "hostile-" + string(role), Role: role, Tenant: httpapi.AllTenants}
			if role == httpapi.RoleAgent {
				pr.AgentID = "1"
			}
			tok, err := srv.Tokens().Generate(pr)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(e.Method, path, strings.NewReader(h.body))
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			var body struct{ Error string }
			jsonErr := json.Unmarshal(rec.Body.Bytes(), &body)
			switch {
			case rec.Code < 400 || rec.Code >= 500 || rec.Code == http.StatusUnauthorized:
				t.Errorf("%s %s: %d %.300s, want a 4xx", e.Pattern(), h.name, rec.Code, rec.Body.String())
			case jsonErr != nil || body.Error == "":
				t.Errorf("%s %s: %d without an error message: %.300s", e.Pattern(), h.name, rec.Code, rec.Body.String())
			case rec.Body.Len() > 2000:
				t.Errorf("%s %s: %d with a %d-byte answer: the input is echoed", e.Pattern(), h.name, rec.Code, rec.Body.Len())
			default:
				refused++
			}
		}
	}
	if after := storeState(t, p, dataDir); after != before {
		t.Errorf("refused requests changed the store:\nbefore\n%s\nafter\n%s", before, after)
	}
	t.Logf("%d hostile requests on %d endpoints, %d refused with a 4xx and a message", attacked, len(srv.Endpoints()), refused)
}
