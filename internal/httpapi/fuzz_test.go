package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// FuzzDecodeJSON: whatever the body, DecodeJSON either decodes a value that encodes again or
// answers 400/413 with a message; it never panics.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"a","weight":1.5,"ids":[1,2]}`, `{"a":`, `[1,2]`, `{"weight":1e400}`, `{"name":"x"} {"name":"y"}`,
		strings.Repeat("[", 1000), `{"weight":NaN}`, `{"ids":[1,"2"]}`, ``, `null`, `{"name":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v struct {
			Name   string  `json:"name"`
			Weight float64 `json:"weight"`
			IDs    []int   `json:"ids"`
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		if err := httpapi.DecodeJSON(rec, req, &v); err != nil {
			var e struct{ Error string }
			if (rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestEntityTooLarge) || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error == "" {
				t.Fatalf("refused with %d %q", rec.Code, rec.Body.String())
			}
			return
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("decoded a value that does not encode: %+v: %v", v, err)
		}
	})
}

// FuzzMaskNumbers: no run of seven or more digits survives whole in a logged path.
func FuzzMaskNumbers(f *testing.F) {
	for _, s := range []string{"/api/dnc/+8613800000001", "/api/customers/110101199003077777/x", "1234567", "123456", "/é/0000000000000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := httpapi.MaskNumbers(s)
		if len(got) != len(s) {
			t.Fatalf("MaskNumbers changed the length: %q -> %q", s, got)
		}
		run := 0
		for i := 0; i < len(got); i++ {
			if got[i] >= '0' && got[i] <= '9' {
				run++
				if run > 6 {
					t.Fatalf("MaskNumbers(%q) = %q keeps %d digits in a row", s, got, run)
				}
			} else {
				run = 0
			}
		}
	})
}
