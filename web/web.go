// Package web serves the web workspace: the built single-page app in dist/ (made by build.mjs
// from src/, checked in and embedded, so the binary needs nothing at run time and a fresh
// machine needs no Node to build it). The app talks to the same server's /api.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

//go:embed dist
var dist embed.FS

// ContentSecurityPolicy allows only the server's own scripts, styles, images and connections
// (the API and the agent WebSocket): no inline script or style, no other origin, no framing.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Register mounts the workspace at / and its assets at /assets/.
func Register(srv *httpapi.Server) {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		panic("web: dist/index.html missing from the embedded files: run `node web/build.mjs`")
	}
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/{$}", Public: true,
		Summary: "the web workspace (sign in, then the screens of your role)",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			securityHeaders(h)
			h.Set("Content-Security-Policy", ContentSecurityPolicy)
			// The page names the assets by their content's hash: it must be revalidated so a new
			// release's page (and so its new assets) is picked up at once.
			h.Set("Cache-Control", "no-cache")
			h.Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(index)
		})})
	assets := http.FileServerFS(files)
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/assets/{file...}", Public: true,
		Summary: "the web workspace's scripts and styles (content-hashed names, cached for a year)",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			name := r.PathValue("file")
			if st, err := fs.Stat(files, path.Join("assets", name)); err != nil || st.IsDir() {
				httpapi.Error(w, http.StatusNotFound, "no such asset: "+name)
				return
			}
			securityHeaders(w.Header())
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			assets.ServeHTTP(w, r)
		})})
}

func securityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}
