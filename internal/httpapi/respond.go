package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// MaxBodyBytes is the largest request body DecodeJSON reads (1 MiB).
const MaxBodyBytes = 1 << 20

// WriteJSON writes v as JSON with the given status. v is encoded before anything is sent, so an
// unencodable value becomes a clean 500 rather than half a response.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		Error(w, http.StatusInternalServerError, "encoding response: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client went away; nothing left to tell it
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error string `json:"error"`
}

// maxErrorLen bounds an error message: a handler that quotes a request's value whole does not
// echo megabytes back.
const maxErrorLen = 1000

// Error writes {"error": msg} with the given status; a message over 1000 bytes is cut.
func Error(w http.ResponseWriter, status int, msg string) {
	if len(msg) > maxErrorLen {
		cut := maxErrorLen
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: msg})
}

// Encodable returns the items of a list that encode as JSON, in order: one bad object (a NaN
// that reached a store before it was checked) leaves the list, whose other objects are still
// served, instead of turning the whole response into a 500. What was left out is named in the
// request's log line.
func Encodable[T any](r *http.Request, items []T) []T {
	out := make([]T, 0, len(items))
	var bad []error
	for i, it := range items {
		if err := json.NewEncoder(io.Discard).Encode(it); err != nil {
			bad = append(bad, fmt.Errorf("item %d: %w", i, err))
			continue
		}
		out = append(out, it)
	}
	if len(bad) > 0 {
		setError(r, fmt.Errorf("left %d unencodable items out of a list: %w", len(bad), errors.Join(bad...)))
	}
	return out
}

// InternalError answers 500 for a failure behind the request (a database, a file): the client
// learns what failed, never the detail (SQL, paths, addresses), which goes to the request's log
// line instead.
func InternalError(w http.ResponseWriter, r *http.Request, what string, err error) {
	Fail(w, r, http.StatusInternalServerError, what, err)
}

// Fail is InternalError with another 5xx status (502 for a failure upstream).
func Fail(w http.ResponseWriter, r *http.Request, status int, what string, err error) {
	setError(r, fmt.Errorf("%s: %w", what, err))
	Error(w, status, what+" failed; the server log has the detail")
}

// maxQuoted is how much of a value from a request an error message quotes.
const maxQuoted = 64

// Clip shortens s, a value from a request, for quoting in an error message or a log line: a
// 100 KB id is not echoed back whole.
func Clip(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("...(%d bytes)", len(s))
}

// DecodeJSON decodes the request body into v, strictly: one JSON value, no unknown fields, at
// most MaxBodyBytes. On failure it has already written the error response (400, or 413 for a
// body too large) and returns the error, so a handler only needs
//
//	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
//		return
//	}
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// A second value after the first is a malformed request, not something to ignore.
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("request body has data after the JSON value")
		}
	}
	if err == nil {
		return nil
	}
	status, msg := http.StatusBadRequest, describeDecodeError(err)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		status = http.StatusRequestEntityTooLarge
	}
	Error(w, status, msg)
	return fmt.Errorf("decoding request body: %w", err)
}

func describeDecodeError(err error) string {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("request body is not valid JSON at byte %d: %v", se.Offset, se)
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field != "" {
			return fmt.Sprintf("field %q: expected %s, got JSON %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("request body: expected %s, got JSON %s", te.Type, te.Value)
	}
	switch {
	case errors.Is(err, io.EOF):
		return "request body is empty; expected a JSON value"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "request body ends in the middle of a JSON value"
	}
	// encoding/json reports unknown fields only as text: `json: unknown field "x"`.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + name
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
