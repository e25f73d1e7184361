package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"perenos/portal"
	"perenos/portal/contracttest"
	"perenos/portal/server"
)

func call(t *testing.T, base, method, path, token, ctype string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, data
}

func TestServerAnswersAsTheContractSays(t *testing.T) {
	hs, _ := server.TestServer(t, server.Config{MaxObjectSize: 4096, MaxFileSize: 1 << 16}, "sh1", "sh2")
	tok := server.TestToken("sh1")
	file := []byte("%PDF-1.4 устав")
	sum := sha256.Sum256(file)
	sha := hex.EncodeToString(sum[:])
	section := `{"title":"Сведения","path":"/svedeniya/","order":1}`
	cases := []struct {
		name         string
		method, path string
		token, ctype string
		body         string
		want         int
	}{
		{"create a section", "PUT", "/api/v1/sites/sh1/sections/3801.s.sveden", tok, "application/json", section, 201},
		{"replace it", "PUT", "/api/v1/sites/sh1/sections/3801.s.sveden", tok, "application/json", section, 200},
		{"no token", "GET", "/api/v1/sites/sh1/sections/3801.s.sveden", "", "", "", 401},
		{"unknown token", "GET", "/api/v1/sites/sh1/sections/3801.s.sveden", "nobody-knows-this-token", "", "", 401},
		{"another site's token", "GET", "/api/v1/sites/sh1/sections/3801.s.sveden", server.TestToken("sh2"), "", "", 403},
		{"another site's token writing", "PUT", "/api/v1/sites/sh1/pages/p1", server.TestToken("sh2"), "application/json", `{"section":"3801.s.sveden","title":"x","body":"","order":0}`, 403},
		{"read back", "GET", "/api/v1/sites/sh1/sections/3801.s.sveden", tok, "", "", 200},
		{"missing object", "GET", "/api/v1/sites/sh1/pages/nope", tok, "", "", 404},
		{"unknown field", "PUT", "/api/v1/sites/sh1/pages/p1", tok, "application/json", `{"section":"3801.s.sveden","title":"x","body":"","order":0,"colour":"red"}`, 400},
		{"not JSON", "PUT", "/api/v1/sites/sh1/pages/p1", tok, "application/json", `<html>`, 400},
		{"wrong media type", "PUT", "/api/v1/sites/sh1/pages/p1", tok, "text/plain", `{}`, 415},
		{"dangling section", "PUT", "/api/v1/sites/sh1/pages/p1", tok, "application/json", `{"section":"nope","title":"x","body":"","order":0}`, 422},
		{"too large", "PUT", "/api/v1/sites/sh1/pages/p1", tok, "application/json", `{"section":"3801.s.sveden","title":"x","order":0,"body":"` + strings.Repeat("я", 4096) + `"}`, 413},
		{"a page", "PUT", "/api/v1/sites/sh1/pages/p1", tok, "application/json", `{"section":"3801.s.sveden","title":"<script>alert(1)</script> Платные услуги","body":"Цена — 1 200 ₽ <img src=x onerror=alert(2)>","order":0}`, 201},
		{"file with a wrong hash", "PUT", "/api/v1/sites/sh1/files/" + strings.Repeat("0", 64), tok, "application/octet-stream", string(file), 422},
		{"file", "PUT", "/api/v1/sites/sh1/files/" + sha, tok, "application/octet-stream", string(file), 201},
		{"same file again", "PUT", "/api/v1/sites/sh1/files/" + sha, tok, "application/octet-stream", string(file), 200},
		{"file too large", "PUT", "/api/v1/sites/sh1/files/" + hex.EncodeToString(make([]byte, 32)), tok, "application/octet-stream", strings.Repeat("x", 1<<17), 413},
		{"list", "GET", "/api/v1/sites/sh1/pages", tok, "", "", 200},
		{"list files", "GET", "/api/v1/sites/sh1/files", tok, "", "", 200},
		{"delete", "DELETE", "/api/v1/sites/sh1/pages/p1", tok, "", "", 204},
		{"delete again", "DELETE", "/api/v1/sites/sh1/pages/p1", tok, "", "", 404},
		{"bad key", "PUT", "/api/v1/sites/sh1/pages/-bad", tok, "application/json", `{}`, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, hs.URL+c.path, strings.NewReader(c.body))
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			resp, body := call(t, hs.URL, c.method, c.path, c.token, c.ctype, []byte(c.body))
			if resp.StatusCode != c.want {
				t.Fatalf("got %d, want %d: %s", resp.StatusCode, c.want, body)
			}
			if c.want >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("error answer is %s, not problem+json", resp.Header.Get("Content-Type"))
			}
			// Only requests the contract describes are checked against it:
			// the deliberately malformed ones would (rightly) fail as requests.
			if c.token != "" && (c.want < 400 || c.want == 401 || c.want == 403 || c.want == 404 || c.want == 422) {
				contracttest.CheckExchange(t, req, []byte(c.body), resp, body)
			}
		})
	}
}

// recorder catches what the contract checker reports.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper() {}

func TestContractCheckerCatchesViolations(t *testing.T) {
	hs, _ := server.TestServer(t, server.Config{}, "sh1")
	// An answer the document does not describe: a 201 with a body that is not a PutResult.
	body := `{"section":"x","title":"t","body":"","order":0,"colour":"red"}`
	req, _ := http.NewRequest("PUT", hs.URL+"/api/v1/sites/sh1/pages/p1", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer x")
	resp := &http.Response{StatusCode: 201, Header: http.Header{"Content-Type": {"application/json"}}, Request: req}
	rec := &recorder{TB: t}
	contracttest.CheckExchange(rec, req, []byte(body), resp, []byte(`{"ok":true}`))
	if len(rec.errs) < 2 {
		t.Fatalf("an unknown request field and a malformed answer must both be reported, got %q", rec.errs)
	}
}

func TestServerPersistsAndRendersEscaped(t *testing.T) {
	dir := t.TempDir()
	cfg := server.Config{DataFile: filepath.Join(dir, "portal.db"), Tokens: map[string]string{"sh1": server.TestToken("sh1")}}
	srv, err := server.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	tok := server.TestToken("sh1")
	call(t, hs.URL, "PUT", "/api/v1/sites/sh1/sections/s", tok, "application/json", []byte(`{"title":"Сведения","path":"/s/","order":1}`))
	resp, _ := call(t, hs.URL, "PUT", "/api/v1/sites/sh1/pages/p", tok, "application/json",
		[]byte(`{"section":"s","title":"<script>alert(1)</script>","body":"<img src=x onerror=alert(2)>","order":0}`))
	if resp.StatusCode != 201 {
		t.Fatal(resp.Status)
	}
	hs.Close()
	srv.Close()

	srv, err = server.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs = httptest.NewServer(srv.Handler())
	defer hs.Close()
	resp, body := call(t, hs.URL, "GET", "/api/v1/sites/sh1/pages/p", tok, "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "alert(1)") {
		t.Fatalf("the page did not survive a restart: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/sites/sh1/", "/sites/sh1/pages/p"} {
		resp, body = call(t, hs.URL, "GET", path, "", "", nil)
		if resp.StatusCode != 200 || !strings.Contains(string(body), "alert(1)") {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		if strings.Contains(string(body), "<script>alert") || strings.Contains(string(body), "<img src=x") {
			t.Fatalf("%s renders legacy markup unescaped: %s", path, body)
		}
	}
}

func TestServerInjectsFaults(t *testing.T) {
	hs, _ := server.TestServer(t, server.Config{Faults: server.Faults{FailRate: 1}}, "sh1")
	resp, _ := call(t, hs.URL, "GET", "/api/v1/sites/sh1/pages", server.TestToken("sh1"), "", nil)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("fail-rate 1: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	hs2, _ := server.TestServer(t, server.Config{Faults: server.Faults{ResetRate: 1}}, "sh1")
	req, _ := http.NewRequest("GET", hs2.URL+"/api/v1/sites/sh1/pages", nil)
	req.Header.Set("Authorization", "Bearer "+server.TestToken("sh1"))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("reset-rate 1 answered %d instead of dropping the connection", resp.StatusCode)
	}
}

func TestReadTokens(t *testing.T) {
	cases := []struct {
		in      string
		wantErr string
		n       int
	}{
		{"portal_site,token\nsh1,0123456789abcdef\nsh2,fedcba9876543210\n", "", 2},
		{"\ufeffportal_site;token\nsh1;0123456789abcdef\n", "", 1},
		{"portal_site,token\nsh1,short\n", "line 2: the token of site sh1 is shorter", 0},
		{"portal_site,token\nsh1,0123456789abcdef\nsh1,0123456789abcdeg\n", "line 3: site sh1 is named twice", 0},
		{"site_id,secret\n", "lacks the columns", 0},
		{"", "empty", 0},
	}
	for _, c := range cases {
		got, err := portal.ReadTokens(strings.NewReader(c.in))
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || len(got) != c.n {
			t.Errorf("%q: %v %v", c.in, got, err)
		}
	}
}

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	hs, _ := server.TestServer(t, server.Config{}, "sh1")
	tok := server.TestToken("sh1")
	put := func(path, idem, ctype, body string) (int, string) {
		req, _ := http.NewRequest("PUT", hs.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", ctype)
		if idem != "" {
			req.Header.Set("Idempotency-Key", idem)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		contracttest.CheckExchange(t, req, []byte(body), resp, data)
		return resp.StatusCode, string(data)
	}
	const sec = "/api/v1/sites/sh1/sections/s"
	a, b := `{"title":"А","path":"/a/","order":1}`, `{"title":"Б","path":"/a/","order":1}`
	id := func(body string) string {
		var r portal.PutResult
		json.Unmarshal([]byte(body), &r)
		return r.ID
	}
	steps := []struct {
		name, idem, body string
		want             int
	}{
		{"first write", "k1", a, 201},
		{"its retry gets the first answer", "k1", a, 201},
		{"the same key with another body is refused", "k1", b, 422},
		{"another write replaces", "k2", b, 200},
		{"a retry of the first write after the object changed is a write again", "k1", a, 200},
		{"without a key a repeat is a replace", "", a, 200},
	}
	var firstID string
	for _, st := range steps {
		code, body := put(sec, st.idem, "application/json", st.body)
		if code != st.want {
			t.Fatalf("%s: %d, want %d: %s", st.name, code, st.want, body)
		}
		if code < 300 {
			if firstID == "" {
				firstID = id(body)
			} else if id(body) != firstID {
				t.Fatalf("%s: ID %s, want %s", st.name, id(body), firstID)
			}
		}
	}
	// Deleted, then the same write again: created anew, not replayed.
	call(t, hs.URL, "DELETE", sec, tok, "", nil)
	if code, body := put(sec, "k1", "application/json", a); code != 201 || id(body) == firstID {
		t.Fatalf("a write after the object was deleted: %d %s (old ID %s)", code, body, firstID)
	}
	file := []byte("%PDF-1.4 меню на 1 сентября")
	sum := sha256.Sum256(file)
	fpath := "/api/v1/sites/sh1/files/" + hex.EncodeToString(sum[:])
	for _, st := range []struct {
		idem string
		want int
	}{{"f1", 201}, {"f1", 201}, {"", 200}, {"f2", 200}} {
		if code, body := put(fpath, st.idem, "application/octet-stream", string(file)); code != st.want {
			t.Fatalf("file with key %q: %d, want %d: %s", st.idem, code, st.want, body)
		}
	}
}

// TestItemsAreServedAtTheirPublicPaths: a page, news item or document is
// shown at /sites/{site}{path}; the object written last holds a path; a
// deleted object frees it; a section is shown at its path.
func TestItemsAreServedAtTheirPublicPaths(t *testing.T) {
	hs, _ := server.TestServer(t, server.Config{}, "sh1")
	tok := server.TestToken("sh1")
	put := func(path, body string) {
		t.Helper()
		if resp, b := call(t, hs.URL, "PUT", "/api/v1/sites/sh1/"+path, tok, "application/json", []byte(body)); resp.StatusCode >= 300 {
			t.Fatalf("PUT %s: %d %s", path, resp.StatusCode, b)
		}
	}
	file := []byte("%PDF-1.4 устав")
	sum := sha256.Sum256(file)
	sha := hex.EncodeToString(sum[:])
	call(t, hs.URL, "PUT", "/api/v1/sites/sh1/files/"+sha, tok, "application/octet-stream", file)
	put("sections/s", `{"title":"Платные услуги","path":"/svedeniya/platnye/","order":1}`)
	put("pages/p1", `{"section":"s","title":"Кружки","path":"/svedeniya/platnye/kruzhki","body":"Юный программист","order":0}`)
	put("news/n1", `{"section":"s","title":"День знаний","path":"/svedeniya/platnye/2023-09-01-den-znaniy","body":"Линейка","date":"2023-09-01"}`)
	put("documents/d1", `{"section":"s","title":"Устав","path":"/svedeniya/platnye/ustav.pdf","file_sha256":"`+sha+`","file_name":"устав.pdf","size":`+fmt.Sprint(len(file))+`,"order":0}`)
	for _, c := range []struct {
		path, want, ctype string
	}{
		{"/sites/sh1/svedeniya/platnye/kruzhki", "Юный программист", "text/html"},
		{"/sites/sh1/svedeniya/platnye/2023-09-01-den-znaniy", "Линейка", "text/html"},
		{"/sites/sh1/svedeniya/platnye/ustav.pdf", string(file), "application/pdf"},
		{"/sites/sh1/svedeniya/platnye/", "Кружки", "text/html"},
		{"/sites/sh1/svedeniya/platnye", "Кружки", "text/html"},
		{"/sites/sh1/", "Платные услуги", "text/html"},
	} {
		resp, body := call(t, hs.URL, "GET", c.path, "", "", nil)
		if resp.StatusCode != 200 || !strings.Contains(string(body), c.want) || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("GET %s: %d %s, want %s holding %q", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), c.ctype, c.want)
		}
	}
	if resp, _ := call(t, hs.URL, "GET", "/sites/sh1/svedeniya/nichego", "", "", nil); resp.StatusCode != 404 {
		t.Errorf("an unknown path: %d", resp.StatusCode)
	}
	// Another page takes the path: the one written last is shown there.
	put("pages/p2", `{"section":"s","title":"Кружки (новые)","path":"/svedeniya/platnye/kruzhki","body":"Шахматы","order":1}`)
	if _, body := call(t, hs.URL, "GET", "/sites/sh1/svedeniya/platnye/kruzhki", "", "", nil); !strings.Contains(string(body), "Шахматы") {
		t.Errorf("the path is not the latest writer's: %s", body)
	}
	// Deleting the first page does not free the path the second now holds.
	call(t, hs.URL, "DELETE", "/api/v1/sites/sh1/pages/p1", tok, "", nil)
	if resp, body := call(t, hs.URL, "GET", "/sites/sh1/svedeniya/platnye/kruzhki", "", "", nil); resp.StatusCode != 200 || !strings.Contains(string(body), "Шахматы") {
		t.Errorf("after deleting the old holder: %d %s", resp.StatusCode, body)
	}
	call(t, hs.URL, "DELETE", "/api/v1/sites/sh1/pages/p2", tok, "", nil)
	if resp, _ := call(t, hs.URL, "GET", "/sites/sh1/svedeniya/platnye/kruzhki", "", "", nil); resp.StatusCode != 404 {
		t.Errorf("a deleted page's path still answers %d", resp.StatusCode)
	}
	// A path that is not one is refused.
	if resp, _ := call(t, hs.URL, "PUT", "/api/v1/sites/sh1/pages/p3", tok, "application/json", []byte(`{"section":"s","title":"x","path":"/../etc","body":"","order":0}`)); resp.StatusCode != 400 {
		t.Errorf("a path with ..: %d, want 400", resp.StatusCode)
	}
}

// TestPortalNamesItselfStably: the portal's ID survives a restart on
// another address; another storage has another ID.
func TestPortalNamesItselfStably(t *testing.T) {
	dir := t.TempDir()
	id := func(dir string) string {
		srv, err := server.NewServer(server.Config{DataFile: filepath.Join(dir, "portal.db")})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		hs := httptest.NewServer(srv.Handler())
		defer hs.Close()
		resp, body := call(t, hs.URL, "GET", "/api/v1/portal", "", "", nil)
		var info portal.Info
		if resp.StatusCode != 200 || json.Unmarshal(body, &info) != nil || info.ID != srv.ID() || !portal.ValidKey(info.ID) {
			t.Fatalf("GET /api/v1/portal: %d %s", resp.StatusCode, body)
		}
		return info.ID
	}
	first := id(dir)
	if again := id(dir); again != first {
		t.Errorf("the portal's ID changed across a restart: %s, then %s", first, again)
	}
	if other := id(t.TempDir()); other == first {
		t.Errorf("two storages share the ID %s", first)
	}
}
