package routing

import (
	"strings"
	"testing"
)

// TestDesktopPreviewWithoutPreviewCampaigns: a desktop whose dialer has no preview campaigns (or
// none at all) answers the preview endpoints with 404 and says why; the desk state has no preview.
func TestDesktopPreviewWithoutPreviewCampaigns(t *testing.T) {
	srv, _, _, _ := newDesktopServer(t)
	a1 := token(t, srv, "a1")
	if code, body := call(t, srv, a1, "POST", "/api/agent/login", ""); code != 200 || strings.Contains(body, `"preview"`) {
		t.Fatalf("login %d %s", code, body)
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/agent/preview"}, {"POST", "/api/agent/preview/dial"}, {"POST", "/api/agent/preview/skip"},
	} {
		if code, body := call(t, srv, a1, tc.method, tc.path, ""); code != 404 || !strings.Contains(body, "no preview campaigns") {
			t.Errorf("%s %s: %d %s, want 404 no preview campaigns", tc.method, tc.path, code, body)
		}
	}
}
