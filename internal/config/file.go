package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// applyFile reads the YAML file at path into c. It walks the YAML node tree itself rather than
// calling Decode, so that every error can name the file, the line and the setting; unknown keys
// are rejected just as yaml.v3's KnownFields(true) would, but with the list of keys that exist.
func applyFile(c *Config, path string, origins map[string]string) []*Error {
	data, err := os.ReadFile(path)
	if err != nil {
		return []*Error{{Source: path, Problem: fmt.Sprintf("reading config file: %v", err)}}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file changes nothing
		}
		return []*Error{syntaxError(path, err)}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil // a file of comments only
	}
	byKey := make(map[string]setting)
	for _, s := range settings() {
		byKey[s.key] = s
	}
	w := fileWalker{path: path, cfg: c, byKey: byKey, origins: origins}
	w.mapping(root, "")
	return w.errs
}

type fileWalker struct {
	path    string
	cfg     *Config
	byKey   map[string]setting
	origins map[string]string
	errs    []*Error
}

func (w *fileWalker) fail(n *yaml.Node, field, problem string) {
	w.errs = append(w.errs, &Error{Source: fmt.Sprintf("%s:%d", w.path, n.Line), Field: field, Problem: problem})
}

// mapping applies a YAML mapping whose keys are children of prefix ("" for the top level).
func (w *fileWalker) mapping(n *yaml.Node, prefix string) {
	section := strings.TrimSuffix(prefix, ".")
	if n.Kind != yaml.MappingNode {
		field := section
		if field == "" {
			field = "(top level)"
		}
		w.fail(n, field, "expected a mapping of keys, got "+kindName(n))
		return
	}
	seen := make(map[string]bool)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := prefix + k.Value
		if seen[k.Value] {
			w.fail(k, key, "set twice in the same mapping")
			continue
		}
		seen[k.Value] = true
		if s, ok := w.byKey[key]; ok {
			w.value(s, v)
			continue
		}
		if w.isSection(key) {
			w.mapping(v, key+".")
			continue
		}
		w.fail(k, key, fmt.Sprintf("unknown key (known keys here: %s)", strings.Join(w.children(prefix), ", ")))
	}
}

// value applies one YAML value to the setting s.
func (w *fileWalker) value(s setting, n *yaml.Node) {
	dst := s.field(w.cfg)
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		dst.Set(reflect.Zero(s.typ)) // "key:" with no value means empty
	case n.Kind == yaml.SequenceNode && s.typ.Kind() == reflect.Slice:
		list := reflect.MakeSlice(s.typ, 0, len(n.Content))
		for i, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				w.fail(item, fmt.Sprintf("%s[%d]", s.key, i), "expected a string, got "+kindName(item))
				return
			}
			list = reflect.Append(list, reflect.ValueOf(item.Value).Convert(s.typ.Elem()))
		}
		dst.Set(list)
	case n.Kind == yaml.ScalarNode:
		v, problem := s.parseScalar(n.Value)
		if problem != "" {
			w.fail(n, s.key, problem)
			return
		}
		dst.Set(v)
	default:
		w.fail(n, s.key, "expected a single value, got "+kindName(n))
		return
	}
	w.origins[s.key] = fmt.Sprintf("%s:%d", w.path, n.Line)
}

// isSection reports whether key names a section (a nested struct) rather than a leaf.
func (w *fileWalker) isSection(key string) bool {
	for k := range w.byKey {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// children lists the keys directly under prefix, for the "unknown key" message.
func (w *fileWalker) children(prefix string) []string {
	var out []string
	for k := range w.byKey {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			name, _, _ := strings.Cut(rest, ".")
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// syntaxError turns yaml.v3's "yaml: line 3: did not find …" into the path:line form used
// everywhere else.
func syntaxError(path string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return &Error{Source: path + ":" + m[1], Problem: "invalid YAML: " + m[2]}
	}
	return &Error{Source: path, Problem: "invalid YAML: " + msg}
}

var yamlLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}
