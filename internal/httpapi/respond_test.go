package httpapi_test

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

func TestDecodeJSON(t *testing.T) {
	type campaign struct {
		Name     string `json:"name"`
		Attempts int    `json:"attempts"`
	}
	tests := []struct {
		name     string
		body     string
		wantCode int    // 0: decoding succeeds
		wantMsg  string // substring of the error body
	}{
		{"ok", `{"name":"renewals","attempts":3}`, 0, ""},
		{"ok with trailing space", "{\"name\":\"x\"}\n ", 0, ""},
		{"unknown field", `{"name":"x","attemps":3}`, 400, `unknown field \"attemps\"`},
		{"wrong type", `{"attempts":"3"}`, 400, `field \"attempts\": expected int, got JSON string`},
		{"not an object", `[1]`, 400, "expected httpapi_test.campaign, got JSON array"},
		{"syntax", `{"name":}`, 400, "not valid JSON at byte 9"},
		{"truncated", `{"name":"x"`, 400, "ends in the middle of a JSON value"},
		{"empty", ``, 400, "request body is empty"},
		{"two values", `{"name":"a"}{"name":"b"}`, 400, "data after the JSON value"},
		{"too large", `{"name":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`, 413, "larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/api/campaigns", strings.NewReader(tt.body))
			var c campaign
			err := httpapi.DecodeJSON(rec, req, &c)
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("DecodeJSON: %v (response %d %s)", err, rec.Code, rec.Body)
				}
				return
			}
			if err == nil {
				t.Fatalf("DecodeJSON succeeded, want %d", tt.wantCode)
			}
			if rec.Code != tt.wantCode || !strings.Contains(rec.Body.String(), tt.wantMsg) {
				t.Errorf("response %d %s, want %d containing %s", rec.Code, rec.Body, tt.wantCode, tt.wantMsg)
			}
			if !strings.HasPrefix(err.Error(), "decoding request body: ") {
				t.Errorf("error %q is not wrapped with what was being done", err)
			}
		})
	}
}

func TestDecodeJSONTooLargeUnwraps(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/", strings.NewReader(`"`+strings.Repeat("x", 2<<20)+`"`))
	var s string
	err := httpapi.DecodeJSON(rec, req, &s)
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		t.Errorf("error %v does not unwrap to *http.MaxBytesError", err)
	}
}

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		v        any
		wantCode int
		wantBody string
	}{
		{"object", 201, map[string]int{"id": 7}, 201, `{"id":7}` + "\n"},
		{"unencodable", 200, math.Inf(1), 500, `{"error":"encoding response: json: unsupported value: +Inf"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			httpapi.WriteJSON(rec, tt.status, tt.v)
			if rec.Code != tt.wantCode || rec.Body.String() != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body, tt.wantCode, tt.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestError(t *testing.T) {
	rec := httptest.NewRecorder()
	httpapi.Error(rec, http.StatusConflict, `campaign "renewals" is already running`)
	if want := `{"error":"campaign \"renewals\" is already running"}` + "\n"; rec.Code != 409 || rec.Body.String() != want {
		t.Errorf("got %d %q, want 409 %q", rec.Code, rec.Body, want)
	}
}
