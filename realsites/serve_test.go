package realsites

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestDomains(t *testing.T) {
	got, err := Domains("testdata/site")
	if err != nil {
		t.Fatal(err)
	}
	// school.example: two of its links name files of the folder (about.html
	// and docs/ustav.pdf); portal.example only one; vk.com only its root;
	// cdn.example a file the folder does not have.
	if want := []string{"school.example"}; !slices.Equal(got, want) {
		t.Errorf("Domains = %v, want %v", got, want)
	}
}

func TestStaticHandler(t *testing.T) {
	srv := httptest.NewServer(staticHandler("testdata/site"))
	defer srv.Close()
	for _, tc := range []struct {
		path, status, ctype, body string
	}{
		{"/", "200", "text/html", "Школа № 0"},
		{"/index.html", "200", "text/html", "Школа № 0"}, // served as it is, no redirect to /
		{"/sveden/", "200", "text/html", "План ФХД"},
		{"/docs/", "200", "text/html", "ustav.pdf"}, // a folder without an index is listed
		{"/docs/ustav.pdf", "200", "application/pdf", "%PDF"},
		{"/missing.html", "404", "", ""},
		{"/../serve_test.go", "404", "", ""},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := resp.Status[:3]; got != tc.status {
			t.Errorf("%s: status %s, want %s", tc.path, got, tc.status)
			continue
		}
		if tc.ctype != "" && !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", tc.path, resp.Header.Get("Content-Type"), tc.ctype)
		}
		if tc.ctype == "text/html" && strings.Contains(tc.path, ".html") && strings.Contains(resp.Header.Get("Content-Type"), "charset") {
			t.Errorf("%s: Content-Type %q names a charset the site never declared", tc.path, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(string(body), tc.body) {
			t.Errorf("%s: body lacks %q", tc.path, tc.body)
		}
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(srv.URL + "/sveden")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/sveden/" {
		t.Errorf("/sveden: %s to %q, want 301 to /sveden/", resp.Status, resp.Header.Get("Location"))
	}
}

func TestResolver(t *testing.T) {
	r := newResolver()
	s := &siteServer{addr: "127.0.0.1:8001", tlsAddr: "127.0.0.1:8002", domains: []string{"school.example"}}
	r.add(s)
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1:8001", "127.0.0.1:8001"},
		{"school.example:80", "127.0.0.1:8001"},
		{"WWW.School.Example:80", "127.0.0.1:8001"},
		{"school.example:443", "127.0.0.1:8002"},
		{"example.org:80", refused},
		{"127.0.0.1:8003", refused},
	} {
		if got := r.resolve(tc.in); got != tc.want {
			t.Errorf("resolve(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if n := r.Offsite.Load(); n != 2 {
		t.Errorf("Offsite = %d, want 2", n)
	}
	if got := r.allow(); len(got) != 2 {
		t.Errorf("allow = %v, want the two server addresses", got)
	}
}

func TestLinkedDocs(t *testing.T) {
	srv := httptest.NewServer(staticHandler("testdata/site"))
	defer srv.Close()
	s := &siteServer{site: Site{Name: "fixture"}, addr: strings.TrimPrefix(srv.URL, "http://"), domains: []string{"school.example"}}
	got, err := linkedDocs(context.Background(), srv.Client(), s, []string{"index.html", "sveden/index.html", "missing.html"})
	if err != nil {
		t.Fatal(err)
	}
	// docs\ustav.pdf is read as browsers read it; the picture is not a
	// document; the https link to the original domain names the same file.
	if want := []string{"docs/plan.pdf", "docs/ustav.pdf"}; !slices.Equal(got, want) {
		t.Errorf("linkedDocs = %v, want %v", got, want)
	}
}

// needPHP skips a test when php is missing, and fails it under CI.
func needPHP(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("php"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("php is not installed (Debian package php-cli); CI must have it")
		}
		t.Skip("php is not installed (Debian package php-cli)")
	}
}

func TestServePHP(t *testing.T) {
	needPHP(t)
	for _, html := range []bool{false, true} {
		addr, stop, err := servePHP(context.Background(), "testdata/php", "testdata/router.php", html)
		if err != nil {
			t.Fatal(err)
		}
		get := func(p string) string {
			resp, err := http.Get("http://" + addr + p)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		if body := get("/index.php"); !strings.Contains(body, "path /index.php") {
			t.Errorf("php served %q", body)
		}
		if body := get("/page.html"); strings.Contains(body, "<?php") == html {
			t.Errorf("PHP_HTML=%v: page.html served as %q", html, body)
		}
		stop() // must return: the server is one process
		if _, err := http.Get("http://" + addr + "/index.php"); err == nil {
			t.Errorf("the PHP server still answers after stop")
		}
	}
}
