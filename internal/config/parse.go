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
		d, err := parseDuration(strings.TrimSpace(text))
		if err != nil {
			return reflect.Value{}, quoted + ` is not a duration (e.g. "500ms", "2s", "90d", "5y")`
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

// Days and years (365 days), for retention periods: "90d", "5y". time.ParseDuration knows
// hours at most.
const (
	day  = 24 * time.Hour
	year = 365 * day
)

// parseDuration reads a Go duration ("1h30m") or a whole number of days or years ("183d", "5y").
func parseDuration(text string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"d", day}, {"y", year}} {
		if num, ok := strings.CutSuffix(text, u.suffix); ok {
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n > 1000 {
				return 0, fmt.Errorf("%q: want a whole number of %s up to 1000", text, u.suffix)
			}
			return time.Duration(n) * u.d, nil
		}
	}
	return time.ParseDuration(text)
}
