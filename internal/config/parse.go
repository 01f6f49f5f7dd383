package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// parseScalar converts the text of one env var, flag or YAML scalar into a value of s's type.
// The returned message is a Problem for Error: it quotes the input and says what was expected.
func (s setting) parseScalar(text string) (reflect.Value, string) {
	quoted := strconv.Quote(text)
	if s.secret {
		quoted = "the value" // a password must not end up in a log through an error message
	}
	switch {
	case s.typ == durationType:
		d, err := time.ParseDuration(strings.TrimSpace(text))
		if err != nil {
			return reflect.Value{}, quoted + ` is not a duration (e.g. "500ms", "2s")`
		}
		return reflect.ValueOf(d), ""
	case s.typ.Kind() == reflect.String:
		return reflect.ValueOf(text).Convert(s.typ), ""
	case s.typ.Kind() == reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return reflect.Value{}, quoted + " is not an integer"
		}
		return reflect.ValueOf(n).Convert(s.typ), ""
	case s.typ.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) { // "NaN" and "Inf" parse, yet no setting can hold them
			return reflect.Value{}, quoted + " is not a number"
		}
		return reflect.ValueOf(f).Convert(s.typ), ""
	case s.typ.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return reflect.Value{}, quoted + " is not a boolean (true or false)"
		}
		return reflect.ValueOf(b).Convert(s.typ), ""
	case s.typ.Kind() == reflect.Slice && s.typ.Elem().Kind() == reflect.String:
		return reflect.ValueOf(splitList(text)).Convert(s.typ), ""
	}
	// Only reachable when someone adds a field of a new type: fail loudly at the first load.
	panic(fmt.Sprintf("config: %s: unsupported field type %s", s.key, s.typ))
}

// splitList splits a comma-separated list, trimming blanks and dropping empty entries, so that
// "a:1, b:2," means two entries and "" means none.
func splitList(text string) []string {
	var out []string
	for part := range strings.SplitSeq(text, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
