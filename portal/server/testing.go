package server

import (
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// TestServer starts a reference portal on loopback for a test, with its
// storage in the test's temporary folder, and one token per named site
// ("tok-<site>-0123456789"). It is stopped when the test ends.
func TestServer(t testing.TB, cfg Config, sites ...string) (*httptest.Server, *Server) {
	t.Helper()
	if cfg.DataFile == "" {
		cfg.DataFile = filepath.Join(t.TempDir(), "portal.db")
	}
	if cfg.Tokens == nil {
		cfg.Tokens = map[string]string{}
	}
	for _, s := range sites {
		cfg.Tokens[s] = TestToken(s)
	}
	hs := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + hs.Listener.Addr().String()
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return hs, srv
}

// TestToken is the token TestServer gives a site.
func TestToken(site string) string { return "tok-" + site + "-0123456789" }
