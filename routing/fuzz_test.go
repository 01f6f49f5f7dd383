package routing

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecodeOptional: the desktop's optional bodies decode or are refused as bad requests.
func FuzzDecodeOptional(f *testing.F) {
	for _, s := range []string{`{"reason":"lunch"}`, `{"kind":"queue","target":"claims"}`, `{"reason":`, `[]`, `{"x":1}`, `{"disposition":"` + strings.Repeat("d", 100) + `"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v struct {
			Reason      string `json:"reason"`
			Kind        string `json:"kind"`
			Target      string `json:"target"`
			Disposition string `json:"disposition"`
		}
		err := decodeOptional(httptest.NewRequest("POST", "/", strings.NewReader(body)), &v)
		if err != nil {
			if _, ok := err.(httpError); !ok {
				t.Fatalf("a refusal that is not a bad request: %T %v", err, err)
			}
		}
	})
}
