package web

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

func serve(t *testing.T, path string) *http.Response {
	t.Helper()
	srv := httpapi.New()
	Register(srv)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Result()
}

// The page is revalidated on every load and locked down by its CSP; the assets it names exist
// and are cached for a year; anything else under /assets/ is a 404, and / does not swallow
// unknown paths (an /api typo is not answered with the page).
func TestServesTheWorkspace(t *testing.T) {
	page := serve(t, "/")
	body := new(bytes.Buffer)
	body.ReadFrom(page.Body)
	if page.StatusCode != 200 || page.Header.Get("Cache-Control") != "no-cache" || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d, Cache-Control %q, Content-Type %q", page.StatusCode, page.Header.Get("Cache-Control"), page.Header.Get("Content-Type"))
	}
	csp := page.Header.Get("Content-Security-Policy")
	if csp != ContentSecurityPolicy || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q", csp)
	}
	for _, h := range []string{"X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
		if page.Header.Get(h) == "" {
			t.Errorf("GET / lacks %s", h)
		}
	}
	if strings.Contains(body.String(), "http://") || strings.Contains(body.String(), "https://") || strings.Contains(body.String(), "<script>") {
		t.Errorf("the page loads something from elsewhere or has inline script:\n%s", body)
	}
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(body.String(), -1)
	if len(refs) != 2 {
		t.Fatalf("the page names %d assets, want the script and the style sheet:\n%s", len(refs), body)
	}
	for _, ref := range refs {
		a := serve(t, ref[1])
		if a.StatusCode != 200 || a.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: %d, Cache-Control %q", ref[1], a.StatusCode, a.Header.Get("Cache-Control"))
		}
	}
	for _, p := range []string{"/assets/nope.js", "/assets/", "/api/nope", "/desk"} {
		if r := serve(t, p); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.StatusCode)
		}
	}
}

// dist/ is what build.mjs makes of src/ with the locked packages: rebuilt, it is byte for byte
// the same (so the checked-in assets are the sources', and a change to src/ without a rebuild
// fails here).
func TestBuiltAssetsMatchSources(t *testing.T) {
	if _, err := os.Stat("node_modules/esbuild"); err != nil {
		t.Fatalf("web/node_modules is missing: run `make web-deps` (npm ci in web/) first: %v", err)
	}
	out := t.TempDir()
	cmd := exec.Command("node", "build.mjs", "--out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node build.mjs: %v\n%s", err, b)
	}
	check := exec.Command("node_modules/.bin/tsc", "--noEmit", "-p", ".")
	if b, err := check.CombinedOutput(); err != nil {
		t.Errorf("type check of src/ failed: %v\n%s", err, b)
	}
	want := map[string][]byte{}
	fs.WalkDir(os.DirFS(out), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			want[p], _ = os.ReadFile(filepath.Join(out, p))
		}
		return nil
	})
	got := map[string][]byte{}
	fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got[strings.TrimPrefix(p, "dist/")], _ = dist.ReadFile(p)
		}
		return nil
	})
	for p, b := range want {
		if !bytes.Equal(got[p], b) {
			t.Errorf("dist/%s differs from a fresh build of src/: run `node web/build.mjs` and commit dist/", p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("dist/%s is not made by the build: remove it (run `node web/build.mjs`)", p)
		}
	}
}
