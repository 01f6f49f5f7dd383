package qa

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// Item types.
const (
	ItemYesNo = "yes_no"
	ItemScale = "scale"
)

// Critical scopes: what a "no" on a critical item fails.
const (
	CriticalEvaluation = "evaluation" // the whole evaluation scores 0
	CriticalSection    = "section"    // the item's section scores 0
)

// Scorecard is one version of a scorecard definition. Versions are immutable once registered;
// evaluations pin the version they were scored against.
type Scorecard struct {
	ID          string    `yaml:"id" json:"id"`
	Version     int       `yaml:"version" json:"version"`
	Name        string    `yaml:"name" json:"name"`
	Description string    `yaml:"description,omitempty" json:"description,omitempty"`
	Sections    []Section `yaml:"sections" json:"sections"`
}

// Section groups items; section weights sum to 100.
type Section struct {
	ID     string  `yaml:"id" json:"id"`
	Name   string  `yaml:"name" json:"name"`
	Weight float64 `yaml:"weight" json:"weight"`
	Items  []Item  `yaml:"items" json:"items"`
}

// Item is one question. Yes/no items score 1 or 0; scale items (Min..Max) score linearly
// between 0 (Min) and 1 (Max). Weight is the item's weight inside its section (default 1).
type Item struct {
	ID       string  `yaml:"id" json:"id"`
	Text     string  `yaml:"text" json:"text"`
	Type     string  `yaml:"type" json:"type"`
	Min      int     `yaml:"min,omitempty" json:"min,omitempty"`
	Max      int     `yaml:"max,omitempty" json:"max,omitempty"`
	Weight   float64 `yaml:"weight,omitempty" json:"weight,omitempty"`
	AllowNA  bool    `yaml:"allow_na,omitempty" json:"allow_na,omitempty"`
	Critical string  `yaml:"critical,omitempty" json:"critical,omitempty"` // "", evaluation, section
}

func (it Item) weight() float64 {
	if it.Weight == 0 {
		return 1
	}
	return it.Weight
}

// ParseScorecard reads and validates a YAML scorecard. Unknown keys are errors.
func ParseScorecard(b []byte) (Scorecard, error) {
	var sc Scorecard
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil {
		return Scorecard{}, fmt.Errorf("parsing scorecard: %w", err)
	}
	return sc, sc.Validate()
}

// Validate reports every problem, each naming the section or item.
func (sc Scorecard) Validate() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if sc.ID == "" || len(sc.ID) > maxIDLen {
		fail("scorecard: id missing or longer than %d bytes", maxIDLen)
		sc.ID = clipID(sc.ID)
	}
	if sc.Version < 1 || sc.Version > maxScorecardVers {
		fail("scorecard %s: version %d is outside 1..%d", sc.ID, sc.Version, maxScorecardVers)
	}
	if len(sc.Name) > maxNameLen || len(sc.Description) > maxTextLen {
		fail("scorecard %s: name longer than %d bytes or description longer than %d", sc.ID, maxNameLen, maxTextLen)
	}
	if len(sc.Sections) == 0 || len(sc.Sections) > maxSections {
		fail("scorecard %s: %d sections, want 1..%d", sc.ID, len(sc.Sections), maxSections)
	}
	var sum float64
	ids := map[string]bool{}
	for _, s := range sc.Sections {
		sum += s.Weight
		if s.ID == "" || len(s.ID) > maxIDLen || ids["s:"+s.ID] {
			fail("scorecard %s: section id %q missing, repeated or longer than %d bytes", sc.ID, clipID(s.ID), maxIDLen)
		}
		ids["s:"+s.ID] = true
		if !(s.Weight > 0 && s.Weight <= 100) { // NaN fails too
			fail("section %s: weight %v is not in (0, 100]", clipID(s.ID), s.Weight)
		}
		if len(s.Name) > maxNameLen {
			fail("section %s: name longer than %d bytes", clipID(s.ID), maxNameLen)
		}
		if len(s.Items) == 0 || len(s.Items) > maxItems {
			fail("section %s: %d items, want 1..%d", clipID(s.ID), len(s.Items), maxItems)
		}
		for _, it := range s.Items {
			where := fmt.Sprintf("section %s item %s", clipID(s.ID), clipID(it.ID))
			if it.ID == "" || len(it.ID) > maxIDLen || ids["i:"+it.ID] {
				fail("%s: item id missing, repeated or longer than %d bytes (ids are unique across the scorecard)", where, maxIDLen)
			}
			if len(it.Text) > maxTextLen {
				fail("%s: text longer than %d bytes", where, maxTextLen)
			}
			ids["i:"+it.ID] = true
			switch it.Type {
			case ItemYesNo:
			case ItemScale:
				if it.Max <= it.Min {
					fail("%s: scale max %d must be above min %d", where, it.Max, it.Min)
				}
				if it.Min < -maxScaleBound || it.Max > maxScaleBound {
					fail("%s: scale %d..%d is outside %d..%d", where, it.Min, it.Max, -maxScaleBound, maxScaleBound)
				}
			default:
				fail("%s: type %q, want yes_no or scale", where, it.Type)
			}
			if !(it.Weight >= 0 && it.Weight <= maxWeight) { // NaN fails too
				fail("%s: weight %v is outside 0..%d", where, it.Weight, maxWeight)
			}
			switch it.Critical {
			case "":
			case CriticalEvaluation, CriticalSection:
				if it.Type != ItemYesNo {
					fail("%s: critical items must be yes_no", where)
				}
			default:
				fail("%s: critical %q, want evaluation or section", where, it.Critical)
			}
		}
	}
	if !(math.Abs(sum-100) <= 1e-9) {
		fail("scorecard %s: section weights sum to %v, want 100", sc.ID, sum)
	}
	return errors.Join(errs...)
}

// Item returns the item with the id.
func (sc Scorecard) Item(id string) (Item, string, bool) {
	for _, s := range sc.Sections {
		for _, it := range s.Items {
			if it.ID == id {
				return it, s.ID, true
			}
		}
	}
	return Item{}, "", false
}

// Answer is an evaluator's answer to one item: "yes", "no", "na", or a scale value ("4").
// AtSec points into the recording where the evidence is.
type Answer struct {
	Item    string   `json:"item"`
	Value   string   `json:"value"`
	Comment string   `json:"comment,omitempty"`
	AtSec   *float64 `json:"at_sec,omitempty"`
}

// SectionResult is a section's computed score.
type SectionResult struct {
	Section string  `json:"section"`
	Weight  float64 `json:"weight"`
	Score   float64 `json:"score"`  // 0..100
	NA      bool    `json:"na"`     // every item N/A: left out of the total, its weight spread over the rest
	Failed  bool    `json:"failed"` // a critical item failed the section
	Points  float64 `json:"points"` // sum of item weight x item score
	OutOf   float64 `json:"out_of"` // sum of item weights answered (N/A excluded)
}

// Result is a computed evaluation score.
type Result struct {
	Score        float64         `json:"score"` // 0..100, rounded to 0.01
	CriticalFail bool            `json:"critical_failed"`
	FailedItems  []string        `json:"failed_critical_items,omitempty"`
	Sections     []SectionResult `json:"sections"`
}

// ItemValue is an answer as a number in 0..1, or ok=false for N/A.
func (it Item) ItemValue(v string) (x float64, na bool, err error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "na" || v == "n/a" {
		if !it.AllowNA {
			return 0, false, fmt.Errorf("item %s: N/A is not allowed", it.ID)
		}
		return 0, true, nil
	}
	switch it.Type {
	case ItemYesNo:
		switch v {
		case "yes":
			return 1, false, nil
		case "no":
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("item %s: answer %q, want yes, no or na", it.ID, v)
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < it.Min || n > it.Max {
			return 0, false, fmt.Errorf("item %s: answer %q, want a whole number %d..%d", it.ID, v, it.Min, it.Max)
		}
		return float64(n-it.Min) / float64(it.Max-it.Min), false, nil
	}
}

// Score computes an evaluation's score from its answers. Every item must be answered once.
//
// Section score = 100 x sum(item weight x item score) / sum(item weight), over items not N/A.
// Total = sum(section weight x section score) / sum(section weight), over sections not all N/A
// (so N/A never counts as a pass or a fail). A "no" on a critical item scores its section 0
// (critical: section) or the whole evaluation 0 (critical: evaluation).
func (sc Scorecard) Score(answers []Answer) (Result, error) {
	byItem := map[string]Answer{}
	for _, a := range answers {
		if _, _, ok := sc.Item(a.Item); !ok {
			return Result{}, fmt.Errorf("scoring: item %q is not on scorecard %s v%d", a.Item, sc.ID, sc.Version)
		}
		if _, dup := byItem[a.Item]; dup {
			return Result{}, fmt.Errorf("scoring: item %s answered twice", a.Item)
		}
		byItem[a.Item] = a
	}
	var res Result
	var total, weights float64
	for _, s := range sc.Sections {
		sr := SectionResult{Section: s.ID, Weight: s.Weight}
		for _, it := range s.Items {
			a, ok := byItem[it.ID]
			if !ok {
				return Result{}, fmt.Errorf("scoring: item %s is not answered", it.ID)
			}
			x, na, err := it.ItemValue(a.Value)
			if err != nil {
				return Result{}, fmt.Errorf("scoring: %w", err)
			}
			if na {
				continue
			}
			sr.Points += it.weight() * x
			sr.OutOf += it.weight()
			if it.Critical != "" && x == 0 {
				res.FailedItems = append(res.FailedItems, it.ID)
				if it.Critical == CriticalSection {
					sr.Failed = true
				} else {
					res.CriticalFail = true
				}
			}
		}
		var exact float64 // unrounded, so the total is not rounded twice
		switch {
		case sr.OutOf == 0:
			sr.NA = true
		case sr.Failed:
		default:
			exact = 100 * sr.Points / sr.OutOf
		}
		sr.Score = round2(exact)
		if !sr.NA {
			total += s.Weight * exact
			weights += s.Weight
		}
		res.Sections = append(res.Sections, sr)
	}
	if weights > 0 && !res.CriticalFail {
		res.Score = round2(total / weights)
	}
	return res, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Scorecards holds every version of every scorecard. Registered versions never change.
type Scorecards struct {
	mu   sync.RWMutex
	byID map[string][]Scorecard // versions ascending
	// files names the file (or "built-in") that defines each file-defined id: the API does not
	// publish versions of those (see statestore.go).
	files map[string]string
	state *statedb.DB // where Publish keeps API versions; nil: memory only
}

//go:embed scorecards/*.yaml
var builtinScorecards embed.FS

// NewScorecards returns a registry holding the built-in scorecards (the insurance hotline
// default) and the YAML files in dir, if dir is not empty.
func NewScorecards(dir string) (*Scorecards, error) {
	r := &Scorecards{byID: map[string][]Scorecard{}, files: map[string]string{}}
	ents, _ := builtinScorecards.ReadDir("scorecards")
	for _, e := range ents {
		b, _ := builtinScorecards.ReadFile("scorecards/" + e.Name())
		sc, err := ParseScorecard(b)
		if err != nil {
			return nil, fmt.Errorf("built-in scorecard %s: %w", e.Name(), err)
		}
		if err := r.Add(sc); err != nil {
			return nil, err
		}
		r.files[sc.ID] = "built-in scorecard " + e.Name()
	}
	if dir == "" {
		return r, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var scs []Scorecard
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading scorecard: %w", err)
		}
		sc, err := ParseScorecard(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		scs = append(scs, sc)
		if _, ok := r.files[sc.ID]; !ok {
			r.files[sc.ID] = f
		}
	}
	sort.Slice(scs, func(i, j int) bool { return scs[i].Version < scs[j].Version })
	for _, sc := range scs {
		if err := r.Add(sc); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Publish registers a version sent through the API and keeps it in the state file. Ids
// defined by files are refused (ErrConflict): their versions are published in the files.
func (r *Scorecards) Publish(ctx context.Context, sc Scorecard) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if src, ok := r.files[sc.ID]; ok {
		return fmt.Errorf("scorecard %s is defined by %s: publish its versions there, or use another id: %w", sc.ID, src, ErrConflict)
	}
	if err := r.checkNewerLocked(sc); err != nil {
		return err
	}
	if r.state != nil {
		if err := saveScorecard(ctx, r.state, sc); err != nil {
			return fmt.Errorf("saving scorecard %s version %d: %w: %w", sc.ID, sc.Version, ErrNotSaved, err)
		}
	}
	r.byID[sc.ID] = append(r.byID[sc.ID], sc)
	return nil
}

// Add registers a new version; it must be newer than every registered version of the id.
func (r *Scorecards) Add(sc Scorecard) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkNewerLocked(sc); err != nil {
		return err
	}
	r.byID[sc.ID] = append(r.byID[sc.ID], sc)
	return nil
}

func (r *Scorecards) checkNewerLocked(sc Scorecard) error {
	vs := r.byID[sc.ID]
	if n := len(vs); n > 0 && vs[n-1].Version >= sc.Version {
		return fmt.Errorf("scorecard %s: version %d is not newer than the registered version %d (versions are immutable: publish a new one): %w", sc.ID, sc.Version, vs[n-1].Version, ErrConflict)
	}
	return nil
}

// Get returns a version; version 0 means the latest.
func (r *Scorecards) Get(id string, version int) (Scorecard, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	vs := r.byID[id]
	if len(vs) == 0 {
		return Scorecard{}, fmt.Errorf("scorecard %q: %w", id, ErrNotFound)
	}
	if version == 0 {
		return vs[len(vs)-1], nil
	}
	i := slices.IndexFunc(vs, func(s Scorecard) bool { return s.Version == version })
	if i < 0 {
		return Scorecard{}, fmt.Errorf("scorecard %s version %d: %w", id, version, ErrNotFound)
	}
	return vs[i], nil
}

// List returns the latest version of each scorecard.
func (r *Scorecards) List() []Scorecard {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Scorecard
	for _, vs := range r.byID {
		out = append(out, vs[len(vs)-1])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
