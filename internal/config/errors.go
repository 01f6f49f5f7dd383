package config

import (
	"errors"
	"strings"
)

// Error is one bad setting: where the value came from, which setting, and what is wrong with it.
// Load returns these (joined with errors.Join when there are several); use errors.As to inspect.
type Error struct {
	// Source is where the value came from: "env HOTLINE_TENANT", "flag --tenant",
	// "/etc/hotline.yaml:12" (path:line), or "" when the value is a default.
	Source string
	// Field is the setting's YAML path, e.g. "ingest.flush_interval".
	Field string
	// Problem says what is wrong, e.g. `"5x" is not a duration (e.g. "500ms", "2s")`.
	Problem string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	if e.Source != "" {
		b.WriteString(e.Source)
		b.WriteString(": ")
	}
	// An env var or flag name already says which setting it is; a file line or a default does not.
	named := strings.HasPrefix(e.Source, "env ") || strings.HasPrefix(e.Source, "flag ")
	if e.Field != "" && !named {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

// joinErrors turns a list of problems into one error, nil when there are none.
func joinErrors(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	list := make([]error, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return errors.Join(list...)
}
