package events_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/internal/docsection"
)

// The contract's document; the part between its markers is generated from the Go types below,
// so the document cannot drift from the code.
const (
	docPath = "../docs/events.md"
	docCmd  = "go test ./events -run TestEventsDoc -update"
)

// TestEventsDoc fails when docs/events.md's field tables differ from the event types: every
// type, its topic, key and table, and every field with its JSON name, wire type and the comment
// beside it (which carries the unit). -update rewrites the tables.
func TestEventsDoc(t *testing.T) {
	if err := docsection.Sync(docPath, docCmd, eventTables(t), *update); err != nil {
		t.Error(err)
	}
}

// eventTables renders one section per event type, in contract order, then the structs they nest.
func eventTables(t *testing.T) string {
	structs := parseStructs(t)
	var b strings.Builder
	b.WriteString("\n")
	nested := []reflect.Type{}
	seen := map[reflect.Type]bool{}
	writeStruct := func(rt reflect.Type) {
		st, ok := structs[rt.Name()]
		if !ok {
			t.Fatalf("no declaration of %s found in the events package", rt.Name())
		}
		b.WriteString("| field | wire type | meaning |\n|---|---|---|\n")
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			name = "`" + name + "`"
			if strings.Contains(opts, "omitempty") {
				name += " (omitted when empty)"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", name, wireType(f.Type), cell(st[f.Name]))
			for _, inner := range structsIn(f.Type) {
				if !seen[inner] {
					seen[inner] = true
					nested = append(nested, inner)
				}
			}
		}
		b.WriteString("\n")
	}

	b.WriteString("### Envelope (`Event`)\n\n")
	writeStruct(reflect.TypeOf(events.Event{}))
	for _, typ := range events.Types() {
		p, ok := events.Zero(typ)
		if !ok {
			t.Fatalf("no payload for %s", typ)
		}
		rt := reflect.TypeOf(p)
		fmt.Fprintf(&b, "### `%s` (`%s`)\n\n", typ, rt.Name())
		if d := structs[rt.Name()]["."]; d != "" {
			b.WriteString(d + "\n\n")
		}
		fmt.Fprintf(&b, "Topic `%s`, key `%s`, ClickHouse table `%s`.\n\n", events.TopicOf(typ), keyField(t, p), ingest.TableOf(typ))
		writeStruct(rt)
	}
	for len(nested) > 0 {
		rt := nested[0]
		nested = nested[1:]
		fmt.Fprintf(&b, "### `%s` (nested)\n\n", rt.Name())
		if d := structs[rt.Name()]["."]; d != "" {
			b.WriteString(d + "\n\n")
		}
		writeStruct(rt)
	}
	b.WriteString(valueLists(t, b.String()))
	return b.String()
}

// valueLists renders the value lists the field comments name ("one of CallOutcomes"). A comment
// naming a list missing here fails the test, so the table grows with the contract.
func valueLists(t *testing.T, tables string) string {
	lists := []struct {
		name   string
		values []string
	}{
		{"AgentStates", events.AgentStates},
		{"AttemptOutcomes", events.AttemptOutcomes},
		{"BusinessLines", events.BusinessLines},
		{"CallOutcomes", events.CallOutcomes},
		{"CallStages", events.CallStages},
		{"CampaignTypes", events.CampaignTypes},
		{"ClaimStatuses", events.ClaimStatuses},
		{"ComplaintChannels", events.ComplaintChannels},
		{"ComplaintStages", events.ComplaintStages},
		{"EvaluationStatuses", events.EvaluationStatuses},
		{"PolicyLines", events.PolicyLines},
		{"PolicyStatuses", events.PolicyStatuses},
		{"SMSKinds", events.SMSKinds},
		{"SMSStatuses", events.SMSStatuses},
		{"SurveyChannels", events.SurveyChannels},
		{"SurveyKinds", events.SurveyKinds},
	}
	known := map[string]bool{}
	var b strings.Builder
	b.WriteString("### Value lists\n\n| list | values |\n|---|---|\n")
	for _, l := range lists {
		known[l.name] = true
		fmt.Fprintf(&b, "| %s | `%s` |\n", l.name, strings.Join(l.values, "`, `"))
	}
	for _, m := range regexp.MustCompile(`one of ([A-Z][A-Za-z]+)`).FindAllStringSubmatch(tables, -1) {
		if !known[m[1]] {
			t.Errorf("a field is %q, a list the value-list table does not have: add it to valueLists", m[0])
		}
	}
	return b.String()
}

// keyField finds which field a payload's Key returns, by filling every string field with its
// JSON name.
func keyField(t *testing.T, p events.Payload) string {
	v := reflect.New(reflect.TypeOf(p)).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Type.Kind() == reflect.String && f.IsExported() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			v.Field(i).SetString(name)
		}
	}
	k := v.Interface().(events.Payload).Key()
	if k == "" {
		t.Fatalf("%s: Key returns no field", reflect.TypeOf(p).Name())
	}
	return k
}

// wireType is how a Go field appears in the JSON.
func wireType(rt reflect.Type) string {
	switch {
	case rt == reflect.TypeOf(time.Time{}):
		return "time (RFC 3339)"
	case rt.Kind() == reflect.Pointer:
		return wireType(rt.Elem()) + " or absent"
	case rt.Kind() == reflect.Slice:
		return "array of " + wireType(rt.Elem())
	case rt.Kind() == reflect.Array && rt.Elem().Kind() == reflect.Uint8:
		return "UUID string"
	case rt.Kind() == reflect.Struct:
		return "object `" + rt.Name() + "`"
	case rt.Kind() == reflect.Interface:
		return "object (the payload)"
	case rt.Kind() == reflect.String:
		return "string"
	case rt.Kind() == reflect.Bool:
		return "boolean"
	case rt.Kind() == reflect.Float32 || rt.Kind() == reflect.Float64:
		return "number"
	case rt.Kind() >= reflect.Int && rt.Kind() <= reflect.Uint64:
		return "integer"
	case rt.Kind() == reflect.Map:
		return "object of " + wireType(rt.Elem())
	}
	return rt.String()
}

// structsIn lists the events structs (other than time.Time) a field's type holds.
func structsIn(rt reflect.Type) []reflect.Type {
	for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Map {
		rt = rt.Elem()
	}
	if rt.Kind() == reflect.Struct && rt.PkgPath() == reflect.TypeOf(events.Event{}).PkgPath() {
		return []reflect.Type{rt}
	}
	return nil
}

// parseStructs reads the package's declarations: for each struct, the comment of each field by
// Go name, and under "." the type's doc comment.
func parseStructs(t *testing.T) map[string]map[string]string {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	out := map[string]map[string]string{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				doc := ts.Doc // a type in a grouped declaration has its own comment
				if doc == nil {
					doc = gd.Doc
				}
				m := map[string]string{".": oneLine(doc.Text())}
				for _, fl := range st.Fields.List {
					text := oneLine(fl.Doc.Text() + " " + fl.Comment.Text())
					for _, n := range fl.Names {
						m[n.Name] = text
					}
				}
				out[ts.Name.Name] = m
			}
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cell makes text safe inside a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
